use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::csv::{CSV_HEADER, encode_row};
use super::model::{
    EXPORT_KIND, ExportFormat, ExportPayload, ExportRequest, ExportResult, ExportRow,
};
use super::ports::{ExportFileStore, ExportFileWriter, ExportRowSource, RowSink};
use super::seed_sink::write_seed_csv;
use crate::DomainError;
use crate::jobs::{Job, JobFailure, JobHandler, ProgressSink};

/// Tunables of [`ExportHandler`].
#[derive(Debug, Clone)]
pub struct ExportSettings {
    /// Rows fetched (and held in memory) at a time.
    pub batch_rows: usize,
    /// Files older than this are deleted before each export runs.
    pub retention: Duration,
    /// Least time between two progress reports (each also extends the job's lease).
    pub progress_interval: Duration,
}

impl Default for ExportSettings {
    fn default() -> Self {
        Self {
            batch_rows: 5_000,
            retention: Duration::from_secs(24 * 3600),
            progress_interval: Duration::from_secs(1),
        }
    }
}

/// Runs jobs of kind [`EXPORT_KIND`]: rows from the source → CSV → a temporary file,
/// published atomically at the end. Idempotent: a rerun (redelivery, expired lease) starts
/// from scratch in a new file, and the result names the one file the client gets.
pub struct ExportHandler {
    source: Arc<dyn ExportRowSource>,
    files: Arc<dyn ExportFileStore>,
    settings: ExportSettings,
}

impl ExportHandler {
    pub fn new(
        source: Arc<dyn ExportRowSource>,
        files: Arc<dyn ExportFileStore>,
        settings: ExportSettings,
    ) -> Self {
        Self {
            source,
            files,
            settings,
        }
    }

    async fn export(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<ExportResult, DomainError> {
        // A payload that does not decode is malformed input: no retry can fix it.
        let payload: ExportPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| DomainError::BadRequest(format!("bad export payload: {e}")))?;
        let request = payload.request()?;
        if let Err(error) = self.files.remove_older_than(self.settings.retention).await {
            tracing::warn!(%error, "could not remove expired export files");
        }
        let mut writer = self.files.create(job.id, job.attempts).await?;
        let rows = write_export(
            self.source.as_ref(),
            &request,
            self.settings.batch_rows,
            writer.as_mut(),
            progress,
            self.settings.progress_interval,
        )
        .await?;
        let finished = writer.finish().await?;
        progress.report(1.0).await;
        tracing::info!(rows, bytes = finished.bytes, "export written");
        Ok(ExportResult {
            file: finished.name,
            rows,
            bytes: finished.bytes,
        })
    }
}

#[async_trait]
impl JobHandler for ExportHandler {
    fn kind(&self) -> &'static str {
        EXPORT_KIND
    }

    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure> {
        let result = self.export(job, progress).await.map_err(failure)?;
        serde_json::to_value(result).map_err(|e| JobFailure::Permanent(e.to_string()))
    }
}

/// What is worth another attempt: a dependency that was down, or an unexpected (I/O)
/// failure; a request that cannot succeed (a cell deleted since, a bad payload) is not.
/// The messages are shown to clients, so internal causes are not.
fn failure(error: DomainError) -> JobFailure {
    match error {
        DomainError::NotFound(m) | DomainError::BadRequest(m) => JobFailure::Permanent(m),
        DomainError::Invalid(fields) => {
            JobFailure::Permanent(format!("invalid export request: {fields:?}"))
        }
        DomainError::Unavailable(_) => JobFailure::Retryable("data store unavailable".into()),
        other => {
            tracing::error!(error = %other, "export attempt failed");
            JobFailure::Retryable("export failed; retrying".into())
        }
    }
}

/// Streams the file of `request` in its format ([`write_csv`] or [`write_seed_csv`]): the
/// one code path of the export job and `ents export`.
///
/// Errors: those of the source and of the writer.
pub async fn write_export(
    source: &dyn ExportRowSource,
    request: &ExportRequest,
    batch_rows: usize,
    writer: &mut dyn ExportFileWriter,
    progress: &dyn ProgressSink,
    interval: Duration,
) -> Result<u64, DomainError> {
    match request.format {
        ExportFormat::Csv => {
            write_csv(source, request, batch_rows, writer, progress, interval).await
        }
        ExportFormat::SeedCsv => {
            write_seed_csv(source, request, batch_rows, writer, progress, interval).await
        }
    }
}

/// Streams the long CSV of `request` (header, then every row) into `writer`, reporting progress
/// at most once per `interval`; returns the data rows written. The one code path of the
/// export job and `ents export`: the caller finishes (publishes) the writer.
///
/// Errors: those of the source and of the writer.
pub async fn write_csv(
    source: &dyn ExportRowSource,
    request: &ExportRequest,
    batch_rows: usize,
    writer: &mut dyn ExportFileWriter,
    progress: &dyn ProgressSink,
    interval: Duration,
) -> Result<u64, DomainError> {
    writer.write(CSV_HEADER.as_bytes()).await?;
    let mut sink = CsvSink {
        writer,
        line: String::with_capacity(256),
        buffer: Vec::with_capacity(64 * 1024),
        rows: 0,
        progress,
        last_report: None,
        interval,
    };
    source.stream(request, batch_rows.max(1), &mut sink).await?;
    Ok(sink.rows)
}

/// Encodes batches into a buffer and hands it to the file writer once per batch.
struct CsvSink<'a> {
    writer: &'a mut dyn ExportFileWriter,
    line: String,
    buffer: Vec<u8>,
    rows: u64,
    progress: &'a dyn ProgressSink,
    last_report: Option<Instant>,
    interval: Duration,
}

#[async_trait]
impl RowSink for CsvSink<'_> {
    async fn accept(&mut self, rows: &[ExportRow], done: f32) -> Result<(), DomainError> {
        self.buffer.clear();
        for row in rows {
            self.line.clear();
            encode_row(row, &mut self.line);
            self.buffer.extend_from_slice(self.line.as_bytes());
        }
        self.writer.write(&self.buffer).await?;
        self.rows += rows.len() as u64;
        let due = self
            .last_report
            .is_none_or(|at| at.elapsed() >= self.interval);
        if due {
            // Not 1.0 before the file is published: "finished" is the job state's word.
            self.progress.report(done.clamp(0.0, 0.99)).await;
            self.last_report = Some(Instant::now());
        }
        Ok(())
    }
}
