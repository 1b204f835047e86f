use std::collections::BTreeSet;

use async_trait::async_trait;

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
