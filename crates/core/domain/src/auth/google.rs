//! Google sign-in, authorization-code flow (docs/compatibility.md#login-and-tokens): a random
//! `state` bound to the browser by a cookie, PKCE, and a verified ID token; users are matched by
//! Google `sub`, then by verified e-mail address.

use std::sync::Arc;

use async_trait::async_trait;

use super::messages::{GOOGLE_AUTHENTICATION_ERROR, INVALID_OAUTH_STATE};
use crate::users::{NewUser, User, UserRepository};
use crate::{ConflictKind, DomainError};

/// Where to send the browser, and the `state` to bind to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    pub url: String,
    pub state: String,
}

/// What a verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleIdentity {
    /// The stable account id.
    pub sub: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
}

/// The Google OpenID Connect provider.
#[async_trait]
pub trait GoogleIdentityProvider: Send + Sync + 'static {
    /// A new authorization request with a fresh random `state` (the PKCE verifier and the
    /// nonce are bound to it). Errors: `Unavailable` when Google sign-in is not configured.
    fn authorization_request(&self) -> Result<AuthorizationRequest, DomainError>;

    /// Exchanges `code` from the request identified by `state` and verifies the ID token
    /// (signature against Google's keys, issuer, audience, expiry, nonce).
    /// Errors: `Unauthenticated(GOOGLE_AUTHENTICATION_ERROR)` when Google refuses the code
    /// or the ID token does not verify; `Unavailable` when Google cannot be reached or
    /// sign-in is not configured.
    async fn identify(&self, code: &str, state: &str) -> Result<GoogleIdentity, DomainError>;
}

/// The two halves of the Google flow.
#[derive(Clone)]
pub struct GoogleLogin {
    provider: Arc<dyn GoogleIdentityProvider>,
    users: Arc<dyn UserRepository>,
}

impl GoogleLogin {
    pub fn new(provider: Arc<dyn GoogleIdentityProvider>, users: Arc<dyn UserRepository>) -> Self {
        Self { provider, users }
    }

    /// Starts a sign-in. Errors: those of the provider.
    pub fn begin(&self) -> Result<AuthorizationRequest, DomainError> {
        self.provider.authorization_request()
    }

    /// Finishes a sign-in: `state` from the callback's query must equal the one bound to the
    /// browser (`expected_state`, from its cookie). Returns the user, created on first
    /// sign-in. Errors: `Forbidden(INVALID_OAUTH_STATE)` for a missing or different state;
    /// `Unauthenticated(GOOGLE_AUTHENTICATION_ERROR)` when Google refuses or the ID token
    /// has no verified address for a new account; those of the provider.
    pub async fn complete(
        &self,
        code: &str,
        state: Option<&str>,
        expected_state: Option<&str>,
    ) -> Result<User, DomainError> {
        match (state, expected_state) {
            (Some(state), Some(expected)) if !state.is_empty() && state == expected => {}
            _ => return Err(DomainError::Forbidden(INVALID_OAUTH_STATE.to_owned())),
        }
        let identity = self
            .provider
            .identify(code, state.unwrap_or_default())
            .await?;
        self.find_or_create(identity).await
    }

    async fn find_or_create(&self, identity: GoogleIdentity) -> Result<User, DomainError> {
        // Two attempts: a parallel first sign-in of the same person may create the user
        // between our lookup and our insert (Conflict); the second lookup then finds it.
        for _ in 0..2 {
            if let Some(user) = self.users.find_by_google_sub(&identity.sub).await? {
                return Ok(user);
            }
            // An address is trusted for matching and for new accounts only when Google says
            // it is verified (upstream did not check, D-11).
            let email = match &identity.email {
                Some(email) if identity.email_verified && !email.is_empty() => email,
                _ => {
                    tracing::warn!("Google sign-in without a verified e-mail address");
                    return Err(DomainError::Unauthenticated(
                        GOOGLE_AUTHENTICATION_ERROR.to_owned(),
                    ));
                }
            };
            if let Some(user) = self.users.find_by_email(email).await? {
                if user.google_sub.is_some() {
                    // The address belongs to a user linked to another Google account.
                    return Err(DomainError::Unauthenticated(
                        GOOGLE_AUTHENTICATION_ERROR.to_owned(),
                    ));
                }
                match self.users.link_google_sub(user.id, &identity.sub).await {
                    Ok(()) => {
                        tracing::info!(user.id = %user.id, "Google account linked");
                        return Ok(User {
                            google_sub: Some(identity.sub.clone()),
                            ..user
                        });
                    }
                    Err(DomainError::Conflict { .. }) => continue,
                    Err(e) => return Err(e),
                }
            }
            let created = self
                .users
                .create(NewUser {
                    email: email.clone(),
                    // Upstream stored "" for missing names.
                    first_name: Some(identity.given_name.clone().unwrap_or_default()),
                    last_name: Some(identity.family_name.clone().unwrap_or_default()),
                    google_sub: Some(identity.sub.clone()),
                    password_hash: None,
                })
                .await;
            match created {
                Ok(user) => {
                    tracing::info!(user.id = %user.id, "user created by Google sign-in");
                    return Ok(user);
                }
                Err(DomainError::Conflict { .. }) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(DomainError::conflict(
            ConflictKind::Duplicate,
            "Could not sign in, please try again",
        ))
    }
}
