//! `/api/tag/…` (docs/compatibility.md#registry). Reading is public; creating needs a caller, who
//! owns the tag; only the owner changes or deletes it.

use actix_web::{HttpResponse, delete, get, post, put, web};
use ents_domain::tags::TagChanges;
use garde::Validate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::body::{Fields, garde_errors};
use super::path_id;
use super::shapes::{TagJson, tags_json};
use crate::auth::{Authenticated, MaybeCaller};
use crate::error::ApiError;
use crate::routes::truthiness::is_falsy;
use crate::state::AppState;

const NO_DATA: &str = "No data provided";

/// A tag's fields after trimming the name (upstream trimmed after checking the length, so
/// a blank name was stored as "", D-59).
#[derive(Debug, Validate)]
struct TagInput {
    #[garde(inner(length(chars, min = 1, max = 255)))]
    name: Option<String>,
    #[garde(inner(inner(length(chars, max = 2000))))]
    description: Option<Option<String>>,
}

/// Reads `name` and `description`; unknown keys are rejected as upstream's schema did, with
/// its message `"Invalid data"`.
fn tag_input(body: &Value, name_required: bool) -> Result<TagInput, ApiError> {
    read_tag_input(body, name_required).map_err(ApiError::as_invalid_data)
}

fn read_tag_input(body: &Value, name_required: bool) -> Result<TagInput, ApiError> {
    if is_falsy(body) {
        return Err(ApiError::bad_request(NO_DATA));
    }
    let mut fields = Fields::of(body)?;
    fields.reject_unknown(&["name", "description"]);
    let name = match fields.string("name") {
        Some(Some(name)) => Some(name.trim().to_owned()),
        Some(None) => {
            fields.problem("name", "must not be null");
            None
        }
        None => {
            if name_required {
                fields.problem("name", "Missing data for required field.");
            }
            None
        }
    };
    let description = fields.string("description");
    fields.finish()?;
    let input = TagInput { name, description };
    input.validate().map_err(garde_errors)?;
    Ok(input)
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct TagQuery {
    /// Case-insensitive substring of the name.
    search: Option<String>,
}

/// Every tag, or those whose name contains `search`.
#[utoipa::path(tag = "tags", params(TagQuery), responses((status = 200, body = [TagJson])))]
#[get("/tag/")]
pub(crate) async fn list_tags(
    state: web::Data<AppState>,
    // Only for the scope rule: an ingest key reads nothing, not even tags.
    _caller: MaybeCaller,
    query: web::Query<TagQuery>,
) -> Result<HttpResponse, ApiError> {
    let tags = state.registry.tags.list(query.search.as_deref()).await?;
    Ok(HttpResponse::Ok().json(tags_json(tags)))
}

/// Creates a tag owned by the caller.
#[utoipa::path(
    tag = "tags",
    request_body(content = serde_json::Value, description = "`{\"name\": …, \"description\": … | null}`"),
    responses(
        (status = 201, description = "`{\"message\": \"Tag created successfully\", \"tag\": …}`"),
        (status = 400, description = "`No data provided`, bad fields, or `Tag with this name already exists`"),
        (status = 401, description = "No credentials")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/tag/")]
pub(crate) async fn create_tag(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let registry = &state.registry;
    let input = tag_input(&body, true)?;
    let Some(name) = input.name else {
        return Err(ApiError::bad_request(NO_DATA));
    };
    let tag = registry
        .tags
        .create(Some(&caller.0), name, input.description.flatten())
        .await?;
    Ok(HttpResponse::Created().json(json!({
        "message": "Tag created successfully",
        "tag": TagJson::from(tag),
    })))
}

/// One tag.
#[utoipa::path(
    tag = "tags",
    params(("tag_id" = u32, Path)),
    responses((status = 200, body = TagJson), (status = 404, description = "`Tag not found`"))
)]
#[get("/tag/{tag_id}")]
pub(crate) async fn get_tag(
    state: web::Data<AppState>,
    // Only for the scope rule, as `list_tags`.
    _caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let tag = state.registry.tags.get(id).await?;
    Ok(HttpResponse::Ok().json(TagJson::from(tag)))
}

/// Changes a tag's name or description (its owner only).
#[utoipa::path(
    tag = "tags",
    params(("tag_id" = u32, Path)),
    request_body(content = serde_json::Value),
    responses(
        (status = 200, description = "`{\"message\": \"Tag updated successfully\", \"tag\": …}`"),
        (status = 400, description = "`No data provided`, bad fields, or `Tag with this name already exists`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the tag's creator"),
        (status = 404, description = "`Tag not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[put("/tag/{tag_id}")]
pub(crate) async fn update_tag(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let registry = &state.registry;
    // Upstream answers 404 before looking at the body.
    registry.tags.get(id).await?;
    let input = tag_input(&body, false)?;
    let tag = registry
        .tags
        .update(
            Some(&caller.0),
            id,
            TagChanges {
                name: input.name,
                description: input.description,
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(json!({
        "message": "Tag updated successfully",
        "tag": TagJson::from(tag),
    })))
}

/// Deletes a tag and its links to cells (its owner only).
#[utoipa::path(
    tag = "tags",
    params(("tag_id" = u32, Path)),
    responses(
        (status = 200, description = "`{\"message\": \"Tag deleted successfully\"}`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the tag's creator"),
        (status = 404, description = "`Tag not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[delete("/tag/{tag_id}")]
pub(crate) async fn delete_tag(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    state.registry.tags.delete(Some(&caller.0), id).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Tag deleted successfully" })))
}
