use ents_domain::DomainError;
use reqwest::StatusCode;

/// The sender could not be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("could not build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// A receiver's non-2xx answer, classified for the job's retry (the `WebhookSender`
/// contract): the receiver's trouble (5xx, 429 and 408) may pass, anything else will not.
pub(crate) fn status_error(host: &str, status: StatusCode) -> DomainError {
    let message = format!("the webhook receiver at {host} answered {status}");
    if status.is_server_error()
        || status == StatusCode::TOO_MANY_REQUESTS
        || status == StatusCode::REQUEST_TIMEOUT
    {
        DomainError::Unavailable(message)
    } else {
        DomainError::BadRequest(message)
    }
}

/// A request that got no answer. reqwest's own message would carry the whole URL, whose
/// path may hold the receiver's secret: only the host is named.
pub(crate) fn transport_error(host: &str, error: &reqwest::Error) -> DomainError {
    if error.is_builder() {
        return DomainError::BadRequest(format!(
            "the webhook request to {host} cannot be built (a header value is not valid)"
        ));
    }
    let what = if error.is_timeout() {
        "did not answer in time"
    } else if error.is_connect() {
        "could not be reached"
    } else {
        "failed during the request"
    };
    DomainError::Unavailable(format!("the webhook receiver at {host} {what}"))
}
