//! A cell's tags (docs/compatibility.md#registry). Reading is public; changing them is a write to
//! the cell (owner or member; upstream needed no credentials at all, D-13).

use actix_web::{HttpResponse, delete, get, post, put, web};
use serde_json::{Value, json};

use super::body::Fields;
use super::path_id;
use super::shapes::{TagJson, TagWithCells, cells_json, tags_json};
use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::routes::truthiness::is_falsy;
use crate::state::AppState;

/// The cell's tags.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    responses((status = 200, body = [TagJson]), (status = 404, description = "`Cell not found`"))
)]
#[get("/cell/{cell_id}/tags")]
pub(crate) async fn list_cell_tags(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let tags = state.registry.cells.tags(caller.0.as_ref(), id).await?;
    Ok(HttpResponse::Ok().json(tags_json(tags)))
}

/// Replaces the cell's tags with `{"tag_ids": [...]}`; nothing changes when any id is
/// unknown.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    request_body(content = serde_json::Value, description = "`{\"tag_ids\": [1, 2]}`"),
    responses(
        (status = 200, description = "`{\"message\": \"Tags assigned successfully\", \"tags\": [...]}`"),
        (status = 400, description = "`tag_ids is required`, `tag_ids must be a list`, or bad ids"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found` or `Tag with ID <id> not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/cell/{cell_id}/tags")]
pub(crate) async fn set_cell_tags(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let registry = &state.registry;
    if is_falsy(&body) {
        return Err(ApiError::bad_request("tag_ids is required"));
    }
    let mut fields = Fields::of(&body)?;
    let Some(tag_ids) = fields.id_list("tag_ids", "tag_ids must be a list")? else {
        return Err(ApiError::bad_request("tag_ids is required"));
    };
    fields.finish()?;
    let tags = registry
        .cells
        .set_tags(caller.0.as_ref(), id, &tag_ids)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Tags assigned successfully",
        "tags": tags_json(tags),
    })))
}

/// Adds one tag to the cell.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path), ("tag_id" = u32, Path)),
    responses(
        (status = 200, description = "`{\"message\": \"Tag added to cell successfully\", \"tag\": …}`"),
        (status = 400, description = "`Tag already assigned to cell`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found` or `Tag not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[put("/cell/{cell_id}/tags/{tag_id}")]
pub(crate) async fn add_cell_tag(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, tag_id) = (path_id(&path.0)?, path_id(&path.1)?);
    let tag = state
        .registry
        .cells
        .add_tag(caller.0.as_ref(), id, tag_id)
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Tag added to cell successfully",
        "tag": TagJson::from(tag),
    })))
}

/// Removes one tag from the cell.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path), ("tag_id" = u32, Path)),
    responses(
        (status = 200, description = "`{\"message\": \"Tag removed from cell successfully\"}`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found`, `Tag not found` or `Tag not assigned to this cell`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[delete("/cell/{cell_id}/tags/{tag_id}")]
pub(crate) async fn remove_cell_tag(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, tag_id) = (path_id(&path.0)?, path_id(&path.1)?);
    state
        .registry
        .cells
        .remove_tag(caller.0.as_ref(), id, tag_id)
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Tag removed from cell successfully" })))
}

/// A tag and the cells carrying it (note the plural `tags` in the path).
#[utoipa::path(
    tag = "tags",
    params(("tag_id" = u32, Path)),
    responses(
        (status = 200, description = "`{\"tag\": Tag, \"cells\": [Cell]}`"),
        (status = 404, description = "`Tag not found`")
    )
)]
#[get("/tags/{tag_id}/cells")]
pub(crate) async fn cells_by_tag(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let (tag, cells) = state.registry.tags.cells(caller.0.as_ref(), id).await?;
    Ok(HttpResponse::Ok().json(TagWithCells {
        tag: TagJson::from(tag),
        cells: cells_json(cells),
    }))
}
