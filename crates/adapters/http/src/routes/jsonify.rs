//! Flask `jsonify`'s framing, which the series reads use upstream
//! (docs/compatibility.md#http-and-errors):
//! compact JSON with a trailing newline. Sorted keys come from the response structs, whose
//! fields are declared in alphabetical order.

use actix_web::HttpResponse;
use serde::Serialize;

use crate::error::ApiError;
use ents_domain::DomainError;

pub(crate) fn jsonify(value: &impl Serialize) -> Result<HttpResponse, ApiError> {
    let mut body =
        serde_json::to_vec(value).map_err(|e| ApiError::from(DomainError::internal(e)))?;
    body.push(b'\n');
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}
