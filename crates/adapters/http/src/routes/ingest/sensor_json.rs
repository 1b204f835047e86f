//! `POST /api/sensor_json/`: the flat legacy dict (docs/wire-format.md#json-uploads).

use actix_web::{HttpRequest, HttpResponse, post, web};
use ents_domain::ingest::StoreOutcome;
use ents_domain::{DomainError, FieldErrors};
use ents_wire::{WireError, decode_sensor_json};

use super::body::{self, Media};
use super::{device, reply};
use crate::error::ApiError;
use crate::state::AppState;

/// Uploads one decoded legacy measurement as JSON:
/// `{"type", "cellId", "loggerId", "ts", "data": {…}}`. Answers as the legacy protobuf path:
/// 200 empty `application/octet-stream`, or 501 `08 01` for an unknown cell (or logger, for
/// `power`) or an unknown `type`. A missing or invalid field (`type`, `cellId`, `ts`, `data`,
/// a non-numeric value…) is a 400 naming it in `errors`; nothing is stored.
#[utoipa::path(
    tag = "ingest",
    params(("X-API-Key" = Option<String>, Header, description = "Optional device API key")),
    request_body(content = serde_json::Value, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored: empty application/octet-stream body"),
        (status = 400, description = "The body is not JSON, or a field is missing or invalid (named in `errors`)"),
        (status = 401, description = "Invalid or required API key"),
        (status = 403, description = "The key's owner may not write to the cell"),
        (status = 413, description = "Body too large"),
        (status = 415, description = "Content-Type is not application/json"),
        (status = 501, description = "Refused: body 08 01 (Response ERROR)"),
        (status = 503, description = "Database unavailable; retry later"),
    )
)]
#[post("/sensor_json/")]
pub(crate) async fn sensor_json_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let endpoints = &state.ingest;
    body::media(&req, &[Media::Json])?;
    let bytes = body::read(&req, payload, endpoints.settings.body_limit_bytes).await?;
    let upload = match decode_sensor_json(&bytes) {
        Ok(upload) => upload,
        Err(WireError::Json(error)) => {
            return Err(ApiError::bad_request(format!("Invalid JSON body: {error}")));
        }
        Err(error) => {
            tracing::info!(%error, "JSON upload refused");
            // A missing or bad field is the client's JSON to fix: a 400 naming it. An unknown
            // `type` stays the legacy ERROR answer, as for an unknown cell.
            if let Some(field) = error.ingest_error().and_then(|e| e.field()) {
                let mut errors = FieldErrors::new();
                errors.insert(field.to_owned(), vec![error.to_string()]);
                return Err(DomainError::Invalid(errors).into());
            }
            return Ok(reply::legacy_error());
        }
    };
    let device = device::credentials(&req);
    Ok(match endpoints.service.ingest(&upload, &device).await? {
        StoreOutcome::Committed { .. } | StoreOutcome::Accepted => reply::legacy_success(),
        StoreOutcome::Missing(_) => reply::legacy_error(),
    })
}
