//! API keys: random, prefixed, stored only as digests, shown once (docs/compatibility.md#api-keys).
//! A user has any number of named keys (`/api/keys`); the one named [`ApiKeyService::DEFAULT_NAME`]
//! is the single key of upstream's `/api/apikey/` contract (legacy plaintext keys are migrated into
//! it).

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::clock::Clock;
use super::messages::API_KEY_EXISTS;
use super::secrets::{Digest, SecretHasher};
use crate::users::UserId;
use crate::{ConflictKind, DomainError};

/// Identifies a key (not secret).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ApiKeyId(pub Uuid);

/// What a key may be used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiKeyScope {
    /// Uploading measurements only (a field node's key).
    Ingest,
    /// Everything the owner may do, except managing keys.
    Full,
}

impl ApiKeyScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ingest => "ingest",
            Self::Full => "full",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ingest" => Some(Self::Ingest),
            "full" => Some(Self::Full),
            _ => None,
        }
    }
}

/// A key as listed: everything but the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub user_id: UserId,
    pub name: String,
    pub scope: ApiKeyScope,
    /// Prefix and last four characters.
    pub hint: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A key to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApiKey {
    pub user_id: UserId,
    pub name: String,
    pub scope: ApiKeyScope,
    pub digest: Digest,
    pub hint: String,
}

/// Whose key a presented secret is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyOwner {
    pub key_id: ApiKeyId,
    pub user_id: UserId,
    pub scope: ApiKeyScope,
}

/// A key just created, with its secret (returned once, never stored).
#[derive(Clone, PartialEq, Eq)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

impl std::fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("key", &self.key)
            .finish_non_exhaustive()
    }
}

/// Stored API keys. Revoked keys are kept (for audit) but never match.
///
/// Errors: `Unavailable` when the store cannot be reached in time; `Internal` otherwise,
/// unless a method says more.
#[async_trait]
pub trait ApiKeyRepository: Send + Sync + 'static {
    /// Stores a key. Errors: `Conflict(Duplicate)` when the user has an active key of that
    /// name (or, astronomically unlikely, the digest exists).
    async fn create(&self, new: NewApiKey) -> Result<ApiKey, DomainError>;

    /// The user's active keys, oldest first.
    async fn list(&self, user: UserId) -> Result<Vec<ApiKey>, DomainError>;

    /// The user's active key with this name.
    async fn find_by_name(&self, user: UserId, name: &str) -> Result<Option<ApiKey>, DomainError>;

    /// Revokes one of the user's active keys. Errors: `NotFound("API key not found")` when
    /// `id` is not an active key of `user` (another user's key is "not found" too).
    async fn revoke(
        &self,
        user: UserId,
        id: ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError>;

    /// Revokes the user's active key with this name, if any; returns how many (0 or 1).
    async fn revoke_by_name(
        &self,
        user: UserId,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, DomainError>;

    /// The owner of the active key stored under `digest`, recording `at` as its last use
    /// (at most about once a minute per key, to spare the database a write per request).
    async fn authenticate(
        &self,
        digest: &Digest,
        at: DateTime<Utc>,
    ) -> Result<Option<KeyOwner>, DomainError>;
}

/// Managing and checking API keys.
#[derive(Clone)]
pub struct ApiKeyService {
    repo: Arc<dyn ApiKeyRepository>,
    hasher: Arc<dyn SecretHasher>,
    clock: Arc<dyn Clock>,
}

impl ApiKeyService {
    /// The name of the key behind upstream's single-key `/api/apikey/`.
    pub const DEFAULT_NAME: &'static str = "default";
    /// Longest key name.
    pub const MAX_NAME_LEN: usize = 64;
    /// Longest presented secret looked up at all (ours are 69 characters, legacy ones 64).
    pub const MAX_SECRET_LEN: usize = 128;

    pub fn new(
        repo: Arc<dyn ApiKeyRepository>,
        hasher: Arc<dyn SecretHasher>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            repo,
            hasher,
            clock,
        }
    }

    /// The hint of the user's default key (`GET /api/apikey/`), `None` without one.
    pub async fn default_key_hint(&self, user: UserId) -> Result<Option<String>, DomainError> {
        Ok(self
            .repo
            .find_by_name(user, Self::DEFAULT_NAME)
            .await?
            .map(|k| k.hint))
    }

    /// Creates the default key (`POST /api/apikey/`). Errors: `Conflict(Duplicate,
    /// API_KEY_EXISTS)` when the user has one.
    pub async fn create_default_key(&self, user: UserId) -> Result<CreatedApiKey, DomainError> {
        self.create(user, Self::DEFAULT_NAME, ApiKeyScope::Full)
            .await
            .map_err(|e| e.refine_conflict(ConflictKind::Duplicate, API_KEY_EXISTS))
    }

    /// Revokes the default key, if any (`DELETE /api/apikey/`, idempotent).
    pub async fn delete_default_key(&self, user: UserId) -> Result<(), DomainError> {
        self.repo
            .revoke_by_name(user, Self::DEFAULT_NAME, self.clock.now())
            .await
            .map(|_| ())
    }

    /// Creates a named key. Errors: `Invalid` for an empty or overlong name;
    /// `Conflict(Duplicate, "An API key with this name exists")` when the name is in use.
    pub async fn create(
        &self,
        user: UserId,
        name: &str,
        scope: ApiKeyScope,
    ) -> Result<CreatedApiKey, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > Self::MAX_NAME_LEN {
            return Err(DomainError::invalid_field(
                "name",
                format!("1 to {} characters", Self::MAX_NAME_LEN),
            ));
        }
        let minted = self.hasher.mint_api_key()?;
        let key = self
            .repo
            .create(NewApiKey {
                user_id: user,
                name: name.to_owned(),
                scope,
                digest: minted.digest,
                hint: minted.hint,
            })
            .await
            .map_err(|e| {
                e.refine_conflict(ConflictKind::Duplicate, "An API key with this name exists")
            })?;
        tracing::info!(user.id = %user, key.id = %key.id.0, scope = scope.as_str(), "API key created");
        Ok(CreatedApiKey {
            key,
            secret: minted.secret,
        })
    }

    /// The user's active keys.
    pub async fn list(&self, user: UserId) -> Result<Vec<ApiKey>, DomainError> {
        self.repo.list(user).await
    }

    /// Revokes one of the user's keys. Errors: `NotFound("API key not found")`.
    pub async fn revoke(&self, user: UserId, id: ApiKeyId) -> Result<(), DomainError> {
        self.repo.revoke(user, id, self.clock.now()).await?;
        tracing::info!(user.id = %user, key.id = %id.0, "API key revoked");
        Ok(())
    }

    /// The owner of a presented key; `None` when it matches no active key.
    pub async fn authenticate(&self, presented: &str) -> Result<Option<KeyOwner>, DomainError> {
        let presented = presented.trim();
        if presented.is_empty() || presented.len() > Self::MAX_SECRET_LEN {
            return Ok(None);
        }
        let digest = self.hasher.digest(presented);
        self.repo.authenticate(&digest, self.clock.now()).await
    }
}
