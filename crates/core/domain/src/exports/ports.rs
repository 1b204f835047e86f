use std::time::Duration;

use async_trait::async_trait;

use super::model::{ExportRequest, ExportRow};
use crate::DomainError;
use crate::jobs::JobId;

/// Where export rows come from (PostgreSQL).
///
/// Errors: `NotFound("Cell not found")` when a listed cell does not exist; `Unavailable`
/// when the store cannot answer in time (worth a retry); `Internal` otherwise.
#[async_trait]
pub trait ExportRowSource: Send + Sync + 'static {
    /// The names of the cells, in the order given.
    async fn cell_names(&self, cell_ids: &[i32]) -> Result<Vec<String>, DomainError>;

    /// Feeds every row of the export to `sink`, in batches of at most `batch_rows` (or the
    /// values of one stored row, when they are more), ordered
    /// by cell (as listed), then series (power, TEROS, generic sensors by name and
    /// measurement), then time. All rows come from one consistent snapshot, and at most one
    /// batch is held in memory whatever the size of the export. A sink error stops the
    /// stream and is returned as it is.
    async fn stream(
        &self,
        request: &ExportRequest,
        batch_rows: usize,
        sink: &mut dyn RowSink,
    ) -> Result<(), DomainError>;
}

/// Receives the batches of [`ExportRowSource::stream`].
#[async_trait]
pub trait RowSink: Send {
    /// `done` is the fraction of the export read so far (0..=1, never decreasing).
    async fn accept(&mut self, rows: &[ExportRow], done: f32) -> Result<(), DomainError>;
}

/// A finished, published export file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedFile {
    /// The name to [`ExportFileStore::open`] it by.
    pub name: String,
    pub bytes: u64,
}

/// Where export files live (a directory).
///
/// Errors: `NotFound("Export file expired")` from `open` for a file that is gone;
/// `Internal` for any I/O failure (the cause is for the logs).
#[async_trait]
pub trait ExportFileStore: Send + Sync + 'static {
    /// Starts the file of attempt `attempt` of export `id`: removes what earlier attempts
    /// of the same export left (temporary or published files), and opens a new temporary
    /// file that nobody reads until [`ExportFileWriter::finish`] publishes it.
    async fn create(
        &self,
        id: JobId,
        attempt: i32,
    ) -> Result<Box<dyn ExportFileWriter>, DomainError>;

    /// Opens a published file by the name `finish` returned.
    async fn open(&self, name: &str) -> Result<Box<dyn ExportReader>, DomainError>;

    /// Deletes files (published or temporary) last modified more than `age` ago; returns
    /// how many.
    async fn remove_older_than(&self, age: Duration) -> Result<usize, DomainError>;
}

/// One attempt's file being written.
#[async_trait]
pub trait ExportFileWriter: Send {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError>;

    /// Makes the file durable, then visible under its final name in one atomic step: a
    /// reader never sees a partial file under that name.
    async fn finish(self: Box<Self>) -> Result<FinishedFile, DomainError>;
}

/// A published file being read (for the download).
#[async_trait]
pub trait ExportReader: Send {
    /// The size in bytes.
    fn len(&self) -> u64;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The next chunk; `None` at the end.
    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, DomainError>;
}
