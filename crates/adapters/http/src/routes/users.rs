//! The caller's own profile: `GET`/`PUT /api/user`.

use actix_web::{HttpResponse, get, put, web};
use ents_domain::access::require_caller;
use ents_domain::users::{ProfileUpdate, User};
use ents_domain::{DomainError, FieldErrors};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::{Authenticated, identity_of};
use crate::error::ApiError;

/// The caller's profile: `email, first_name, last_name`, in this order.
#[derive(Serialize, ToSchema)]
pub(crate) struct UserData {
    email: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
}

impl From<User> for UserData {
    fn from(user: User) -> Self {
        Self {
            email: user.email,
            first_name: user.first_name,
            last_name: user.last_name,
        }
    }
}

/// The caller's profile.
#[utoipa::path(
    tag = "users",
    responses(
        (status = 200, body = UserData),
        (status = 401, description = "No credentials, or an expired token"),
        (status = 403, description = "Invalid token")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/user")]
pub(crate) async fn get_user(
    req: actix_web::HttpRequest,
    caller: Authenticated,
) -> Result<HttpResponse, ApiError> {
    let identity = identity_of(&req)?;
    let user = identity.users.profile(caller.0.user_id).await?;
    Ok(HttpResponse::Ok().json(UserData::from(user)))
}

/// The names in a `PUT /api/user` body: strings set them, `null` or absent keep them, other
/// keys are ignored (as upstream).
fn profile_update(body: &serde_json::Value) -> Result<ProfileUpdate, ApiError> {
    if super::truthiness::is_falsy(body) {
        return Err(ApiError::bad_request("No input data provided"));
    }
    let serde_json::Value::Object(map) = body else {
        return Err(ApiError::bad_request("Expected a JSON object"));
    };
    let mut errors = FieldErrors::new();
    let mut field = |name: &str| match map.get(name) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(_) => {
            errors.insert(name.to_owned(), vec!["must be a string".to_owned()]);
            None
        }
    };
    let update = ProfileUpdate {
        first_name: field("first_name"),
        last_name: field("last_name"),
    };
    if errors.is_empty() {
        Ok(update)
    } else {
        Err(DomainError::Invalid(errors).into())
    }
}

/// Changes the caller's first and last name.
#[utoipa::path(
    tag = "users",
    request_body(content = serde_json::Value, description = "`{\"first_name\": …, \"last_name\": …}`"),
    responses(
        (status = 200, body = UserData),
        (status = 400, description = "No input, or names that are not strings or too long"),
        (status = 401, description = "No credentials")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/user")]
pub(crate) async fn put_user(
    req: actix_web::HttpRequest,
    caller: Authenticated,
    body: web::Json<serde_json::Value>,
) -> Result<HttpResponse, ApiError> {
    let caller = require_caller(Some(&caller.0))?;
    let update = profile_update(&body)?;
    let identity = identity_of(&req)?;
    let user = identity
        .users
        .update_profile(caller.user_id, update)
        .await?;
    Ok(HttpResponse::Ok().json(UserData::from(user)))
}

/// Always answers 401: kept for clients of the original backend, where this session probe
/// could never succeed. Use `GET /api/auth/logged_in` or `GET /api/user` instead.
// Upstream read a Flask-Session key nothing ever wrote (docs/compatibility.md#login-and-tokens).
#[utoipa::path(
    tag = "users",
    responses((status = 401, description = "`{\"message\": \"Unauthorized\"}`, always"))
)]
#[get("/session")]
pub(crate) async fn session() -> HttpResponse {
    HttpResponse::Unauthorized().json(serde_json::json!({ "message": "Unauthorized" }))
}
