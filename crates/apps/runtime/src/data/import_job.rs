//! The HTTP import's job (kind `import.csv`, `POST /api/cells/<id>/imports`): the uploaded
//! body, read from the [`ImportUploadStore`] every worker of a fleet shares, goes through the
//! same CSV readers and [`Importer`] as `ents import`, every row into the cell of the path.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::imports::{
    CsvLayout, IMPORT_KIND, ImportOptions, ImportPayload, ImportResult, ImportStore,
    ImportUploadStore, Importer, error_report,
};
use ents_domain::jobs::{Job, JobFailure, JobHandler, ProgressSink};

use super::checkpoint::Cursor;
use super::import::{csv_reader_of, export_csv, seed_csv};
use super::progress::Report;

/// Runs jobs of kind [`IMPORT_KIND`]. A rerun (redelivery, an expired lease) reads the whole
/// body again: the rows the earlier attempt committed are then counted as duplicates, never
/// stored twice.
pub struct ImportCsvHandler {
    store: Arc<dyn ImportStore>,
    uploads: Arc<dyn ImportUploadStore>,
    /// Uploads older than this are deleted before each import runs.
    retention: Duration,
    batch_rows: usize,
}

impl ImportCsvHandler {
    pub fn new(
        store: Arc<dyn ImportStore>,
        uploads: Arc<dyn ImportUploadStore>,
        retention: Duration,
        batch_rows: usize,
    ) -> Self {
        Self {
            store,
            uploads,
            retention,
            batch_rows,
        }
    }

    async fn import(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<ImportResult, JobFailure> {
        // A payload that does not decode is malformed: no retry can fix it.
        let payload: ImportPayload = serde_json::from_value(job.payload.clone())
            .map_err(|e| JobFailure::Permanent(format!("bad import payload: {e}")))?;
        let layout = CsvLayout::parse(&payload.format).ok_or_else(|| {
            JobFailure::Permanent(format!("unknown import format {:?}", payload.format))
        })?;
        if let Err(error) = self.uploads.remove_older_than(self.retention).await {
            tracing::warn!(%error, "could not remove expired import uploads");
        }
        let body = self
            .uploads
            .body(payload.upload)
            .await
            .map_err(|e| match e {
                DomainError::NotFound(_) => {
                    JobFailure::Permanent("the uploaded file is gone (expired)".to_owned())
                }
                other => failure(other),
            })?;
        let options = ImportOptions {
            batch_rows: self.batch_rows,
            target_cell: Some(payload.cell_id),
            ..ImportOptions::default()
        };
        let mut importer = Importer::new(self.store.clone(), options);
        let size = (body.len() as u64).max(1);
        let reader = csv_reader_of(std::io::Cursor::new(body));
        let mut report = Report::Job {
            sink: progress,
            interval: Duration::from_secs(1),
            last: None,
        };
        let mut cursor = Cursor::detached();
        let name = Path::new("the uploaded file");
        let read = match layout {
            CsvLayout::Export => {
                export_csv(name, reader, size, &mut importer, &mut report, &mut cursor).await
            }
            CsvLayout::Seed => {
                seed_csv(name, reader, size, &mut importer, &mut report, &mut cursor).await
            }
        };
        read.map_err(|error| match error.downcast::<DomainError>() {
            Ok(domain) => failure(domain),
            // Only the header check fails outside the domain; the API checked it already.
            Err(other) => JobFailure::Permanent(other.to_string()),
        })?;
        let summary = importer.finish().await.map_err(failure)?;
        self.uploads
            .finish(payload.upload, error_report(&summary.bad_lines))
            .await
            .map_err(failure)?;
        progress.report(1.0).await;
        tracing::info!(
            rows = summary.rows,
            stored = summary.stored,
            duplicates = summary.duplicates,
            bad_lines = summary.bad_lines.len(),
            "import done"
        );
        Ok(ImportResult::from(&summary))
    }
}

#[async_trait]
impl JobHandler for ImportCsvHandler {
    fn kind(&self) -> &'static str {
        IMPORT_KIND
    }

    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure> {
        let result = self.import(job, progress).await?;
        serde_json::to_value(result).map_err(|e| JobFailure::Permanent(e.to_string()))
    }
}

/// What is worth another attempt: the database unavailable, or an unexpected failure; a
/// cell deleted since is not. The messages are shown to clients, so internal causes are not.
fn failure(error: DomainError) -> JobFailure {
    match error {
        DomainError::NotFound(m) | DomainError::BadRequest(m) => JobFailure::Permanent(m),
        DomainError::Unavailable(_) => JobFailure::Retryable("data store unavailable".into()),
        other => {
            tracing::error!(error = %other, "import attempt failed");
            JobFailure::Retryable("import failed; retrying".into())
        }
    }
}
