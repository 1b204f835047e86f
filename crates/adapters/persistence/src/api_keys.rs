//! API keys (digests only): the [`ApiKeyRepository`] port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::auth::{
    ApiKey, ApiKeyId, ApiKeyRepository, ApiKeyScope, Digest, KeyOwner, NewApiKey,
};
use ents_domain::users::UserId;
use uuid::Uuid;

use crate::pool::Db;
use crate::schema::api_keys;

/// [`ApiKeyRepository`] on `api_key`.
#[derive(Debug, Clone)]
pub struct PgApiKeyRepository {
    db: Db,
}

impl PgApiKeyRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(Pg))]
struct KeyRow {
    id: Uuid,
    user_id: Uuid,
    name: String,
    scope: String,
    hint: String,
    created_at: DateTime<Utc>,
    last_used_at: Option<DateTime<Utc>>,
}

fn scope(stored: &str) -> Result<ApiKeyScope, DomainError> {
    // ck_api_key_scope makes this unreachable short of manual edits.
    ApiKeyScope::parse(stored)
        .ok_or_else(|| DomainError::internal(format!("unknown API key scope '{stored}'")))
}

impl TryFrom<KeyRow> for ApiKey {
    type Error = DomainError;

    fn try_from(row: KeyRow) -> Result<Self, DomainError> {
        Ok(ApiKey {
            id: ApiKeyId(row.id),
            user_id: UserId(row.user_id),
            name: row.name,
            scope: scope(&row.scope)?,
            hint: row.hint,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = api_keys)]
struct NewKeyRow<'a> {
    id: Uuid,
    user_id: Uuid,
    name: &'a str,
    scope: &'a str,
    digest: &'a str,
    hint: &'a str,
}

#[derive(QueryableByName)]
struct OwnerRow {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = SqlUuid)]
    user_id: Uuid,
    #[diesel(sql_type = Text)]
    scope: String,
}

/// Finds the active key and, at most once a minute per key, records its use — in one
/// statement, so a burst of uploads costs one write a minute, not one per request.
const AUTHENTICATE: &str = "\
    WITH found AS ( \
        SELECT id, user_id, scope, last_used_at FROM api_key \
        WHERE digest = $1 AND revoked_at IS NULL), \
    touched AS ( \
        UPDATE api_key SET last_used_at = $2 \
        WHERE id IN (SELECT id FROM found \
                     WHERE last_used_at IS NULL OR last_used_at < $2 - interval '1 minute')) \
    SELECT id, user_id, scope FROM found";

fn active_of(user: UserId) -> api_keys::BoxedQuery<'static, Pg> {
    api_keys::table
        .filter(api_keys::user_id.eq(user.0))
        .filter(api_keys::revoked_at.is_null())
        .into_boxed()
}

impl PgApiKeyRepository {
    /// Revokes the keys `keys` selects; returns how many.
    async fn revoke_where(
        &self,
        at: DateTime<Utc>,
        keys: api_keys::BoxedQuery<'_, Pg>,
    ) -> Result<u64, DomainError> {
        self.db
            .with_conn(async |conn| {
                let selected = api_keys::id.eq_any(keys.select(api_keys::id));
                let revoked = diesel::update(api_keys::table.filter(selected))
                    .set(api_keys::revoked_at.eq(at))
                    .execute(conn)
                    .await?;
                Ok(revoked as u64)
            })
            .await
    }
}

#[async_trait]
impl ApiKeyRepository for PgApiKeyRepository {
    async fn create(&self, new: NewApiKey) -> Result<ApiKey, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = NewKeyRow {
                    id: Uuid::now_v7(),
                    user_id: new.user_id.0,
                    name: &new.name,
                    scope: new.scope.as_str(),
                    digest: new.digest.as_str(),
                    hint: &new.hint,
                };
                let row = diesel::insert_into(api_keys::table)
                    .values(&row)
                    .returning(KeyRow::as_returning())
                    .get_result::<KeyRow>(conn)
                    .await?;
                Ok(ApiKey::try_from(row)?)
            })
            .await
    }

    async fn list(&self, user: UserId) -> Result<Vec<ApiKey>, DomainError> {
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(active_of(user)
                    .order((api_keys::created_at, api_keys::id))
                    .select(KeyRow::as_select())
                    .load::<KeyRow>(conn)
                    .await?)
            })
            .await?;
        rows.into_iter().map(ApiKey::try_from).collect()
    }

    async fn find_by_name(&self, user: UserId, name: &str) -> Result<Option<ApiKey>, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(active_of(user)
                    .filter(api_keys::name.eq(name.to_owned()))
                    .select(KeyRow::as_select())
                    .first::<KeyRow>(conn)
                    .await
                    .optional()?)
            })
            .await?;
        row.map(ApiKey::try_from).transpose()
    }

    async fn revoke(
        &self,
        user: UserId,
        id: ApiKeyId,
        at: DateTime<Utc>,
    ) -> Result<(), DomainError> {
        let revoked = self
            .revoke_where(at, active_of(user).filter(api_keys::id.eq(id.0)))
            .await?;
        if revoked == 0 {
            return Err(DomainError::NotFound("API key not found".to_owned()));
        }
        Ok(())
    }

    async fn revoke_by_name(
        &self,
        user: UserId,
        name: &str,
        at: DateTime<Utc>,
    ) -> Result<u64, DomainError> {
        self.revoke_where(
            at,
            active_of(user).filter(api_keys::name.eq(name.to_owned())),
        )
        .await
    }

    async fn authenticate(
        &self,
        digest: &Digest,
        at: DateTime<Utc>,
    ) -> Result<Option<KeyOwner>, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(AUTHENTICATE)
                    .bind::<Text, _>(digest.as_str())
                    .bind::<Timestamptz, _>(at)
                    .get_result::<OwnerRow>(conn)
                    .await
                    .optional()?)
            })
            .await?;
        row.map(|r| {
            Ok(KeyOwner {
                key_id: ApiKeyId(r.id),
                user_id: UserId(r.user_id),
                scope: scope(&r.scope)?,
            })
        })
        .transpose()
    }
}
