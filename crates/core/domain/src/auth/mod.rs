//! Who is calling, and how they prove it: access and refresh tokens (with rotation and token
//! families), local passwords, Google sign-in and API keys (docs/compatibility.md, "Login and
//! tokens" and "API keys").
//!
//! The cryptography lives behind ports ([`TokenIssuer`], [`TokenVerifier`],
//! [`PasswordHasher`], [`SecretHasher`], [`GoogleIdentityProvider`]) implemented by the
//! `ents-auth` crate; the storage behind [`RefreshTokenRepository`], [`ApiKeyRepository`] and
//! [`FailureStore`] (PostgreSQL). The rules — when a token rotates, when reuse revokes a family, which key a
//! caller may use for what — are here, where they can be tested without I/O.

mod api_keys;
mod caller;
mod clock;
mod failures;
mod google;
mod messages;
mod passwords;
mod secrets;
mod sessions;
mod tokens;

#[cfg(test)]
mod tests;

pub use api_keys::{
    ApiKey, ApiKeyId, ApiKeyRepository, ApiKeyScope, ApiKeyService, CreatedApiKey, KeyOwner,
    NewApiKey,
};
pub use caller::{Caller, Credential};
pub use clock::{Clock, ManualClock, SystemClock};
pub use failures::{
    FailureKind, FailureLimiter, FailureLimits, FailureStore, FailureWindow, Limit,
};
pub use google::{AuthorizationRequest, GoogleIdentity, GoogleIdentityProvider, GoogleLogin};
pub use messages::*;
pub use passwords::{LocalAccounts, Password, PasswordHasher};
pub use secrets::{Digest, MintedApiKey, SecretHasher};
pub use sessions::{
    FamilyId, NewRefreshToken, RefreshTokenId, RefreshTokenRecord, RefreshTokenRepository, Session,
    SessionService, SessionSettings,
};
pub use tokens::{SignedToken, TokenIssuer, TokenRejection, TokenVerifier};
