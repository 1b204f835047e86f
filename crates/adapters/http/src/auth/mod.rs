//! Who is calling: the extractors that turn credentials into one typed
//! [`Caller`](ents_domain::auth::Caller), and what they need (the identity use cases, the
//! brute-force limiter (`ents_domain::auth::FailureLimiter`), the CSRF origin guard, the cookies).
//!
//! Handlers take one of:
//! - [`Authenticated`]: a caller is required (bearer token, `X-API-Key`, or the browser's
//!   refresh cookie from an allowed origin); none → 401 `{"msg": "No token or API key
//!   provided"}`;
//! - [`MaybeCaller`]: anonymous is fine (public reads), but presented credentials must be
//!   valid — the frontend's refresh-and-retry depends on the 401/403;
//! - [`TokenCaller`]: a bearer access token only (key management, upstream's `/api/apikey/`).
//!
//! Then they ask the domain policy (`ents_domain::access::authorize`) with the facts of the
//! resource; the policy, not the handler, decides.

mod client_ip;
pub(crate) mod cookies;
mod extract;
mod origin;

use std::sync::Arc;

use ents_domain::auth::{
    ApiKeyService, FailureLimiter, GoogleLogin, LocalAccounts, SessionService,
};
use ents_domain::users::UserService;

pub use client_ip::TrustedProxies;
pub(crate) use client_ip::client_ip;
pub(crate) use extract::{Accept, identity as identity_of, resolve};
pub use extract::{Authenticated, MaybeCaller, TokenCaller};

/// Settings of the identity layer.
#[derive(Debug, Clone, Default)]
pub struct IdentitySettings {
    /// Origins whose requests may be identified by the refresh cookie (the CORS list).
    /// Same-origin requests always may.
    pub allowed_origins: Vec<String>,
    /// Peers whose `X-Forwarded-For` is believed.
    pub trusted_proxies: TrustedProxies,
    /// `POST /api/auth/register` is open.
    pub allow_registration: bool,
}

/// The identity use cases and their HTTP-side companions, built once by the composition
/// root.
pub struct Identity {
    pub sessions: SessionService,
    pub users: UserService,
    pub accounts: LocalAccounts,
    pub google: GoogleLogin,
    pub api_keys: ApiKeyService,
    pub(crate) settings: IdentitySettings,
    pub(crate) limiter: FailureLimiter,
}

/// The use cases an [`Identity`] is made of.
pub struct IdentityServices {
    pub sessions: SessionService,
    pub users: UserService,
    pub accounts: LocalAccounts,
    pub google: GoogleLogin,
    pub api_keys: ApiKeyService,
    /// Brute-force budgets, counted where every instance sees them.
    pub failures: FailureLimiter,
}

impl Identity {
    pub fn new(services: IdentityServices, settings: IdentitySettings) -> Arc<Self> {
        Arc::new(Self {
            sessions: services.sessions,
            users: services.users,
            accounts: services.accounts,
            google: services.google,
            api_keys: services.api_keys,
            limiter: services.failures,
            settings,
        })
    }

    /// The brute-force limiter (for the composition root's housekeeping).
    pub fn failures_limiter(&self) -> FailureLimiter {
        self.limiter.clone()
    }
}
