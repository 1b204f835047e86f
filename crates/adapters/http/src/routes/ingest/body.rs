//! Reading an upload: its media type, then its bytes within the size limit.

use actix_web::HttpRequest;
use actix_web::http::header;
use actix_web::web::{Bytes, Payload};

use crate::error::ApiError;

/// What a body claims to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Media {
    /// `application/octet-stream`: protobuf.
    Binary,
    /// `application/json`.
    Json,
}

/// The media type of `req`, compared case-insensitively and ignoring parameters
/// (`application/json; charset=utf-8` is JSON). Upstream compared the raw header with `==`
/// and crashed (500) on anything else; no device depends on that, and TTN or a proxy adding a
/// charset must not lose data. `accepted` lists what the route takes; anything else (or no
/// header) is 415 naming them.
pub(super) fn media(req: &HttpRequest, accepted: &[Media]) -> Result<Media, ApiError> {
    let raw = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = raw
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let found = match essence.as_str() {
        "application/octet-stream" => Some(Media::Binary),
        "application/json" => Some(Media::Json),
        _ => None,
    };
    match found {
        Some(m) if accepted.contains(&m) => Ok(m),
        _ => Err(ApiError::UnsupportedMediaType(format!(
            "Unsupported Content-Type '{raw}': expected {}",
            accepted
                .iter()
                .map(|m| match m {
                    Media::Binary => "application/octet-stream (protobuf)",
                    Media::Json => "application/json",
                })
                .collect::<Vec<_>>()
                .join(" or ")
        ))),
    }
}

/// The whole body, at most `limit` bytes: a declared `Content-Length` above it is refused
/// before reading; a chunked body is cut off as soon as it passes it.
pub(crate) async fn read(
    req: &HttpRequest,
    payload: Payload,
    limit: usize,
) -> Result<Bytes, ApiError> {
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    match payload.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(error)) => Err(ApiError::bad_request(format!(
            "Could not read the body: {error}"
        ))),
        Err(_) => Err(ApiError::PayloadTooLarge),
    }
}
