//! The one place where errors become HTTP responses.
//!
//! Bodies follow the upstream conventions the clients read: `{"message": …}` for resource errors,
//! `{"msg": …}` for authentication errors (docs/compatibility.md#http-and-errors). Validation
//! errors add `"errors": {field: [problems]}`. Internal causes are logged with the request's span
//! (which carries the request id) and never returned.
//!
//! The domain names what happened; the statuses are decided here alone. A conflict answers
//! 409, except the registry's (a taken cell, tag or logger name, an existing membership or
//! tag link, the owner rule), which answer 400 as upstream did (docs/compatibility.md#registry).

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use ents_domain::{ConflictKind, DomainError};
use serde_json::json;

/// A handler's error: a domain error, or a problem found by the HTTP layer itself.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The body is larger than the configured limit.
    #[error("payload too large")]
    PayloadTooLarge,
    /// The request's `Content-Type` is not one the route accepts.
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("route not found")]
    RouteNotFound,
    /// A known path asked with a method it does not serve; `allow` lists those it does.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    /// A 400 in the shape of upstream's data-availability, catalog and equation endpoints,
    /// `{"error": …}` (the dashboard reads `error.response.data.error`).
    #[error("{0}")]
    ErrorKey(String),
    /// The body did not arrive within `http.body_read_timeout_ms`.
    #[error("request body timed out")]
    RequestTimeout,
    /// Invalid fields answered with upstream's `"Invalid data"` message (its tag schemas),
    /// the `errors` object beside it.
    #[error("invalid data")]
    InvalidData(ents_domain::FieldErrors),
    /// The client failed too often (brute-force limit); it may retry after this long.
    #[error("too many failed attempts")]
    TooManyRequests { retry_after: std::time::Duration },
    /// An error of the SensorThings API: the domain's status, STA's body shape
    /// (`{"code", "type": "error", "message"}`, as FROST answers).
    #[error(transparent)]
    Sta(DomainError),
}

impl ApiError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::Domain(DomainError::BadRequest(message.into()))
    }

    /// See [`ApiError::ErrorKey`].
    pub fn error_key(message: impl Into<String>) -> Self {
        Self::ErrorKey(message.into())
    }

    /// The same error, with upstream's `"Invalid data"` message when it names invalid fields.
    pub fn as_invalid_data(self) -> Self {
        match self {
            Self::Domain(DomainError::Invalid(fields)) => Self::InvalidData(fields),
            other => other,
        }
    }

    pub fn too_many_requests(retry_after: std::time::Duration) -> Self {
        Self::TooManyRequests { retry_after }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::Domain(error) => domain_status(error),
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RouteNotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::ErrorKey(_) | Self::InvalidData(_) => StatusCode::BAD_REQUEST,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            Self::Sta(error) => domain_status(error),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let body = match self {
            Self::Domain(error) => match error {
                DomainError::NotFound(m)
                | DomainError::Conflict { message: m, .. }
                | DomainError::BadRequest(m) => {
                    json!({ "message": m })
                }
                DomainError::Invalid(fields) => {
                    json!({ "message": "Invalid input", "errors": fields })
                }
                DomainError::Unauthenticated(m) | DomainError::Forbidden(m) => json!({ "msg": m }),
                DomainError::Unavailable(cause) => {
                    tracing::warn!(%cause, "dependency unavailable");
                    json!({ "message": "Service temporarily unavailable, try again later" })
                }
                DomainError::Internal(cause) => {
                    tracing::error!(error = %cause, source = ?cause, "internal error");
                    json!({ "message": "Internal Server Error" })
                }
            },
            Self::PayloadTooLarge => json!({ "message": "Payload too large" }),
            Self::UnsupportedMediaType(m) => json!({ "message": m }),
            Self::RouteNotFound => json!({ "message": "Not Found" }),
            Self::MethodNotAllowed { .. } => json!({ "message": "Method Not Allowed" }),
            Self::ErrorKey(m) => json!({ "error": m }),
            Self::InvalidData(fields) => json!({ "message": "Invalid data", "errors": fields }),
            Self::TooManyRequests { .. } => {
                json!({ "msg": "Too many failed attempts, try again later" })
            }
            Self::RequestTimeout => json!({ "message": "Request body not received in time" }),
            Self::Sta(error) => json!({
                "code": self.status_code().as_u16(),
                "type": "error",
                "message": sta_message(error),
            }),
        };
        let mut response = HttpResponse::build(self.status_code());
        if matches!(
            self,
            Self::Domain(DomainError::Unavailable(_)) | Self::Sta(DomainError::Unavailable(_))
        ) {
            response.insert_header(("Retry-After", "5"));
        }
        if let Self::MethodNotAllowed { allow } = self {
            response.insert_header(("Allow", allow.as_str()));
        }
        if let Self::TooManyRequests { retry_after } = self {
            // Whole seconds, rounded up, at least 1 (RFC 9110 §10.2.3).
            let secs = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
            response.insert_header(("Retry-After", secs.max(1).to_string()));
        }
        if matches!(self, Self::RequestTimeout) {
            // The rest of the body may still be on its way: the connection cannot be reused.
            response.force_close();
        }
        response.json(body)
    }
}

fn domain_status(error: &DomainError) -> StatusCode {
    match error {
        DomainError::NotFound(_) => StatusCode::NOT_FOUND,
        DomainError::Conflict { kind, .. } => conflict_status(*kind),
        DomainError::BadRequest(_) | DomainError::Invalid(_) => StatusCode::BAD_REQUEST,
        DomainError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        DomainError::Forbidden(_) => StatusCode::FORBIDDEN,
        DomainError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        DomainError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message an STA error shows; internal causes are logged, never returned.
fn sta_message(error: &DomainError) -> String {
    match error {
        DomainError::Unavailable(cause) => {
            tracing::warn!(%cause, "dependency unavailable");
            "Service temporarily unavailable, try again later".into()
        }
        DomainError::Internal(cause) => {
            tracing::error!(error = %cause, source = ?cause, "internal error");
            "Internal Server Error".into()
        }
        DomainError::Invalid(fields) => format!("Invalid input: {fields:?}"),
        other => other.to_string(),
    }
}

/// The status of a conflict: see the module docs.
fn conflict_status(kind: ConflictKind) -> StatusCode {
    match kind {
        ConflictKind::DuplicateName | ConflictKind::AlreadyLinked | ConflictKind::OwnerStays => {
            StatusCode::BAD_REQUEST
        }
        ConflictKind::Duplicate | ConflictKind::State => StatusCode::CONFLICT,
    }
}

/// Maps actix's own extractor errors (bad JSON, bad query, oversized body) to our bodies.
pub(crate) fn from_json_error(error: actix_web::error::JsonPayloadError) -> ApiError {
    use actix_web::error::JsonPayloadError as E;
    match error {
        E::Overflow { .. } | E::OverflowKnownLength { .. } => ApiError::PayloadTooLarge,
        E::ContentType => ApiError::UnsupportedMediaType(
            "Expected a JSON body with Content-Type: application/json".into(),
        ),
        E::Deserialize(e) => ApiError::bad_request(format!("Invalid JSON body: {e}")),
        other => ApiError::bad_request(format!("Invalid JSON body: {other}")),
    }
}

pub(crate) fn from_query_error(error: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::bad_request(format!("Invalid query string: {error}"))
}

pub(crate) fn from_path_error(_: actix_web::error::PathError) -> ApiError {
    ApiError::RouteNotFound
}

#[cfg(test)]
mod tests {
    use actix_web::body::MessageBody;

    use super::*;

    fn answer(kind: ConflictKind) -> (StatusCode, serde_json::Value) {
        let error = ApiError::from(DomainError::conflict(kind, "taken"));
        let response = error.error_response();
        let status = response.status();
        let body = response.into_body().try_into_bytes().unwrap_or_default();
        (status, serde_json::from_slice(&body).unwrap_or_default())
    }

    #[test]
    fn registry_conflicts_answer_400_as_upstream_did_and_the_rest_409() {
        for kind in [
            ConflictKind::DuplicateName,
            ConflictKind::AlreadyLinked,
            ConflictKind::OwnerStays,
        ] {
            assert_eq!(
                answer(kind),
                (StatusCode::BAD_REQUEST, json!({ "message": "taken" })),
                "{kind:?}"
            );
        }
        for kind in [ConflictKind::Duplicate, ConflictKind::State] {
            assert_eq!(
                answer(kind),
                (StatusCode::CONFLICT, json!({ "message": "taken" })),
                "{kind:?}"
            );
        }
    }
}
