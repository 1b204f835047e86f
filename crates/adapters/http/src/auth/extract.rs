//! The extractors. Order of precedence, as upstream (docs/compatibility.md#login-and-tokens): a
//! non-empty `Authorization` header decides alone (a bad token is an error even when a valid
//! `X-API-Key` is present); otherwise `X-API-Key`; otherwise, where allowed, the refresh cookie
//! from an allowed origin.

use std::sync::Arc;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use ents_domain::DomainError;
use ents_domain::access::{Operation, check_scope};
use ents_domain::auth::{
    AUTHENTICATION_FAILED, Caller, Credential, INVALID_API_KEY, INVALID_TOKEN, NO_CREDENTIALS,
    TOKEN_EXPIRED, TokenRejection, USER_NOT_FOUND,
};
use futures_util::future::LocalBoxFuture;

use super::client_ip::client_ip;
use super::{Identity, cookies, origin};
use crate::error::ApiError;
use crate::state::AppState;
use ents_domain::auth::FailureKind;

/// Which credentials a route accepts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accept {
    pub api_key: bool,
    pub cookie: bool,
    /// `Authorization: <token>` without the `Bearer ` word (upstream's `logged_in` read it so).
    pub bare_token: bool,
}

const ANY: Accept = Accept {
    api_key: true,
    cookie: true,
    bare_token: false,
};
const TOKEN_ONLY: Accept = Accept {
    api_key: false,
    cookie: false,
    bare_token: false,
};

fn forbidden(message: &str) -> ApiError {
    ApiError::Domain(DomainError::Forbidden(message.to_owned()))
}

fn unauthenticated(message: &str) -> ApiError {
    ApiError::Domain(DomainError::Unauthenticated(message.to_owned()))
}

/// The identity layer of the app's state. Errors: 500 when the request reached no app state
/// (never, with [`crate::serve`]).
pub(crate) fn identity(req: &HttpRequest) -> Result<Arc<Identity>, ApiError> {
    req.app_data::<web::Data<AppState>>()
        .map(|state| state.identity.clone())
        .ok_or_else(|| {
            ApiError::Domain(DomainError::internal(
                "the request reached no application state",
            ))
        })
}

/// The caller of `req`, or `None` when it presents no credential this route accepts.
/// Errors: 401/403 with upstream's `msg` for presented but bad credentials; 429 when the
/// client has failed too often.
pub(crate) async fn resolve(req: &HttpRequest, accept: Accept) -> Result<Option<Caller>, ApiError> {
    let authorization = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("\u{0}"))
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let api_key = req
        .headers()
        .get("x-api-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let cookie = accept
        .cookie
        .then(|| cookies::read(req, cookies::REFRESH_COOKIE))
        .flatten();
    if authorization.is_none() && api_key.is_none() && cookie.is_none() {
        return Ok(None);
    }
    let identity = identity(req)?;

    if let Some(header) = authorization {
        return bearer(&identity, header, accept.bare_token).await.map(Some);
    }
    if let Some(key) = api_key {
        if !accept.api_key {
            // Upstream's JWT-only routes refuse an API key this way.
            return Err(forbidden(AUTHENTICATION_FAILED));
        }
        return api_key_caller(req, &identity, key).await.map(Some);
    }
    if let Some(cookie) = cookie
        && origin::from_allowed_origin(req, &identity.settings.allowed_origins)
    {
        // A stale cookie is as good as none: the request is then anonymous.
        return Ok(identity
            .sessions
            .cookie_identity(&cookie)
            .await
            .ok()
            .map(|user| Caller::new(user, Credential::BrowserCookie)));
    }
    Ok(None)
}

async fn bearer(identity: &Identity, header: &str, bare_token: bool) -> Result<Caller, ApiError> {
    let (scheme, token) = match header.split_once(' ') {
        Some(parts) => parts,
        None if bare_token => ("bearer", header),
        None => return Err(forbidden(AUTHENTICATION_FAILED)),
    };
    // Upstream ignored the scheme word (D-6); only Bearer is a token here.
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(forbidden(INVALID_TOKEN));
    }
    let user = identity
        .sessions
        .verifier()
        .verify_access(token.trim())
        .map_err(|rejection| match rejection {
            TokenRejection::Expired => unauthenticated(TOKEN_EXPIRED),
            TokenRejection::Invalid => forbidden(INVALID_TOKEN),
            TokenRejection::BadSubject => forbidden(AUTHENTICATION_FAILED),
        })?;
    // The account may have been deleted while its token is still valid.
    match identity.users.profile(user).await {
        Ok(_) => Ok(Caller::new(user, Credential::AccessToken)),
        Err(DomainError::NotFound(_)) => Err(forbidden(USER_NOT_FOUND)),
        Err(other) => Err(other.into()),
    }
}

async fn api_key_caller(
    req: &HttpRequest,
    identity: &Identity,
    key: &str,
) -> Result<Caller, ApiError> {
    let ip = client_ip(req, &identity.settings.trusted_proxies);
    identity
        .limiter
        .check(FailureKind::Credential, ip)
        .await
        .map_err(ApiError::too_many_requests)?;
    match identity.api_keys.authenticate(key).await? {
        Some(owner) => Ok(Caller::new(
            owner.user_id,
            Credential::ApiKey {
                key_id: owner.key_id,
                scope: owner.scope,
            },
        )),
        None => {
            identity
                .limiter
                .record_failure(FailureKind::Credential, ip)
                .await;
            Err(unauthenticated(INVALID_API_KEY))
        }
    }
}

/// The caller of `req` for a route doing `operation`, held to its credential's scope (the
/// domain's table, `ents_domain::access::permits`): every route takes its caller through
/// here, so an ingest key is refused everywhere but the uploads (which identify devices
/// through `X-API-Key` themselves). Errors: those of [`resolve`]; 403 out of scope.
async fn scoped(
    req: &HttpRequest,
    accept: Accept,
    operation: Operation,
) -> Result<Option<Caller>, ApiError> {
    let caller = resolve(req, accept).await?;
    if let Some(caller) = &caller {
        check_scope(caller, operation)?;
    }
    Ok(caller)
}

/// A required caller: bearer token, API key, or the refresh cookie from an allowed origin.
#[derive(Debug, Clone, Copy)]
pub struct Authenticated(pub Caller);

impl FromRequest for Authenticated {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            scoped(&req, ANY, Operation::UseAccount)
                .await?
                .map(Self)
                .ok_or_else(|| unauthenticated(NO_CREDENTIALS))
        })
    }
}

/// An optional caller (public routes). Bad credentials are still an error.
#[derive(Debug, Clone, Copy)]
pub struct MaybeCaller(pub Option<Caller>);

impl FromRequest for MaybeCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { scoped(&req, ANY, Operation::UseAccount).await.map(Self) })
    }
}

/// A caller with a bearer access token — nothing else (managing API keys).
/// No `Authorization` header → 403 `{"msg": "Authentication failed"}` (upstream).
#[derive(Debug, Clone, Copy)]
pub struct TokenCaller(pub Caller);

impl FromRequest for TokenCaller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            scoped(&req, TOKEN_ONLY, Operation::ManageKeys)
                .await?
                .map(Self)
                .ok_or_else(|| forbidden(AUTHENTICATION_FAILED))
        })
    }
}
