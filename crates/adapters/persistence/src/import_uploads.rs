//! [`ImportUploadStore`] on the `import_upload` table (migration `20261209000100`): the
//! bodies of HTTP imports, readable by every worker of a fleet, and their error reports.

use std::time::Duration;

use async_trait::async_trait;
use diesel::sql_types::{Binary, Integer, Interval, Nullable, Uuid as SqlUuid};
use diesel::{OptionalExtension, QueryableByName, sql_query};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::imports::ImportUploadStore;
use uuid::Uuid;

use crate::pool::Db;

const NOT_FOUND: &str = "Import upload not found";

/// [`ImportUploadStore`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgImportUploadStore {
    db: Db,
}

impl PgImportUploadStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(QueryableByName)]
struct Bytes {
    #[diesel(sql_type = Nullable<Binary>)]
    bytes: Option<Vec<u8>>,
}

fn not_found() -> DomainError {
    DomainError::NotFound(NOT_FOUND.to_owned())
}

#[async_trait]
impl ImportUploadStore for PgImportUploadStore {
    async fn create(&self, cell_id: i32, body: Vec<u8>) -> Result<Uuid, DomainError> {
        let id = Uuid::now_v7();
        self.db
            .with_conn(async move |conn| {
                sql_query("INSERT INTO import_upload (id, cell_id, body) VALUES ($1, $2, $3)")
                    .bind::<SqlUuid, _>(id)
                    .bind::<Integer, _>(cell_id)
                    .bind::<Binary, _>(body)
                    .execute(conn)
                    .await?;
                Ok(id)
            })
            .await
    }

    async fn body(&self, id: Uuid) -> Result<Vec<u8>, DomainError> {
        let row: Option<Bytes> = self
            .db
            .with_conn(async move |conn| {
                Ok(
                    sql_query("SELECT body AS bytes FROM import_upload WHERE id = $1")
                        .bind::<SqlUuid, _>(id)
                        .get_result(conn)
                        .await
                        .optional()?,
                )
            })
            .await?;
        row.and_then(|r| r.bytes).ok_or_else(not_found)
    }

    async fn finish(&self, id: Uuid, errors: Vec<u8>) -> Result<(), DomainError> {
        let updated = self
            .db
            .with_conn(async move |conn| {
                Ok(
                    sql_query("UPDATE import_upload SET body = NULL, errors = $2 WHERE id = $1")
                        .bind::<SqlUuid, _>(id)
                        .bind::<Binary, _>(errors)
                        .execute(conn)
                        .await?,
                )
            })
            .await?;
        if updated == 0 {
            return Err(not_found());
        }
        Ok(())
    }

    async fn errors(&self, id: Uuid) -> Result<Option<Vec<u8>>, DomainError> {
        let row: Option<Bytes> = self
            .db
            .with_conn(async move |conn| {
                Ok(
                    sql_query("SELECT errors AS bytes FROM import_upload WHERE id = $1")
                        .bind::<SqlUuid, _>(id)
                        .get_result(conn)
                        .await
                        .optional()?,
                )
            })
            .await?;
        row.map(|r| r.bytes).ok_or_else(not_found)
    }

    async fn remove_older_than(&self, age: Duration) -> Result<u64, DomainError> {
        let age = diesel::data_types::PgInterval::from_microseconds(
            i64::try_from(age.as_micros()).unwrap_or(i64::MAX),
        );
        let removed = self
            .db
            .with_conn(async move |conn| {
                Ok(
                    sql_query("DELETE FROM import_upload WHERE created_at < now() - $1")
                        .bind::<Interval, _>(age)
                        .execute(conn)
                        .await?,
                )
            })
            .await?;
        Ok(removed as u64)
    }
}
