//! The device API-key check (docs/compatibility.md#ingestion) made of the identity feature's key
//! store and the cell access policy: the key must be valid, and its owner must own or be a member
//! of every cell the upload writes to.

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;

use async_trait::async_trait;

use super::auth::{ApiKeySecret, DeviceAuthorizer};
use crate::DomainError;
use crate::access::{AccessPolicy, Action, CellFactsSource, authorize};
use crate::auth::{ApiKeyService, Caller, Credential, INVALID_API_KEY};

/// [`DeviceAuthorizer`] on API keys and cell memberships.
pub struct KeyDeviceAuthorizer {
    keys: ApiKeyService,
    cells: Arc<dyn CellFactsSource>,
    policy: AccessPolicy,
}

impl KeyDeviceAuthorizer {
    pub fn new(keys: ApiKeyService, cells: Arc<dyn CellFactsSource>, policy: AccessPolicy) -> Self {
        Self {
            keys,
            cells,
            policy,
        }
    }
}

#[async_trait]
impl DeviceAuthorizer for KeyDeviceAuthorizer {
    async fn authorize(
        &self,
        key: &ApiKeySecret,
        cells: &BTreeSet<NonZeroU32>,
    ) -> Result<(), DomainError> {
        let owner = self
            .keys
            .authenticate(key.expose())
            .await?
            .ok_or_else(|| DomainError::Unauthenticated(INVALID_API_KEY.to_owned()))?;
        let caller = Caller::new(
            owner.user_id,
            Credential::ApiKey {
                key_id: owner.key_id,
                scope: owner.scope,
            },
        );
        for cell in cells {
            let Ok(id) = i32::try_from(cell.get()) else {
                continue; // no such cell: the store reports it
            };
            match self.cells.cell_facts(&[id]).await {
                Ok(facts) => {
                    for facts in &facts {
                        authorize(self.policy, Some(&caller), Action::Ingest, facts)?;
                    }
                }
                // An unknown cell is not refused here: the store answers for it.
                Err(DomainError::NotFound(_)) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(())
    }
}
