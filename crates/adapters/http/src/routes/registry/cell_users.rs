//! Who a cell is shared with (docs/compatibility.md#registry). Seeing the members needs the owner
//! or a member; changing them needs the owner. No response carries a key or secret (D-1).

use actix_web::{HttpResponse, delete, get, post, put, web};
use ents_domain::users::UserId;
use serde_json::{Value, json};
use uuid::Uuid;

use super::body::Fields;
use super::path_id;
use super::shapes::{MemberJson, UserWithCells, cells_json, members_json};
use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::truthiness::is_falsy;
use crate::state::AppState;

/// A user id from the path: a UUID (upstream's `<int:…>` could never match one, D-30).
fn user_path(raw: &str) -> Result<UserId, ApiError> {
    Uuid::parse_str(raw)
        .map(UserId)
        .map_err(|_| ApiError::RouteNotFound)
}

/// The cell's members.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    responses(
        (status = 200, body = [MemberJson]),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/cell/{cell_id}/users")]
pub(crate) async fn list_cell_users(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let members = state.registry.cells.members(Some(&caller.0), id).await?;
    Ok(HttpResponse::Ok().json(members_json(members)))
}

/// Replaces the members with `{"user_ids": ["<uuid>", …]}` (the owner always stays).
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    request_body(content = serde_json::Value, description = "`{\"user_ids\": [\"<uuid>\"]}`"),
    responses(
        (status = 200, description = "`{\"message\": \"Users assigned successfully\", \"users\": [...]}`"),
        (status = 400, description = "`user_ids is required`, `user_ids must be a list`, or ids that are not UUIDs"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`Cell not found` or `User with ID <id> not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/cell/{cell_id}/users")]
pub(crate) async fn set_cell_users(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let registry = &state.registry;
    if is_falsy(&body) {
        return Err(ApiError::bad_request("user_ids is required"));
    }
    let mut fields = Fields::of(&body)?;
    let Some(ids) = fields.uuid_list("user_ids", "user_ids must be a list")? else {
        return Err(ApiError::bad_request("user_ids is required"));
    };
    fields.finish()?;
    let users: Vec<UserId> = ids.into_iter().map(UserId).collect();
    let members = registry
        .cells
        .set_members(Some(&caller.0), id, &users)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Users assigned successfully",
        "users": members_json(members),
    })))
}

/// Adds one member.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path), ("user_id" = String, Path, description = "User UUID")),
    responses(
        (status = 200, description = "`{\"message\": \"User added to cell successfully\", \"user\": …}`"),
        (status = 400, description = "`User already assigned to cell`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`Cell not found` or `User not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[put("/cell/{cell_id}/users/{user_id}")]
pub(crate) async fn add_cell_user(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = (path_id(&path.0)?, user_path(&path.1)?);
    let member = state
        .registry
        .cells
        .add_member(Some(&caller.0), id, user)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "User added to cell successfully",
        "user": MemberJson::from(member),
    })))
}

/// Removes one member (never the owner).
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path), ("user_id" = String, Path, description = "User UUID")),
    responses(
        (status = 200, description = "`{\"message\": \"User removed from cell successfully\"}`"),
        (status = 400, description = "The owner cannot be removed"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`Cell not found`, `User not found` or `User not assigned to this cell`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[delete("/cell/{cell_id}/users/{user_id}")]
pub(crate) async fn remove_cell_user(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, user) = (path_id(&path.0)?, user_path(&path.1)?);
    state
        .registry
        .cells
        .remove_member(Some(&caller.0), id, user)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "User removed from cell successfully" })))
}

/// Shares the cell with the user who has this e-mail address (owner only).
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    request_body(content = serde_json::Value, description = "`{\"email\": \"bob@example.com\"}`"),
    responses(
        (status = 200, description = "`{\"message\": \"Cell shared successfully\", \"user\": …}`"),
        (status = 400, description = "`email is required`, `email cannot be empty`, `User already has access to this cell`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`Cell not found` or `User with email <email> not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/cell/{cell_id}/share")]
pub(crate) async fn share_cell(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let registry = &state.registry;
    let email = if is_falsy(&body) {
        None
    } else {
        let mut fields = Fields::of(&body)?;
        let email = fields.string("email").flatten();
        fields.finish()?;
        email
    };
    let outcome = registry
        .cells
        .share(Some(&caller.0), id, email.as_deref())
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Cell shared successfully",
        "user": MemberJson::from(outcome.member),
    })))
}

/// A user's cells (owned or shared), for that user only.
#[utoipa::path(
    tag = "cells",
    params(("user_id" = String, Path, description = "User UUID")),
    responses(
        (status = 200, description = "`{\"user\": …, \"cells\": [...]}`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Another user's cells"),
        (status = 404, description = "`User not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/users/{user_id}/cells")]
pub(crate) async fn cells_of_user(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user = user_path(&path)?;
    let (member, cells) = state
        .registry
        .cells
        .cells_of_user(Some(&caller.0), user)
        .await?;
    Ok(HttpResponse::Ok().json(UserWithCells {
        user: MemberJson::from(member),
        cells: cells_json(cells),
    }))
}
