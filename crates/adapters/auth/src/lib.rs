//! Credential adapters, implementing the domain's identity ports:
//! - [`JwtTokens`]: HS256 access and refresh tokens ([`TokenIssuer`], [`TokenVerifier`]);
//! - [`Argon2Hasher`]: Argon2id password hashing off the async runtime ([`PasswordHasher`]);
//! - [`Sha256Secrets`]: API-key generation and SHA-256 digests ([`SecretHasher`]);
//! - [`GoogleClient`]: Google OpenID Connect ([`GoogleIdentityProvider`]).
//!
//! One crypto provider for everything: aws-lc-rs (digests, HMAC, randomness), which jsonwebtoken
//! and rustls use already; a second provider (`ring`) would be compiled as well and make rustls
//! need an explicit default.
//!
//! [`TokenIssuer`]: ents_domain::auth::TokenIssuer
//! [`TokenVerifier`]: ents_domain::auth::TokenVerifier
//! [`PasswordHasher`]: ents_domain::auth::PasswordHasher
//! [`SecretHasher`]: ents_domain::auth::SecretHasher
//! [`GoogleIdentityProvider`]: ents_domain::auth::GoogleIdentityProvider

mod digest;
mod encoding;
mod error;
mod google;
mod jwt;
mod password;
mod random;
mod secret;

pub use digest::Sha256Secrets;
pub use error::AuthError;
pub use google::{GoogleClient, GoogleSettings};
pub use jwt::{JwtTokens, TokenSettings};
pub use password::Argon2Hasher;
pub use secret::SigningSecret;
