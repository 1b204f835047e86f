//! The one error type of the domain.
//!
//! Rule (as in crates.io): a *typed* variant for anything a caller can act on (not found,
//! conflict, invalid input, not allowed, temporarily unavailable); `Internal` for everything
//! unexpected. `Internal` carries its cause for the logs only: the HTTP adapter logs it with
//! the request id and never returns it. `anyhow` is reserved for the binaries.
//!
//! The domain and its stores say *what happened*, never how a protocol answers it: no
//! variant or kind here stands for a status code. A collision with stored state is a
//! [`DomainError::Conflict`] whose [`ConflictKind`] names what collided (a taken name, an
//! existing link, the owner rule…), and the HTTP adapter alone decides the status of each
//! kind (where upstream answered 400 rather than 409, that choice is made there too).
//! `BadRequest` is only for input the use case itself finds malformed (a required field
//! missing or empty), never for a collision.

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
    /// The request collides with what is stored; `kind` says with what. The message is
    /// shown to the client.
    #[error("{message}")]
    Conflict { kind: ConflictKind, message: String },
    /// The input is malformed in a way one message describes (a required field missing or
    /// empty, an undecodable payload).
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

/// What a [`DomainError::Conflict`] collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConflictKind {
    /// A cell, tag or logger already has this name.
    DuplicateName,
    /// The link already exists: the user is a member of the cell, the tag is on it.
    AlreadyLinked,
    /// The cell's owner cannot be removed from its members.
    OwnerStays,
    /// Any other unique value is taken (an account's e-mail address, an API key or its
    /// name, a token). A store that cannot tell which value says this.
    Duplicate,
    /// The record's current state does not allow the change (a job that is not running, an
    /// export that has not finished).
    State,
}

impl DomainError {
    /// A [`DomainError::Conflict`].
    pub fn conflict(kind: ConflictKind, message: impl Into<String>) -> Self {
        Self::Conflict {
            kind,
            message: message.into(),
        }
    }

    /// A conflict, refined by a caller that knows what collided (a unique violation on a
    /// table whose only unique column is the name, say): `kind` and `message` replace the
    /// store's generic ones. Any other error is returned as it is.
    pub fn refine_conflict(self, kind: ConflictKind, message: &str) -> Self {
        match self {
            Self::Conflict { .. } => Self::conflict(kind, message),
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
