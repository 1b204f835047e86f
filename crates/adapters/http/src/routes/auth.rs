//! Sign-in and sessions (docs/compatibility.md#login-and-tokens): the Google flow, local
//! accounts, refresh with rotation, logout. A login answers like upstream's: 201, the raw
//! access JWT as a `text/html` body, the refresh token in the `refresh-token` cookie.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use ents_domain::DomainError;
use ents_domain::auth::{FailureKind, MISSING_AUTHORIZATION_CODE, Password, Session};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::auth::cookies::{self, REFRESH_COOKIE};
use crate::auth::{Identity, client_ip, resolve};
use crate::error::ApiError;

/// Upstream's login answer.
fn login_response(session: &Session) -> HttpResponse {
    HttpResponse::Created()
        .content_type("text/html; charset=utf-8")
        .insert_header((
            header::SET_COOKIE,
            cookies::refresh_cookie(&session.refresh_token, session.refresh_expires_at),
        ))
        .body(session.access_token.clone())
}

/// Runs `attempt` under the brute-force limit `kind`: refused with 429 while the client's
/// budget is spent; a failure with 401/403 is counted.
async fn limited<T>(
    req: &HttpRequest,
    identity: &Identity,
    kind: FailureKind,
    attempt: impl Future<Output = Result<T, DomainError>>,
) -> Result<T, ApiError> {
    let ip = client_ip(req, &identity.settings.trusted_proxies);
    identity
        .limiter
        .check(kind, ip)
        .await
        .map_err(ApiError::too_many_requests)?;
    let result = attempt.await;
    if matches!(
        result,
        Err(DomainError::Unauthenticated(_) | DomainError::Forbidden(_))
    ) {
        identity.limiter.record_failure(kind, ip).await;
    }
    Ok(result?)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct OAuthUrl {
    /// Where to send the browser.
    url: String,
}

/// Starts a Google sign-in: the authorization URL, with a random `state` that is also set
/// in a short-lived HttpOnly cookie (the callback must come back with both).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = OAuthUrl),
        (status = 503, description = "Google sign-in is not configured")
    )
)]
#[get("/oauth/url")]
pub(crate) async fn oauth_url(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let identity = crate::auth::identity_of(&req)?;
    let request = identity.google.begin()?;
    Ok(HttpResponse::Ok()
        .insert_header((
            header::SET_COOKIE,
            cookies::oauth_state_cookie(&request.state),
        ))
        .json(json!({ "url": request.url })))
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct Callback {
    /// The authorization code Google sent.
    code: Option<String>,
    /// The `state` of `/api/oauth/url`.
    state: Option<String>,
}

/// Finishes a Google sign-in: the dashboard forwards Google's whole query string. Checks the
/// state against the browser's cookie, exchanges the code, verifies the ID token, finds or
/// creates the user and logs in.
#[utoipa::path(
    tag = "auth",
    params(Callback),
    responses(
        (status = 201, description = "The access token (raw JWT); the refresh token is set \
            in the `refresh-token` cookie", body = String, content_type = "text/html"),
        (status = 400, description = "No code"),
        (status = 401, description = "Google refused the code or the ID token is invalid"),
        (status = 403, description = "The state does not match the browser's"),
        (status = 429, description = "Too many failed attempts"),
        (status = 503, description = "Google is unreachable or sign-in is not configured")
    )
)]
#[get("/auth/token")]
pub(crate) async fn token(
    req: HttpRequest,
    query: web::Query<Callback>,
) -> Result<HttpResponse, ApiError> {
    let identity = crate::auth::identity_of(&req)?;
    let Some(code) = query.code.as_deref().filter(|c| !c.is_empty()) else {
        // Upstream's exact answer.
        return Ok(HttpResponse::BadRequest().json(json!({ "msg": MISSING_AUTHORIZATION_CODE })));
    };
    let expected = cookies::read(&req, cookies::OAUTH_STATE_COOKIE);
    let result = limited(&req, &identity, FailureKind::Login, async {
        let user = identity
            .google
            .complete(code, query.state.as_deref(), expected.as_deref())
            .await?;
        identity.sessions.start(user.id).await
    })
    .await;
    // The state is single-use, success or not.
    let mut response = match result {
        Ok(session) => login_response(&session),
        Err(error) => actix_web::ResponseError::error_response(&error),
    };
    if let Ok(clear) = header::HeaderValue::from_str(&cookies::clear_oauth_state_cookie()) {
        response.headers_mut().append(header::SET_COOKIE, clear);
    }
    Ok(response)
}

/// Exchanges the `refresh-token` cookie for a new access token and a new cookie (rotation).
/// A rotated cookie presented again within a few seconds (parallel refreshes) still works;
/// later, it ends that login.
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 201, description = "The new access token (raw JWT) and a new cookie",
            body = String, content_type = "text/html"),
        (status = 403, description = "Missing, unknown, expired, revoked or reused token"),
        (status = 429, description = "Too many failed attempts")
    )
)]
#[get("/auth/refresh")]
pub(crate) async fn refresh(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let identity = crate::auth::identity_of(&req)?;
    let cookie = cookies::read(&req, REFRESH_COOKIE);
    let session = match &cookie {
        // No cookie is the logged-out dashboard's every page load, not an attack: not counted.
        None => identity.sessions.refresh(None).await?,
        Some(presented) => {
            limited(
                &req,
                &identity,
                FailureKind::Credential,
                identity.sessions.refresh(Some(presented)),
            )
            .await?
        }
    };
    Ok(login_response(&session))
}

/// Ends the caller's own login (found by its cookie) and clears the cookie. Nobody else's
/// session is touched; without a cookie nothing happens.
#[utoipa::path(tag = "auth", responses((status = 204, description = "Logged out")))]
#[get("/auth/logout")]
pub(crate) async fn logout(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(cookie) = cookies::read(&req, REFRESH_COOKIE) else {
        return Ok(HttpResponse::NoContent().finish());
    };
    let identity = crate::auth::identity_of(&req)?;
    identity.sessions.logout(Some(&cookie)).await?;
    Ok(HttpResponse::NoContent()
        .insert_header((header::SET_COOKIE, cookies::clear_refresh_cookie()))
        .finish())
}

#[derive(Serialize, ToSchema)]
pub(crate) struct LoggedIn {
    #[serde(rename = "loggedIn")]
    logged_in: bool,
}

/// Whether the request carries a valid access token (`Authorization: Bearer <token>` or, as
/// upstream read it, the bare token) or API key: 200 `{"loggedIn": true}`, otherwise 401
/// `{"loggedIn": false}`.
// Upstream's version always failed (D-32).
#[utoipa::path(
    tag = "auth",
    responses(
        (status = 200, body = LoggedIn),
        (status = 401, description = "Not logged in", body = LoggedIn)
    )
)]
#[get("/auth/logged_in")]
pub(crate) async fn logged_in(req: HttpRequest) -> HttpResponse {
    let accept = crate::auth::Accept {
        api_key: true,
        cookie: false,
        bare_token: true,
    };
    match resolve(&req, accept).await {
        Ok(Some(_)) => HttpResponse::Ok().json(LoggedIn { logged_in: true }),
        _ => HttpResponse::Unauthorized().json(LoggedIn { logged_in: false }),
    }
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct Credentials {
    email: String,
    password: String,
}

/// Signs in with a local account (e-mail and password). Same answer as the Google flow.
#[utoipa::path(
    tag = "auth",
    request_body = Credentials,
    responses(
        (status = 201, description = "The access token (raw JWT); the refresh token is set \
            in the `refresh-token` cookie", body = String, content_type = "text/html"),
        (status = 401, description = "Wrong e-mail address or password"),
        (status = 429, description = "Too many failed attempts")
    )
)]
#[post("/auth/login")]
pub(crate) async fn login(
    req: HttpRequest,
    body: web::Json<Credentials>,
) -> Result<HttpResponse, ApiError> {
    let identity = crate::auth::identity_of(&req)?;
    let Credentials { email, password } = body.into_inner();
    let session = limited(&req, &identity, FailureKind::Login, async {
        let user = identity
            .accounts
            .login(&email, Password::presented(password))
            .await?;
        identity.sessions.start(user.id).await
    })
    .await?;
    Ok(login_response(&session))
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct Registration {
    email: String,
    /// At least 8 characters.
    password: String,
    first_name: Option<String>,
    last_name: Option<String>,
}

/// Creates a local account and signs it in. Can be turned off (`auth.allow_registration`).
#[utoipa::path(
    tag = "auth",
    request_body = Registration,
    responses(
        (status = 201, description = "Registered and signed in: the access token (raw JWT) \
            and the refresh cookie", body = String, content_type = "text/html"),
        (status = 400, description = "Invalid e-mail address, password or name"),
        (status = 403, description = "Registration is disabled"),
        (status = 409, description = "The e-mail address is taken"),
        (status = 429, description = "Too many attempts")
    )
)]
#[post("/auth/register")]
pub(crate) async fn register(
    req: HttpRequest,
    body: web::Json<Registration>,
) -> Result<HttpResponse, ApiError> {
    let identity = crate::auth::identity_of(&req)?;
    if !identity.settings.allow_registration {
        return Err(DomainError::Forbidden("Registration is disabled".to_owned()).into());
    }
    let Registration {
        email,
        password,
        first_name,
        last_name,
    } = body.into_inner();
    let ip = client_ip(&req, &identity.settings.trusted_proxies);
    identity
        .limiter
        .check(FailureKind::Login, ip)
        .await
        .map_err(ApiError::too_many_requests)?;
    // Every registration spends budget: it bounds how many accounts one client can create.
    identity
        .limiter
        .record_failure(FailureKind::Login, ip)
        .await;
    let password = Password::new(password)?;
    let user = identity
        .accounts
        .register(&email, password, first_name, last_name)
        .await?;
    let session = identity.sessions.start(user.id).await?;
    Ok(login_response(&session))
}
