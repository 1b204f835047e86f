//! Refresh tokens (digests only): the [`RefreshTokenRepository`] port. Rotation is one
//! statement (update the presented token, insert its successor only if that update matched),
//! so two parallel refreshes cannot both rotate the same token.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::auth::{
    Digest, FamilyId, NewRefreshToken, RefreshTokenId, RefreshTokenRecord, RefreshTokenRepository,
};
use ents_domain::users::UserId;
use uuid::Uuid;

use crate::pool::Db;
use crate::schema::refresh_token;

/// [`RefreshTokenRepository`] on `refresh_token`.
#[derive(Debug, Clone)]
pub struct PgRefreshTokenRepository {
    db: Db,
}

impl PgRefreshTokenRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_token, check_for_backend(Pg))]
struct RecordRow {
    id: Uuid,
    family_id: Uuid,
    user_id: Uuid,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

impl From<RecordRow> for RefreshTokenRecord {
    fn from(row: RecordRow) -> Self {
        RefreshTokenRecord {
            id: RefreshTokenId(row.id),
            family_id: FamilyId(row.family_id),
            user_id: UserId(row.user_id),
            created_at: row.created_at,
            expires_at: row.expires_at,
            rotated_at: row.rotated_at,
            revoked_at: row.revoked_at,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = refresh_token)]
struct NewRow<'a> {
    id: Uuid,
    family_id: Uuid,
    parent_id: Option<Uuid>,
    user_id: Uuid,
    token_digest: &'a str,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl<'a> From<&'a NewRefreshToken> for NewRow<'a> {
    fn from(new: &'a NewRefreshToken) -> Self {
        NewRow {
            id: new.id.0,
            family_id: new.family_id.0,
            parent_id: new.parent_id.map(|p| p.0),
            user_id: new.user_id.0,
            token_digest: new.digest.as_str(),
            created_at: new.created_at,
            expires_at: new.expires_at,
        }
    }
}

/// Marks `$1` rotated at `$2` and inserts the successor only when that matched.
const ROTATE: &str = "\
    WITH rotated AS ( \
        UPDATE refresh_token SET rotated_at = $2 \
        WHERE id = $1 AND rotated_at IS NULL AND revoked_at IS NULL \
        RETURNING id) \
    INSERT INTO refresh_token \
        (id, family_id, parent_id, user_id, token_digest, created_at, expires_at) \
    SELECT $3, $4, $5, $6, $7, $8, $9 FROM rotated";

#[async_trait]
impl RefreshTokenRepository for PgRefreshTokenRepository {
    async fn create(&self, new: NewRefreshToken) -> Result<(), DomainError> {
        self.db
            .with_conn(async |conn| {
                diesel::insert_into(refresh_token::table)
                    .values(NewRow::from(&new))
                    .execute(conn)
                    .await?;
                Ok(())
            })
            .await
    }

    async fn find_by_digest(
        &self,
        digest: &Digest,
    ) -> Result<Option<RefreshTokenRecord>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = refresh_token::table
                    .filter(refresh_token::token_digest.eq(digest.as_str()))
                    .select(RecordRow::as_select())
                    .first::<RecordRow>(conn)
                    .await
                    .optional()?;
                Ok(row.map(RefreshTokenRecord::from))
            })
            .await
    }

    async fn rotate(
        &self,
        id: RefreshTokenId,
        at: DateTime<Utc>,
        successor: NewRefreshToken,
    ) -> Result<bool, DomainError> {
        self.db
            .with_conn(async |conn| {
                let inserted = diesel::sql_query(ROTATE)
                    .bind::<SqlUuid, _>(id.0)
                    .bind::<Timestamptz, _>(at)
                    .bind::<SqlUuid, _>(successor.id.0)
                    .bind::<SqlUuid, _>(successor.family_id.0)
                    .bind::<Nullable<SqlUuid>, _>(successor.parent_id.map(|p| p.0))
                    .bind::<SqlUuid, _>(successor.user_id.0)
                    .bind::<diesel::sql_types::Text, _>(successor.digest.as_str())
                    .bind::<Timestamptz, _>(successor.created_at)
                    .bind::<Timestamptz, _>(successor.expires_at)
                    .execute(conn)
                    .await?;
                Ok(inserted == 1)
            })
            .await
    }

    async fn revoke_family(&self, family: FamilyId, at: DateTime<Utc>) -> Result<u64, DomainError> {
        self.db
            .with_conn(async |conn| {
                let revoked = diesel::update(
                    refresh_token::table
                        .filter(refresh_token::family_id.eq(family.0))
                        .filter(refresh_token::revoked_at.is_null()),
                )
                .set(refresh_token::revoked_at.eq(at))
                .execute(conn)
                .await?;
                Ok(revoked as u64)
            })
            .await
    }

    async fn purge_expired(&self, before: DateTime<Utc>) -> Result<u64, DomainError> {
        self.db
            .with_conn(async |conn| {
                let purged = diesel::delete(
                    refresh_token::table.filter(refresh_token::expires_at.lt(before)),
                )
                .execute(conn)
                .await?;
                Ok(purged as u64)
            })
            .await
    }
}
