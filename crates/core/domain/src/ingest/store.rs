//! The port that writes decoded uploads.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::DomainError;
use crate::measurements::Upload;

/// Rows an upload refers to that do not exist. Nothing of the upload is stored then.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MissingReferences {
    /// Unknown cell ids.
    pub cells: BTreeSet<u32>,
    /// Unknown logger ids (only `power` rows reference a logger).
    pub loggers: BTreeSet<u32>,
}

impl MissingReferences {
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty() && self.loggers.is_empty()
    }
}

/// What became of one upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreOutcome {
    /// Committed. `inserted` rows are new; `duplicates` were already stored (a retried upload,
    /// or the same key with another value: the first write wins).
    Committed { inserted: usize, duplicates: usize },
    /// Durably handed to a writer that will commit it later (queued mode). That writer
    /// publishes the live events after its own commit.
    Accepted,
    /// Nothing stored: the upload refers to cells or loggers that do not exist.
    Missing(MissingReferences),
}

/// Stores decoded uploads: the PostgreSQL writer (direct mode, and the queued mode's consumer),
/// or the broker publisher of the queued mode.
///
/// Contract for every implementation:
/// * **All or nothing per upload**: every row of an upload is stored, or none (one
///   transaction); an upload whose cells (or, for `power`, loggers) do not all exist stores
///   nothing and is reported as [`StoreOutcome::Missing`].
/// * **Idempotent**: storing an upload again stores no row twice (keys in the module docs);
///   the repeated rows are counted in `duplicates`.
/// * Generic `sensor` rows are created on first use, race-free (concurrent first uploads of
///   the same sensor create one row), with the unit and `data_type` of the first value.
/// * Timestamps are written as the UTC instant of the device time, never the server's zone.
///
/// Errors: `Unavailable` when the database (or broker) cannot be used now (nothing was
/// stored; retrying later may work); `Internal` for anything else.
#[async_trait]
pub trait MeasurementStore: Send + Sync + 'static {
    /// Stores one upload.
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError>;

    /// Stores many uploads in one transaction (the queued mode's batches). The outcome of
    /// each, in order: an upload with missing references is skipped (`Missing`) without
    /// affecting the others. On `Err`, nothing of the batch is stored.
    ///
    /// The default stores them one by one (one transaction each).
    async fn store_batch(&self, uploads: &[Upload]) -> Result<Vec<StoreOutcome>, DomainError> {
        let mut outcomes = Vec::with_capacity(uploads.len());
        for upload in uploads {
            outcomes.push(self.store(upload).await?);
        }
        Ok(outcomes)
    }
}

/// Tells which cells and loggers an upload refers to do not exist: the queued mode answers
/// devices (`501`/`400` for an unknown cell) before handing the upload to the broker.
///
/// A read without locks: a cell deleted just after may still be reported present (the writer
/// then skips the upload). Errors: `Unavailable` / `Internal`.
#[async_trait]
pub trait ReferenceChecker: Send + Sync + 'static {
    async fn missing_references(&self, upload: &Upload) -> Result<MissingReferences, DomainError>;
}
