use std::collections::BTreeSet;
use std::time::Duration;

use async_trait::async_trait;
use uuid::Uuid;

use super::model::ImportRow;
use crate::DomainError;
use crate::users::UserId;

/// What one batch stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BatchCounts {
    pub inserted: u64,
    /// Rows whose key was already stored (or repeated within the batch): skipped.
    pub duplicates: u64,
}

/// Where imported rows go (PostgreSQL).
///
/// Errors: `Unavailable` when the database cannot be used now (nothing of the batch is
/// written); `Internal` otherwise.
#[async_trait]
pub trait ImportStore: Send + Sync + 'static {
    /// The cells among `ids` that exist.
    async fn existing_cells(&self, ids: &[i32]) -> Result<BTreeSet<i32>, DomainError>;

    /// Creates a cell named `name` owned by `owner`; returns its id. A cell of that name that
    /// already exists is returned instead (a rerun of `--create-missing`).
    async fn create_cell(&self, name: &str, owner: UserId) -> Result<i32, DomainError>;

    /// Writes `rows` in one transaction — every cell must exist — creating the generic
    /// sensors they need, inserting with `ON CONFLICT DO NOTHING` on the ingest keys (the
    /// first write wins). With `commit = false` the transaction is rolled back: the counts
    /// say what would have been stored.
    async fn write_batch(
        &self,
        rows: &[ImportRow],
        commit: bool,
    ) -> Result<BatchCounts, DomainError>;
}

/// Where the bodies of HTTP imports wait for their job (PostgreSQL: every worker of a
/// fleet reads the same table), with the error report once the job has run.
///
/// Errors: `NotFound("Import upload not found")` for an unknown or expired upload where
/// noted; `Unavailable` when the store cannot be reached in time; `Internal` otherwise.
#[async_trait]
pub trait ImportUploadStore: Send + Sync + 'static {
    /// Stores `body`, uploaded for `cell_id`; returns its id.
    async fn create(&self, cell_id: i32, body: Vec<u8>) -> Result<Uuid, DomainError>;

    /// The body. Errors: `NotFound` (unknown, expired, or already imported).
    async fn body(&self, id: Uuid) -> Result<Vec<u8>, DomainError>;

    /// The import ran: the body is dropped and `errors` (the error report) kept.
    /// Errors: `NotFound`.
    async fn finish(&self, id: Uuid, errors: Vec<u8>) -> Result<(), DomainError>;

    /// The error report; `None` while the import has not finished. Errors: `NotFound`.
    async fn errors(&self, id: Uuid) -> Result<Option<Vec<u8>>, DomainError>;

    /// Deletes the uploads (bodies and reports) created more than `age` ago; returns how
    /// many.
    async fn remove_older_than(&self, age: Duration) -> Result<u64, DomainError>;
}
