//! Local accounts: e-mail + password, for deployments without Google and for development
//! (docs/compatibility.md#login-and-tokens). Same session flow as Google once signed in.

use std::sync::Arc;

use async_trait::async_trait;

use super::messages::INVALID_LOGIN;
use crate::users::{Email, NewUser, User, UserId, UserRepository};
use crate::{ConflictKind, DomainError};

/// A password as typed. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Shortest password accepted for a new account.
    pub const MIN_LEN: usize = 8;
    /// Longest password accepted at all: a bound on the work one request can cause.
    pub const MAX_LEN: usize = 1024;

    /// A password for a new account or a password change.
    /// Errors: `Invalid` naming `password` when it is too short or too long.
    pub fn new(raw: String) -> Result<Self, DomainError> {
        let len = raw.chars().count();
        if len < Self::MIN_LEN {
            return Err(DomainError::invalid_field(
                "password",
                format!("at least {} characters", Self::MIN_LEN),
            ));
        }
        if raw.len() > Self::MAX_LEN {
            return Err(DomainError::invalid_field(
                "password",
                format!("at most {} bytes", Self::MAX_LEN),
            ));
        }
        Ok(Self(raw))
    }

    /// A password presented at sign-in: not checked against the rules for new passwords
    /// (they may have changed since), only cut off at [`Password::MAX_LEN`].
    pub fn presented(raw: String) -> Self {
        let mut raw = raw;
        if raw.len() > Self::MAX_LEN {
            let mut end = Self::MAX_LEN;
            while !raw.is_char_boundary(end) {
                end -= 1;
            }
            raw.truncate(end);
        }
        Self(raw)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Password hashing (Argon2id in production). Hashing is slow on purpose: implementations
/// run it off the async runtime.
#[async_trait]
pub trait PasswordHasher: Send + Sync + 'static {
    /// A PHC string for `password`. Errors: `Internal` if hashing fails.
    async fn hash(&self, password: &Password) -> Result<String, DomainError>;

    /// Whether `password` matches `hash`. With `hash = None` (unknown user, or no local
    /// password) it does the same work against a dummy hash and returns `false`, so that a
    /// failed sign-in takes the same time whether or not the account exists. A malformed
    /// stored hash is `false`, not an error. Errors: `Internal` if the worker thread fails.
    async fn verify(&self, password: &Password, hash: Option<&str>) -> Result<bool, DomainError>;
}

/// Registering, signing in and setting passwords.
#[derive(Clone)]
pub struct LocalAccounts {
    users: Arc<dyn UserRepository>,
    hasher: Arc<dyn PasswordHasher>,
}

impl LocalAccounts {
    pub fn new(users: Arc<dyn UserRepository>, hasher: Arc<dyn PasswordHasher>) -> Self {
        Self { users, hasher }
    }

    /// Creates an account with a password.
    /// Errors: `Invalid` for a bad e-mail address, password or name;
    /// `Conflict(Duplicate, "User already exists")` when the address is taken.
    pub async fn register(
        &self,
        email: &str,
        password: Password,
        first_name: Option<String>,
        last_name: Option<String>,
    ) -> Result<User, DomainError> {
        let email = Email::parse(email, "email")?;
        crate::users::ProfileUpdate {
            first_name: first_name.clone(),
            last_name: last_name.clone(),
        }
        .validate()?;
        let hash = self.hasher.hash(&password).await?;
        let user = self
            .users
            .create(NewUser {
                email: email.into_string(),
                first_name,
                last_name,
                google_sub: None,
                password_hash: Some(hash),
            })
            .await
            .map_err(|e| e.refine_conflict(ConflictKind::Duplicate, "User already exists"))?;
        tracing::info!(user.id = %user.id, "local account registered");
        Ok(user)
    }

    /// Checks an e-mail address and password.
    /// Errors: `Unauthenticated(INVALID_LOGIN)` for an unknown address, an account without
    /// a password or a wrong password — indistinguishable, also in time.
    pub async fn login(&self, email: &str, password: Password) -> Result<User, DomainError> {
        let found = match Email::parse(email, "email") {
            Ok(email) => self.users.credentials_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let (user, hash) = match found {
            Some((user, hash)) => (Some(user), hash),
            None => (None, None),
        };
        let matches = self.hasher.verify(&password, hash.as_deref()).await?;
        match user {
            Some(user) if matches => Ok(user),
            _ => Err(DomainError::Unauthenticated(INVALID_LOGIN.to_owned())),
        }
    }

    /// Sets a user's password (the CLI; an account page later).
    /// Errors: `NotFound` for an unknown user.
    pub async fn set_password(&self, user: UserId, password: Password) -> Result<(), DomainError> {
        let hash = self.hasher.hash(&password).await?;
        self.users.set_password_hash(user, &hash).await
    }
}
