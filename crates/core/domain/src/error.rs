//! The one error type of the domain.
//!
//! Rule (as in crates.io): a *typed* variant for anything a caller can act on (not found,
//! conflict, invalid input, not allowed, temporarily unavailable); `Internal` for everything
//! unexpected. `Internal` carries its cause for the logs only: the HTTP adapter logs it with
//! the request id and never returns it. `anyhow` is reserved for the binaries.

use std::collections::BTreeMap;

/// Field name → human-readable problems with that field.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// A boxed cause kept for logging.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The thing asked for does not exist. The message is shown to the client
    /// (upstream wording, e.g. "Cell not found").
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the current state (duplicate name, already a member…).
    #[error("{0}")]
    Conflict(String),
    /// The request is malformed in a way described by one message (upstream-style 400).
    #[error("{0}")]
    BadRequest(String),
    /// Validation failed; every bad field is named.
    #[error("invalid input")]
    Invalid(FieldErrors),
    /// No usable credentials.
    #[error("{0}")]
    Unauthenticated(String),
    /// Credentials are fine but the caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// A dependency (database, broker) is down or saturated; retrying later may work.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// Anything unexpected. The cause is for logs only.
    #[error("internal error: {0}")]
    Internal(#[source] Cause),
}

impl DomainError {
    /// Upstream answers 400, not 409, for duplicates in the registry (names, memberships):
    /// the registry use cases turn the stores' `Conflict` into that.
    pub fn conflict_as_bad_request(self) -> Self {
        match self {
            Self::Conflict(message) => Self::BadRequest(message),
            other => other,
        }
    }

    /// Wraps an unexpected failure.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        Self::Internal(cause.into())
    }

    /// A single-field validation failure.
    pub fn invalid_field(field: impl Into<String>, problem: impl Into<String>) -> Self {
        let mut fields = FieldErrors::new();
        fields.insert(field.into(), vec![problem.into()]);
        Self::Invalid(fields)
    }
}
