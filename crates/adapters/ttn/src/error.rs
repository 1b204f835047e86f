use ents_domain::loggers::RegistryError;

/// The client could not be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid TTN URL {url:?}: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("could not build the HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

/// Which server and step a failure happened at, for messages.
pub(crate) fn status_error(step: &str, status: reqwest::StatusCode) -> RegistryError {
    let message = format!("{step}: TTN answered {status}");
    if status.is_server_error()
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
    {
        RegistryError::Retryable(message)
    } else {
        RegistryError::Permanent(message)
    }
}

/// A transport failure (connect, timeout, body): worth retrying. The URL in reqwest's message
/// holds only the application and device ids, no secret.
pub(crate) fn transport_error(step: &str, error: &reqwest::Error) -> RegistryError {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    RegistryError::Retryable(format!("{step}: {kind}"))
}
