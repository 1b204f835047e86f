//! Optional device authentication (docs/compatibility.md#ingestion): deployed firmware sends no
//! credentials, so both checks default to off.

use std::collections::BTreeSet;
use std::fmt;
use std::num::NonZeroU32;

use async_trait::async_trait;

use crate::DomainError;

/// An `X-API-Key` value as presented. Never printed: `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKeySecret(String);

impl ApiKeySecret {
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(***)")
    }
}

/// What a device sent to identify itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceCredentials {
    /// The `X-API-Key` header, when present and not empty.
    pub api_key: Option<ApiKeySecret>,
}

impl DeviceCredentials {
    pub fn anonymous() -> Self {
        Self::default()
    }

    pub fn with_api_key(secret: impl Into<String>) -> Self {
        Self {
            api_key: Some(ApiKeySecret::new(secret)),
        }
    }
}

/// Checks an API key presented with an upload. Implemented with the identity feature's key
/// store and the cell access policy (docs/compatibility.md#authorization).
#[async_trait]
pub trait DeviceAuthorizer: Send + Sync + 'static {
    /// Succeeds when `key` is a valid key (any scope that allows uploads) whose owner may write
    /// to every cell in `cells` (owner or member). `cells` may be empty (a legacy JSON upload
    /// that creates its cell): then only the key is checked.
    ///
    /// Errors: `Unauthenticated` when no valid key matches; `Forbidden` when the owner may not
    /// write to one of the cells (a cell that does not exist is not refused here: the store
    /// reports it); `Unavailable` / `Internal` when the check itself fails.
    async fn authorize(
        &self,
        key: &ApiKeySecret,
        cells: &BTreeSet<NonZeroU32>,
    ) -> Result<(), DomainError>;
}
