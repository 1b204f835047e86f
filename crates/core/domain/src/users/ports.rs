use async_trait::async_trait;

use super::model::{NewUser, ProfileUpdate, User, UserId};
use crate::DomainError;

/// Users (the upstream `"user"` table).
///
/// Errors: `Unavailable` when the store cannot be reached in time; `Internal` otherwise,
/// unless a method says more.
#[async_trait]
pub trait UserRepository: Send + Sync + 'static {
    /// Stores a new user with a fresh id. Errors: `Conflict` when the e-mail address or the
    /// Google account is already taken (nothing is written then).
    async fn create(&self, new: NewUser) -> Result<User, DomainError>;

    /// Errors: `NotFound("User not found")` for an unknown id.
    async fn get(&self, id: UserId) -> Result<User, DomainError>;

    /// The user with exactly this e-mail address.
    async fn find_by_email(&self, email: &str) -> Result<Option<User>, DomainError>;

    /// The user linked to this Google account.
    async fn find_by_google_sub(&self, sub: &str) -> Result<Option<User>, DomainError>;

    /// Links a Google account to an existing user. Errors: `NotFound` for an unknown id;
    /// `Conflict` when another user already has that account.
    async fn link_google_sub(&self, id: UserId, sub: &str) -> Result<(), DomainError>;

    /// Applies the names that are `Some`. Errors: `NotFound` for an unknown id.
    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> Result<User, DomainError>;

    /// The user with this e-mail address and its password hash (`None` when it has no local
    /// password, e.g. a Google-only account).
    async fn credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, DomainError>;

    /// Sets (or replaces) the password hash. Errors: `NotFound` for an unknown id.
    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), DomainError>;
}
