//! `/api/cell/…`: list, read, create, change and delete cells.

use actix_web::{HttpResponse, delete, get, post, put, web};
use ents_domain::DomainError;
use ents_domain::cells::{CellChanges, CellFilter, NewCell};
use garde::Validate;
use serde::Deserialize;
use serde_json::{Value, json};
use utoipa::IntoParams;

use super::body::{Fields, garde_errors};
use super::path_id;
use super::shapes::{CellCreated, CellJson, cells_json};
use crate::auth::{Authenticated, MaybeCaller};
use crate::error::ApiError;
use crate::state::AppState;

const TAG_IDS_NOT_A_LIST: &str = "tag_ids must be a list";

/// What a cell is made of, validated once for create and change.
#[derive(Debug, Validate)]
struct CellInput {
    #[garde(inner(length(chars, min = 1, max = 255), custom(not_blank)))]
    name: Option<String>,
    #[garde(inner(inner(length(chars, max = 1000))))]
    location: Option<Option<String>>,
    #[garde(inner(inner(range(min = -90.0, max = 90.0))))]
    latitude: Option<Option<f64>>,
    #[garde(inner(inner(range(min = -180.0, max = 180.0))))]
    longitude: Option<Option<f64>>,
}

fn not_blank(value: &str, _: &()) -> garde::Result {
    if value.trim().is_empty() {
        Err(garde::Error::new("must not be blank"))
    } else {
        Ok(())
    }
}

/// `GET /api/cell/` query.
#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct CellQuery {
    /// Case-insensitive substring of the name; when set, `user` is ignored.
    name: Option<String>,
    /// Any non-empty value: only the caller's cells (owned or shared).
    user: Option<String>,
    /// Comma-separated tag ids: cells having any of them.
    tags: Option<String>,
    /// Refused with a 400 naming it: tags have no category, so no cell could match.
    // Upstream read a tag attribute that no longer exists (D-25); silently listing every
    // cell would answer a question that was not asked.
    category: Option<String>,
}

fn tag_filter(raw: Option<&str>) -> Result<Vec<i32>, ApiError> {
    let Some(raw) = raw.filter(|r| !r.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(|part| part.trim().parse::<i32>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| ApiError::bad_request("Invalid tag IDs format"))
}

/// Cells, filtered. Reading is public (`access.public_read`); `?user=` needs a caller.
#[utoipa::path(
    tag = "cells",
    params(CellQuery),
    responses(
        (status = 200, body = [CellJson]),
        (status = 400, description = "`Invalid tag IDs format`, or `category` (not supported)"),
        (status = 401, description = "`?user=` without credentials")
    ),
    security((), ("bearer" = []), ("api_key" = []))
)]
#[get("/cell/")]
pub(crate) async fn list_cells(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    query: web::Query<CellQuery>,
) -> Result<HttpResponse, ApiError> {
    if query.category.is_some() {
        let mut errors = ents_domain::FieldErrors::new();
        errors.insert(
            "category".to_owned(),
            vec!["tags have no category: this filter is not supported".to_owned()],
        );
        return Err(DomainError::Invalid(errors).into());
    }
    let name = query.name.clone().filter(|n| !n.is_empty());
    let mine = name.is_none() && query.user.as_deref().is_some_and(|u| !u.is_empty());
    let member = if mine {
        let caller = caller.0.as_ref().ok_or_else(|| {
            DomainError::Unauthenticated(ents_domain::auth::NO_CREDENTIALS.to_owned())
        })?;
        Some(caller.user_id)
    } else {
        None
    };
    let filter = CellFilter {
        name,
        member,
        any_tag: tag_filter(query.tags.as_deref())?,
    };
    let cells = state.registry.cells.list(caller.0.as_ref(), filter).await?;
    Ok(HttpResponse::Ok().json(cells_json(cells)))
}

/// Every cell: the public listing the map, the dashboard and the `ents` client use.
#[utoipa::path(tag = "cells", responses((status = 200, body = [CellJson])))]
#[get("/cell/id")]
pub(crate) async fn public_cells(
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    let cells = state
        .registry
        .cells
        .list(caller.0.as_ref(), CellFilter::default())
        .await?;
    Ok(HttpResponse::Ok().json(cells_json(cells)))
}

/// One cell.
// Upstream's route never worked (D-24).
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    responses((status = 200, body = CellJson), (status = 404, description = "`Cell not found`"))
)]
#[get("/cell/{cell_id}")]
pub(crate) async fn get_cell(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let cell = state.registry.cells.get(caller.0.as_ref(), id).await?;
    Ok(HttpResponse::Ok().json(CellJson::from(cell)))
}

/// Creates a cell owned by the caller; `userEmail` is accepted and ignored (the owner is
/// always the caller). The cell and its tags are stored together or not at all.
#[utoipa::path(
    tag = "cells",
    request_body(content = serde_json::Value, description = "`{name, location, latitude, longitude, archive, tag_ids}`; coordinates may be numeric strings"),
    responses(
        (status = 200, description = "`{\"message\": \"Successfully added cell\", \"id\": …, \"name\": …}`"),
        (status = 400, description = "Bad fields (named in `errors`), or `Duplicate cell name`"),
        (status = 401, description = "No credentials"),
        (status = 404, description = "`Tag with ID <id> not found` (nothing is stored)")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/cell/")]
pub(crate) async fn create_cell(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let registry = &state.registry;
    let caller = ents_domain::access::require_caller(caller.0.as_ref())?;
    let mut fields = Fields::of(&body)?;
    fields.reject_unknown(&[
        "name",
        "location",
        "latitude",
        "longitude",
        "archive",
        "userEmail",
        "tag_ids",
    ]);
    let name = fields.string("name").flatten();
    if name.is_none() && !fields.has("name") {
        fields.problem("name", "is required");
    }
    let input = CellInput {
        name,
        location: fields.string("location"),
        latitude: fields.number("latitude"),
        longitude: fields.number("longitude"),
    };
    let archive = fields.boolean("archive").flatten().unwrap_or(false);
    let _ = fields.string("userEmail");
    let tag_ids = fields.id_list("tag_ids", TAG_IDS_NOT_A_LIST)?;
    fields.finish()?;
    input.validate().map_err(garde_errors)?;
    let Some(name) = input.name else {
        return Err(ApiError::Domain(DomainError::invalid_field(
            "name",
            "must be a string",
        )));
    };
    let cell = registry
        .cells
        .create(
            Some(caller),
            NewCell {
                name,
                location: input.location.flatten(),
                latitude: input.latitude.flatten(),
                longitude: input.longitude.flatten(),
                archive,
                owner: caller.user_id,
                tag_ids: tag_ids.unwrap_or_default(),
            },
        )
        .await?;
    Ok(HttpResponse::Ok().json(CellCreated {
        message: "Successfully added cell",
        id: cell.id,
        name: cell.name,
    }))
}

/// Changes a cell (owner or member). Keys: `name`, `location`, `lat`/`latitude`,
/// `long`/`longitude`, `archive`, `tag_ids` (replaces the tags); other keys (the
/// dashboard sends its whole grid row) are ignored.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    request_body(content = serde_json::Value),
    responses(
        (status = 200, description = "`{\"message\": \"Successfully updated cell\"}`"),
        (status = 400, description = "Bad fields, `tag_ids must be a list`, or `Duplicate cell name`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found` or `Tag with ID <id> not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[put("/cell/{cell_id}")]
pub(crate) async fn update_cell(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<Value>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    let registry = &state.registry;
    let mut fields = Fields::of(&body)?;
    let name = match fields.string("name") {
        Some(None) => {
            fields.problem("name", "must not be null");
            None
        }
        Some(Some(name)) => Some(name),
        None => None,
    };
    let latitude = fields.number("lat").or_else(|| fields.number("latitude"));
    let longitude = fields.number("long").or_else(|| fields.number("longitude"));
    let input = CellInput {
        name,
        location: fields.string("location"),
        latitude,
        longitude,
    };
    let archive = match fields.boolean("archive") {
        Some(None) => {
            fields.problem("archive", "must not be null");
            None
        }
        other => other.flatten(),
    };
    let tag_ids = fields.id_list("tag_ids", TAG_IDS_NOT_A_LIST)?;
    fields.finish()?;
    input.validate().map_err(garde_errors)?;
    let changes = CellChanges {
        name: input.name,
        location: input.location,
        latitude: input.latitude,
        longitude: input.longitude,
        archive,
        tag_ids,
    };
    registry.cells.update(Some(&caller.0), id, changes).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Successfully updated cell" })))
}

/// Deletes a cell with its data, sensors, memberships and tag links, in one transaction.
#[utoipa::path(
    tag = "cells",
    params(("cell_id" = u32, Path)),
    responses(
        (status = 200, description = "`{\"message\": \"Cell deleted successfully\"}`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not the owner or a member"),
        (status = 404, description = "`Cell not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[delete("/cell/{cell_id}")]
pub(crate) async fn delete_cell(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id(&path)?;
    state.registry.cells.delete(Some(&caller.0), id).await?;
    Ok(HttpResponse::Ok().json(json!({ "message": "Cell deleted successfully" })))
}
