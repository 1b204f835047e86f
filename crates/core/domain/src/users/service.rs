use std::sync::Arc;

use super::model::{ProfileUpdate, User, UserId};
use super::ports::UserRepository;
use crate::DomainError;

/// Reading and editing one's own profile (`GET`/`PUT /api/user`).
#[derive(Clone)]
pub struct UserService {
    repo: Arc<dyn UserRepository>,
}

impl UserService {
    pub fn new(repo: Arc<dyn UserRepository>) -> Self {
        Self { repo }
    }

    /// The caller's own profile. Errors: `NotFound("User not found")` when the account was
    /// deleted while a token for it is still valid (upstream answers 404 too).
    pub async fn profile(&self, id: UserId) -> Result<User, DomainError> {
        self.repo.get(id).await
    }

    /// Changes the caller's names. Errors: `Invalid` for overlong names; `NotFound`.
    pub async fn update_profile(
        &self,
        id: UserId,
        update: ProfileUpdate,
    ) -> Result<User, DomainError> {
        update.validate()?;
        self.repo.update_profile(id, update).await
    }

    /// The underlying repository, for the other identity use cases.
    pub fn repository(&self) -> Arc<dyn UserRepository> {
        self.repo.clone()
    }
}
