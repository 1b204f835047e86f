//! Brute-force counts shared by every instance: the [`FailureStore`] port on `auth_failure`.
//! Counting is one upsert, so concurrent failures from several instances are all counted and
//! a window that has ended restarts in the same statement.

use std::time::Duration;

use async_trait::async_trait;
use diesel::OptionalExtension;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::auth::{FailureKind, FailureStore, FailureWindow};

use crate::pool::Db;

/// Every expression of `DO UPDATE SET` sees the row as it was, so both columns test the old
/// window's end.
const RECORD: &str = "\
INSERT INTO auth_failure AS f (kind, client, failures, window_end) \
VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond') \
ON CONFLICT (kind, client) DO UPDATE SET \
    failures = CASE WHEN f.window_end <= now() THEN 1 ELSE f.failures + 1 END, \
    window_end = CASE WHEN f.window_end <= now() THEN EXCLUDED.window_end ELSE f.window_end END \
RETURNING failures, \
    GREATEST(0, CEIL(EXTRACT(EPOCH FROM (window_end - now())) * 1000))::int8 AS remaining_ms";

const CURRENT: &str = "\
SELECT failures, \
    GREATEST(0, CEIL(EXTRACT(EPOCH FROM (window_end - now())) * 1000))::int8 AS remaining_ms \
FROM auth_failure WHERE kind = $1 AND client = $2 AND window_end > now()";

#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = BigInt)]
    remaining_ms: i64,
}

impl Counted {
    fn window(self) -> FailureWindow {
        FailureWindow {
            failures: u32::try_from(self.failures).unwrap_or(u32::MAX),
            remaining: Duration::from_millis(u64::try_from(self.remaining_ms).unwrap_or(0)),
        }
    }
}

/// [`FailureStore`] on `auth_failure`.
#[derive(Debug, Clone)]
pub struct PgFailureStore {
    db: Db,
}

impl PgFailureStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl FailureStore for PgFailureStore {
    async fn record(
        &self,
        kind: FailureKind,
        client: &str,
        window: Duration,
    ) -> Result<FailureWindow, DomainError> {
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        self.db
            .with_conn(async |conn| {
                let counted: Counted = diesel::sql_query(RECORD)
                    .bind::<Text, _>(kind.as_str())
                    .bind::<Text, _>(client)
                    .bind::<BigInt, _>(window_ms)
                    .get_result(conn)
                    .await?;
                Ok(counted.window())
            })
            .await
    }

    async fn current(
        &self,
        kind: FailureKind,
        client: &str,
    ) -> Result<Option<FailureWindow>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let current: Option<Counted> = diesel::sql_query(CURRENT)
                    .bind::<Text, _>(kind.as_str())
                    .bind::<Text, _>(client)
                    .get_result(conn)
                    .await
                    .optional()?;
                Ok(current.map(Counted::window))
            })
            .await
    }

    async fn purge_ended(&self) -> Result<u64, DomainError> {
        self.db
            .with_conn(async |conn| {
                let purged =
                    diesel::sql_query("DELETE FROM auth_failure WHERE window_end <= now()")
                        .execute(conn)
                        .await?;
                Ok(purged as u64)
            })
            .await
    }
}
