//! `POST /api/equations/validate` (docs/compatibility.md#reading-data).

use actix_web::{HttpRequest, HttpResponse, post, web};
use ents_domain::equations::validate;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::input_guard::JsonLimit;

/// The request body, for the OpenAPI document: `cell_ids` is optional.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub(crate) struct EquationRequest {
    /// E.g. `1:vwc / 1:temp`; numbers are accepted too.
    expression: String,
    /// When given, every reference must use one of these cells.
    cell_ids: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EquationOk {
    /// Always `true`.
    ok: bool,
    /// Distinct references as written, sorted as strings.
    refs: Vec<String>,
    /// The trimmed expression.
    expression: String,
}

const CELL_IDS: &str = "cell_ids must be an array of integers";

/// Python's `int()` on a JSON value: integers, floats (truncated), booleans, and strings of
/// an integer.
fn python_int(value: &Value) -> Option<i64> {
    match value {
        Value::Bool(b) => Some(i64::from(*b)),
        #[allow(clippy::cast_possible_truncation)]
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite())
                .map(|f| f.trunc() as i64)
        }),
        Value::String(s) => s.trim().replace('_', "").parse().ok(),
        _ => None,
    }
}

/// Python's `str()` of the expression value, as far as it matters: strings as they are,
/// numbers in their JSON form, `null`/absent as empty.
fn expression_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "True".into(),
        Some(Value::Bool(false)) => "False".into(),
        Some(other) => other.to_string(),
    }
}

/// Checks a dashboard equation without evaluating it.
#[utoipa::path(
    tag = "data",
    request_body = EquationRequest,
    responses(
        (status = 200, body = EquationOk),
        (status = 400, description = "`{\"error\": \"<why>\"}`, e.g. `Expression is required`"),
        (status = 413, description = "Body larger than `http.json_limit_bytes`"),
    )
)]
#[post("/equations/validate")]
pub(crate) async fn validate_equation(
    req: HttpRequest,
    body: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Lenient like upstream: any content type; a body that is not a JSON object counts as {}.
    // Whatever its content type, it is a JSON body: the JSON limit applies.
    let limit = req
        .app_data::<web::Data<JsonLimit>>()
        .map_or(usize::MAX, |limit| limit.0);
    let body = match body.to_bytes_limited(limit).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(error)) => {
            return Err(ApiError::bad_request(format!(
                "Could not read the body: {error}"
            )));
        }
        Err(_) => return Err(ApiError::PayloadTooLarge),
    };
    let payload: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let object = payload.as_object();
    let cells: Option<Vec<i64>> = match object.and_then(|o| o.get("cell_ids")) {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(python_int)
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| ApiError::error_key(CELL_IDS))?,
        ),
        Some(_) => return Err(ApiError::error_key(CELL_IDS)),
    };
    let expression = expression_text(object.and_then(|o| o.get("expression")));
    match validate(&expression, cells.as_deref()) {
        Ok(valid) => Ok(HttpResponse::Ok().json(EquationOk {
            ok: true,
            refs: valid.refs,
            expression: valid.expression,
        })),
        Err(e) => Err(ApiError::error_key(e.0)),
    }
}
