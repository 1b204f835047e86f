//! API keys (docs/compatibility.md#api-keys). `/api/apikey/` keeps upstream's single-key contract,
//! except that GET shows a hint instead of the key; `/api/keys` manages named, scoped keys. Both
//! need a bearer access token: an API key cannot manage keys. A key's secret appears in exactly one
//! response: the one that creates it.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use ents_domain::auth::{ApiKey, ApiKeyId, ApiKeyScope};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::auth::{TokenCaller, identity_of};
use crate::error::ApiError;
use crate::routes::isoformat::isoformat;

#[derive(Serialize, ToSchema)]
pub(crate) struct ApiKeyHint {
    /// Prefix and last four characters of the key (never the key), or null without one.
    api_key: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct NewApiKeySecret {
    /// The new key. Shown this once: store it now.
    api_key: String,
}

/// A hint of the caller's key.
#[utoipa::path(
    tag = "api keys",
    responses(
        (status = 200, body = ApiKeyHint),
        (status = 403, description = "No bearer token (an API key is not accepted here)")
    ),
    security(("bearer" = []))
)]
#[get("/apikey/")]
pub(crate) async fn get_apikey(
    req: HttpRequest,
    caller: TokenCaller,
) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req)?;
    let hint = identity.api_keys.default_key_hint(caller.0.user_id).await?;
    Ok(HttpResponse::Ok().json(ApiKeyHint { api_key: hint }))
}

/// Creates the caller's key (full scope).
#[utoipa::path(
    tag = "api keys",
    responses(
        (status = 201, body = NewApiKeySecret),
        (status = 403, description = "No bearer token"),
        (status = 409, description = "A key exists: delete it first")
    ),
    security(("bearer" = []))
)]
#[post("/apikey/")]
pub(crate) async fn post_apikey(
    req: HttpRequest,
    caller: TokenCaller,
) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req)?;
    let created = identity
        .api_keys
        .create_default_key(caller.0.user_id)
        .await?;
    Ok(HttpResponse::Created().json(NewApiKeySecret {
        api_key: created.secret,
    }))
}

/// Deletes the caller's key (idempotent).
#[utoipa::path(
    tag = "api keys",
    responses((status = 200, description = "`{\"message\": \"API key deleted\"}`")),
    security(("bearer" = []))
)]
#[delete("/apikey/")]
pub(crate) async fn delete_apikey(
    req: HttpRequest,
    caller: TokenCaller,
) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req)?;
    identity
        .api_keys
        .delete_default_key(caller.0.user_id)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "API key deleted" })))
}

#[derive(Serialize, ToSchema)]
pub(crate) struct ApiKeyInfo {
    id: Uuid,
    name: String,
    /// `ingest` (uploads only) or `full`.
    scope: String,
    /// Prefix and last four characters.
    hint: String,
    /// Naive ISO 8601, UTC.
    created_at: String,
    last_used_at: Option<String>,
}

impl From<ApiKey> for ApiKeyInfo {
    fn from(key: ApiKey) -> Self {
        Self {
            id: key.id.0,
            name: key.name,
            scope: key.scope.as_str().to_owned(),
            hint: key.hint,
            created_at: isoformat(key.created_at.naive_utc()),
            last_used_at: key.last_used_at.map(|at| isoformat(at.naive_utc())),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedKey {
    #[serde(flatten)]
    key: ApiKeyInfo,
    /// The key itself. Shown this once.
    api_key: String,
}

#[derive(Deserialize, ToSchema)]
pub(crate) struct NewKey {
    /// Unique among the caller's active keys, 1 to 64 characters.
    name: String,
    /// `ingest` or `full` (default).
    #[serde(default)]
    scope: Option<String>,
}

/// The caller's active keys (never the keys themselves).
#[utoipa::path(
    tag = "api keys",
    responses((status = 200, body = [ApiKeyInfo]), (status = 403, description = "No bearer token")),
    security(("bearer" = []))
)]
#[get("/keys")]
pub(crate) async fn list_keys(
    req: HttpRequest,
    caller: TokenCaller,
) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req)?;
    let keys: Vec<ApiKeyInfo> = identity
        .api_keys
        .list(caller.0.user_id)
        .await?
        .into_iter()
        .map(ApiKeyInfo::from)
        .collect();
    Ok(HttpResponse::Ok().json(keys))
}

/// Creates a named key.
#[utoipa::path(
    tag = "api keys",
    request_body = NewKey,
    responses(
        (status = 201, body = CreatedKey),
        (status = 400, description = "Bad name or scope"),
        (status = 403, description = "No bearer token"),
        (status = 409, description = "An active key has this name")
    ),
    security(("bearer" = []))
)]
#[post("/keys")]
pub(crate) async fn create_key(
    req: HttpRequest,
    caller: TokenCaller,
    body: web::Json<NewKey>,
) -> Result<HttpResponse, ApiError> {
    let scope = match body.scope.as_deref() {
        None => ApiKeyScope::Full,
        Some(s) => ApiKeyScope::parse(s).ok_or_else(|| {
            ApiError::Domain(ents_domain::DomainError::invalid_field(
                "scope",
                "must be `ingest` or `full`",
            ))
        })?,
    };
    let identity = identity_of(&req)?;
    let created = identity
        .api_keys
        .create(caller.0.user_id, &body.name, scope)
        .await?;
    Ok(HttpResponse::Created().json(CreatedKey {
        key: created.key.into(),
        api_key: created.secret,
    }))
}

/// Revokes one of the caller's keys.
#[utoipa::path(
    tag = "api keys",
    params(("id" = Uuid, Path, description = "The key's id")),
    responses(
        (status = 200, description = "`{\"message\": \"API key revoked\"}`"),
        (status = 403, description = "No bearer token"),
        (status = 404, description = "No such active key of the caller")
    ),
    security(("bearer" = []))
)]
#[delete("/keys/{id}")]
pub(crate) async fn revoke_key(
    req: HttpRequest,
    caller: TokenCaller,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = Uuid::parse_str(&id).map_err(|_| {
        ApiError::Domain(ents_domain::DomainError::NotFound(
            "API key not found".to_owned(),
        ))
    })?;
    let identity = identity_of(&req)?;
    identity
        .api_keys
        .revoke(caller.0.user_id, ApiKeyId(id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "API key revoked" })))
}
