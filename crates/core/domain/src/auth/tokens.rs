use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::users::UserId;

/// A signed token and the instant it stops being valid.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// Never prints the token itself.
impl std::fmt::Debug for SignedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// Why a presented token was refused. The HTTP adapter turns these into upstream's answers
/// (docs/compatibility.md#login-and-tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    /// Signed correctly, but `exp` has passed (401 "Token expired").
    #[error("token expired")]
    Expired,
    /// Malformed, wrong signature, wrong or missing algorithm, no `exp` (403 "Invalid token").
    #[error("invalid token")]
    Invalid,
    /// Signed correctly, but `uid` is missing or not a UUID (403 "Authentication failed").
    #[error("token names no user")]
    BadSubject,
}

/// Mints tokens.
pub trait TokenIssuer: Send + Sync + 'static {
    /// An access token for `user`, valid from `now` for the configured lifetime.
    /// Errors: `Internal` if signing fails.
    fn access_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError>;

    /// A refresh token for `user`. Every call yields a distinct token (it carries a random
    /// id), so two refreshes within the same second never collide.
    /// Errors: `Internal` if signing fails.
    fn refresh_token(&self, user: UserId, now: DateTime<Utc>) -> Result<SignedToken, DomainError>;
}

/// Checks tokens. Pure and fast (no I/O): the caller looks up what must be looked up.
pub trait TokenVerifier: Send + Sync + 'static {
    /// The user an access token was issued to.
    fn verify_access(&self, token: &str) -> Result<UserId, TokenRejection>;

    /// The user a refresh token was issued to (signature and expiry only; whether it is
    /// still current is the refresh-token store's business).
    fn verify_refresh(&self, token: &str) -> Result<UserId, TokenRejection>;
}
