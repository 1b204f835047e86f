//! One rule at the edge for every route's input, before any handler sees it:
//!
//! - a NUL character in any text (a JSON string or key, a query parameter, the path) is a 400
//!   naming the field: PostgreSQL cannot store it in `text` and would answer 500
//!   (docs/compatibility.md#http-and-errors);
//! - a JSON body (`application/json`, `*/*+json`) larger than `http.json_limit_bytes` is a
//!   413, whichever extractor the route uses.
//!
//! Only JSON bodies are buffered here (they are bounded by the JSON limit); a JSON body is
//! parsed a second time only when its bytes contain the escape `\u0000`.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, BytesMut, Data};
use actix_web::{HttpMessage, ResponseError};
use ents_domain::{DomainError, FieldErrors};
use futures_util::StreamExt;
use serde_json::Value;

use crate::error::ApiError;

/// The largest JSON body (`http.json_limit_bytes`), in the app's data.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonLimit(pub usize);

/// The largest raw body (`http.body_limit_bytes`), in the app's data, for the routes that
/// read their payload themselves.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLimit(pub usize);

const NUL_PROBLEM: &str = "must not contain a NUL character";

pub(crate) async fn guard_input(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if let Err(error) = check_request(&mut req).await {
        let response = error.error_response();
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

async fn check_request(req: &mut ServiceRequest) -> Result<(), ApiError> {
    if let Some(field) = nul_in_query(req.query_string()) {
        return Err(nul_error(field));
    }
    if has_nul_escape(req.path()) {
        return Err(nul_error("path".to_owned()));
    }
    if !is_json(req) {
        return Ok(());
    }
    let limit = req
        .app_data::<Data<JsonLimit>>()
        .map_or(usize::MAX, |limit| limit.0);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit as u64) {
        return Err(ApiError::PayloadTooLarge);
    }
    let body = read_limited(req.take_payload(), limit).await?;
    let found = if memchr_nul_escape(&body) {
        serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|json| nul_in_json(&json, &mut String::new()))
    } else {
        None
    };
    req.set_payload(Payload::from(body));
    match found {
        Some(field) => Err(nul_error(field)),
        None => Ok(()),
    }
}

fn nul_error(field: String) -> ApiError {
    let mut errors = FieldErrors::new();
    errors.insert(field, vec![NUL_PROBLEM.to_owned()]);
    ApiError::Domain(DomainError::Invalid(errors))
}

/// `application/json`, or any `…/…+json`, ignoring parameters and letter case.
fn is_json(req: &ServiceRequest) -> bool {
    let essence = req.content_type().trim().to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// The body, at most `limit` bytes. Errors: 413 past the limit; 400 when the client's body
/// cannot be read.
async fn read_limited(mut payload: Payload, limit: usize) -> Result<Bytes, ApiError> {
    let mut body = BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|error| ApiError::bad_request(format!("Could not read the body: {error}")))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// `%00` in a percent-encoded text.
fn has_nul_escape(raw: &str) -> bool {
    raw.contains("%00")
}

/// The first query parameter whose name or value holds a NUL (`%00`), named as sent.
fn nul_in_query(query: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        has_nul_escape(pair).then(|| {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            name.replace("%00", "\\u0000")
        })
    })
}

/// Whether the raw JSON holds the escape `\u0000` (a NUL cannot appear raw in a JSON
/// string). A false positive (`\\u0000`, an escaped backslash) only costs a parse.
fn memchr_nul_escape(body: &[u8]) -> bool {
    body.windows(6).any(|w| w == b"\\u0000")
}

/// The path (`name`, `data.notes`, `tag_ids[2]`) of the first string or key holding a NUL.
fn nul_in_json(value: &Value, path: &mut String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(field_name(path)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = nul_in_json(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(&key.replace('\0', "\\u0000"));
            let found = if key.contains('\0') {
                Some(field_name(path))
            } else {
                nul_in_json(item, path)
            };
            path.truncate(len);
            found
        }),
        _ => None,
    }
}

fn field_name(path: &str) -> String {
    if path.is_empty() {
        "body".to_owned()
    } else {
        path.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    #[test]
    fn the_field_holding_a_nul_is_named() {
        let find = |v: Value| nul_in_json(&v, &mut String::new());
        assert_eq!(find(json!({"name": "a\u{0}b"})), Some("name".into()));
        assert_eq!(
            find(json!({"data": {"notes": ["ok", "x\u{0}"]}})),
            Some("data.notes[1]".into())
        );
        assert_eq!(find(json!({"k\u{0}": 1})), Some("k\\u0000".into()));
        assert_eq!(find(json!("\u{0}")), Some("body".into()));
        assert_eq!(find(json!({"name": "fine", "n": 0})), None);
    }

    #[test]
    fn query_parameters_holding_a_nul_are_named() {
        assert_eq!(nul_in_query("a=1&name=x%00y"), Some("name".into()));
        assert_eq!(nul_in_query("na%00me=1"), Some("na\\u0000me".into()));
        assert_eq!(nul_in_query("name=x%2500"), None);
        assert_eq!(nul_in_query(""), None);
    }

    #[test]
    fn only_the_escape_triggers_a_parse() {
        assert!(memchr_nul_escape(br#"{"a":"\u0000"}"#));
        assert!(!memchr_nul_escape(br#"{"a":"\u0001"}"#));
    }
}
