//! Device uploads in PostgreSQL: the [`MeasurementStore`] port ([`PgMeasurementStore`]) and the
//! [`NamedReadingStore`](ents_domain::ingest::NamedReadingStore) port of the legacy JSON uploads.
//!
//! Idempotency rests on the unique indexes of migration `20261129000020_ingest_idempotency`
//! and `INSERT … ON CONFLICT DO NOTHING RETURNING <key>`: the returned keys say which rows are
//! new, every other row of the upload was already stored.
//!
//! Two paths for one upload:
//! * **fast**: the upload's rows go to one table: a single multi-row `INSERT`, atomic on its
//!   own, so one round trip and no `BEGIN`/`COMMIT`. A batch of uploads whose rows all go to
//!   one table takes it too: one statement stores all of them or none. Generic rows find their sensors by key
//!   inside that statement, which inserts nothing unless every sensor exists (no id cache: a
//!   cached id could name another sensor after a restore or a sequence reset). A missing
//!   cell or logger surfaces as a foreign-key violation (nothing inserted); either way the
//!   upload then takes the slow path.
//! * **slow**: one transaction that key-share locks the referenced cells and loggers (so none
//!   can be deleted before the commit), reports any that are missing, creates the sensors it
//!   needs, and inserts.
//!
//! Batches (queued mode, and the direct mode's group commit under load: [`GroupCommitStore`])
//! try the fast path first, then the slow one, all uploads in one transaction: one upload
//! with a missing reference fails the batch's single statement (nothing stored), and the
//! slow path then stores the others and reports it.

mod group_commit;
mod named;
mod queries;
mod references;
mod rows;
mod write;

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ents_domain::DomainError;
use ents_domain::ingest::{MeasurementStore, StoreOutcome};
use ents_domain::measurements::Upload;

use self::queries::{IdRow, LockCells, LockLoggers};
use self::rows::{Counts, Rows};
use crate::pool::Db;

pub use self::group_commit::GroupCommitStore;

/// [`MeasurementStore`] (and [`ents_domain::ingest::NamedReadingStore`],
/// [`ents_domain::ingest::ReferenceChecker`]) on the upstream series tables. Cheap to clone;
/// clones share the known-id cache of the reference check.
#[derive(Debug, Clone)]
pub struct PgMeasurementStore {
    db: Db,
    known: Arc<references::KnownIds>,
}

impl PgMeasurementStore {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            known: Arc::default(),
        }
    }

    /// The single-statement path for the rows of `uploads` uploads (one outcome each, in
    /// order). `None` when it does not apply or hit a missing reference: nothing was stored.
    async fn fast(
        conn: &mut AsyncPgConnection,
        rows: &Rows,
        uploads: usize,
    ) -> Result<Option<Vec<StoreOutcome>>, DieselError> {
        let mut counts = vec![Counts::default(); uploads];
        match write::insert_fast(conn, rows, &mut counts).await {
            Ok(true) => Ok(Some(counts.into_iter().map(committed).collect())),
            Ok(false) => Ok(None),
            Err(DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// One transaction for `uploads`: see the module docs.
    async fn slow(
        conn: &mut AsyncPgConnection,
        uploads: &[Upload],
    ) -> Result<Vec<StoreOutcome>, DieselError> {
        conn.transaction(async |conn| {
            let mut rows = Rows::of(uploads);
            let (cells, loggers) = lock_references(conn, &rows).await?;
            let missing: Vec<_> = rows
                .needs
                .iter()
                .map(|n| n.missing(&cells, &loggers))
                .collect();
            rows.retain_uploads(|u| missing.get(u).is_some_and(|m| m.is_empty()));
            let ids = write::sensor_ids(conn, &rows.sensors()).await?;
            let mut counts = vec![Counts::default(); uploads.len()];
            write::insert_rows(conn, &rows, &ids, &mut counts).await?;
            let outcomes = missing
                .into_iter()
                .zip(counts)
                .map(|(m, c)| {
                    if m.is_empty() {
                        committed(c)
                    } else {
                        StoreOutcome::Missing(m)
                    }
                })
                .collect();
            Ok(outcomes)
        })
        .await
    }
}

#[async_trait]
impl MeasurementStore for PgMeasurementStore {
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError> {
        let mut outcomes = self.store_batch(std::slice::from_ref(upload)).await?;
        outcomes
            .pop()
            .ok_or_else(|| DomainError::internal("no outcome for the upload"))
    }

    async fn store_batch(&self, uploads: &[Upload]) -> Result<Vec<StoreOutcome>, DomainError> {
        if uploads.is_empty() {
            return Ok(Vec::new());
        }
        let rows = Rows::of(uploads);
        self.db
            .with_conn(async |conn| {
                if let Some(outcomes) = Self::fast(conn, &rows, uploads.len()).await? {
                    return Ok(outcomes);
                }
                Ok(Self::slow(conn, uploads).await?)
            })
            .await
    }
}

fn committed(c: Counts) -> StoreOutcome {
    StoreOutcome::Committed {
        inserted: c.inserted,
        duplicates: c.duplicates,
    }
}

/// The existing cells and loggers among those `rows` need, locked until commit.
async fn lock_references(
    conn: &mut AsyncPgConnection,
    rows: &Rows,
) -> Result<(HashSet<i32>, HashSet<i32>), DieselError> {
    let ids = |pick: fn(&rows::Needs) -> &std::collections::BTreeSet<u32>| -> Vec<i32> {
        let mut ids: Vec<i32> = rows
            .needs
            .iter()
            .flat_map(|n| pick(n).iter())
            .filter_map(|id| i32::try_from(*id).ok())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let cell_ids = ids(|n| &n.cells);
    let logger_ids = ids(|n| &n.loggers);
    let cells = LockCells { ids: cell_ids }
        .load::<IdRow>(conn)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let loggers = if logger_ids.is_empty() {
        HashSet::new()
    } else {
        LockLoggers { ids: logger_ids }
            .load::<IdRow>(conn)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect()
    };
    Ok((cells, loggers))
}
