//! API keys.

use std::sync::Arc;

use super::fakes::*;
use crate::auth::*;
use crate::users::UserId;
use crate::{ConflictKind, DomainError};

#[derive(Default)]
struct FakeKeys {
    rows: std::sync::Mutex<Vec<(ApiKey, Digest, bool)>>,
}

#[async_trait::async_trait]
impl ApiKeyRepository for FakeKeys {
    async fn create(&self, new: NewApiKey) -> Result<ApiKey, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        if rows
            .iter()
            .any(|(k, _, revoked)| !revoked && k.user_id == new.user_id && k.name == new.name)
        {
            return Err(DomainError::conflict(ConflictKind::Duplicate, "name"));
        }
        let key = ApiKey {
            id: ApiKeyId(uuid::Uuid::new_v4()),
            user_id: new.user_id,
            name: new.name,
            scope: new.scope,
            hint: new.hint,
            created_at: chrono::Utc::now(),
            last_used_at: None,
        };
        rows.push((key.clone(), new.digest, false));
        Ok(key)
    }
    async fn list(&self, user: UserId) -> Result<Vec<ApiKey>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .iter()
            .filter(|(k, _, revoked)| !revoked && k.user_id == user)
            .map(|(k, _, _)| k.clone())
            .collect())
    }
    async fn find_by_name(&self, user: UserId, name: &str) -> Result<Option<ApiKey>, DomainError> {
        Ok(self.list(user).await?.into_iter().find(|k| k.name == name))
    }
    async fn revoke(
        &self,
        user: UserId,
        id: ApiKeyId,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let row = rows
            .iter_mut()
            .find(|(k, _, revoked)| !revoked && k.id == id && k.user_id == user)
            .ok_or_else(|| DomainError::NotFound("API key not found".into()))?;
        row.2 = true;
        Ok(())
    }
    async fn revoke_by_name(
        &self,
        user: UserId,
        name: &str,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, DomainError> {
        let mut n = 0;
        for row in self.rows.lock().unwrap().iter_mut() {
            if !row.2 && row.0.user_id == user && row.0.name == name {
                row.2 = true;
                n += 1;
            }
        }
        Ok(n)
    }
    async fn authenticate(
        &self,
        digest: &Digest,
        _: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<KeyOwner>, DomainError> {
        Ok(self
            .rows
            .lock()
            .unwrap()
            .iter()
            .find(|(_, d, revoked)| !revoked && d == digest)
            .map(|(k, _, _)| KeyOwner {
                key_id: k.id,
                user_id: k.user_id,
                scope: k.scope,
            }))
    }
}

fn service() -> ApiKeyService {
    ApiKeyService::new(
        Arc::new(FakeKeys::default()),
        Arc::new(FakeSecrets::default()),
        Arc::new(FakeClock::new()),
    )
}

#[tokio::test]
async fn the_default_key_follows_upstreams_single_key_contract() {
    let keys = service();
    let user = UserId::new();
    assert_eq!(keys.default_key_hint(user).await.unwrap(), None);
    let created = keys.create_default_key(user).await.unwrap();
    assert!(created.secret.starts_with("ents_"));
    let hint = keys.default_key_hint(user).await.unwrap().unwrap();
    assert!(!hint.contains(&created.secret));
    let err = keys.create_default_key(user).await.unwrap_err();
    assert!(matches!(err, DomainError::Conflict { message: m, .. } if m == API_KEY_EXISTS));
    let owner = keys.authenticate(&created.secret).await.unwrap().unwrap();
    assert_eq!((owner.user_id, owner.scope), (user, ApiKeyScope::Full));
    keys.delete_default_key(user).await.unwrap();
    keys.delete_default_key(user).await.unwrap();
    assert_eq!(keys.authenticate(&created.secret).await.unwrap(), None);
    keys.create_default_key(user).await.unwrap();
}

#[tokio::test]
async fn named_keys_have_scopes_and_can_be_revoked_by_their_owner_only() {
    let keys = service();
    let (alice, bob) = (UserId::new(), UserId::new());
    let node = keys
        .create(alice, "node 7", ApiKeyScope::Ingest)
        .await
        .unwrap();
    keys.create(alice, "laptop", ApiKeyScope::Full)
        .await
        .unwrap();
    assert!(matches!(
        keys.create(alice, "node 7", ApiKeyScope::Full).await,
        Err(DomainError::Conflict { .. })
    ));
    assert!(matches!(
        keys.create(alice, "  ", ApiKeyScope::Full).await,
        Err(DomainError::Invalid(_))
    ));
    assert_eq!(keys.list(alice).await.unwrap().len(), 2);
    assert!(keys.list(bob).await.unwrap().is_empty());
    assert!(matches!(
        keys.revoke(bob, node.key.id).await,
        Err(DomainError::NotFound(_))
    ));
    let owner = keys.authenticate(&node.secret).await.unwrap().unwrap();
    assert_eq!(owner.scope, ApiKeyScope::Ingest);
    keys.revoke(alice, node.key.id).await.unwrap();
    assert_eq!(keys.authenticate(&node.secret).await.unwrap(), None);
}

#[tokio::test]
async fn absurd_presented_keys_are_not_looked_up() {
    let keys = service();
    assert_eq!(keys.authenticate("").await.unwrap(), None);
    assert_eq!(keys.authenticate(&"x".repeat(500)).await.unwrap(), None);
}
