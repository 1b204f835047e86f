//! Errors of building the adapters (start-up). Port methods return `DomainError`.

/// A problem with the configuration of an adapter, reported once at start-up.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A signing key could not be built.
    #[error("invalid {name}: {reason}")]
    InvalidKey { name: &'static str, reason: String },
    /// The system's random source failed.
    #[error("no randomness available: {0}")]
    Random(String),
    /// The HTTP client for Google could not be built.
    #[error("cannot build the HTTP client: {0}")]
    HttpClient(String),
    /// A configured URL is not a URL.
    #[error("invalid URL for {name}: {reason}")]
    InvalidUrl { name: &'static str, reason: String },
}
