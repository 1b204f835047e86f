use std::sync::Arc;

use super::job::{CellImport, CsvLayout, IMPORT_KIND, IMPORT_NOT_FOUND, ImportPayload};
use super::ports::ImportUploadStore;
use crate::access::{AccessPolicy, Action, CellAccess, CellFactsSource};
use crate::auth::Caller;
use crate::jobs::{JobId, JobService};
use crate::{ConflictKind, DomainError};

/// CSV imports over HTTP (`POST /api/cells/<id>/imports`): the body is stored where every
/// worker can read it, then imported by a job of kind [`IMPORT_KIND`] through the same
/// [`super::Importer`] as `ents import`, every row into the cell of the path.
///
/// Who may: as any write on the cell (its owner or members); the same for the status and
/// the error report. An import of another cell reads as unknown.
#[derive(Clone)]
pub struct ImportService {
    jobs: JobService,
    uploads: Arc<dyn ImportUploadStore>,
    access: CellAccess,
}

impl ImportService {
    pub fn new(
        jobs: JobService,
        uploads: Arc<dyn ImportUploadStore>,
        facts: Arc<dyn CellFactsSource>,
        policy: AccessPolicy,
    ) -> Self {
        Self {
            jobs,
            uploads,
            access: CellAccess::new(policy, facts),
        }
    }

    /// Queues the import of `body` into `cell_id`, in `format` or the layout its header
    /// names. Errors: `Unauthenticated`, `Forbidden`, `NotFound("Cell not found")` (the
    /// policy); `Invalid` naming `format` (unknown) or `body` (empty, or a header of no
    /// accepted layout); `Unavailable`, `Internal`.
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        cell_id: i32,
        format: Option<&str>,
        body: Vec<u8>,
    ) -> Result<CellImport, DomainError> {
        self.access
            .authorize(caller, Action::Write, &[cell_id])
            .await?;
        let Some(caller) = caller else {
            return Err(DomainError::Unauthenticated(
                crate::auth::NO_CREDENTIALS.to_owned(),
            ));
        };
        let layout = match format {
            Some(text) => Some(CsvLayout::parse(text).ok_or_else(|| {
                DomainError::invalid_field(
                    "format",
                    format!("must be one of: {}", CsvLayout::ACCEPTED),
                )
            })?),
            None => None,
        };
        if body.is_empty() {
            return Err(DomainError::invalid_field("body", "the CSV file is empty"));
        }
        let layout = match (layout, CsvLayout::detect(&body)) {
            (None, Some(found)) => found,
            (Some(wanted), Some(found)) if wanted == found => found,
            (Some(wanted), _) => {
                return Err(DomainError::invalid_field(
                    "body",
                    format!(
                        "not a {} file: the header must be {}",
                        wanted.as_str(),
                        wanted.headers()
                    ),
                ));
            }
            (None, None) => {
                return Err(DomainError::invalid_field(
                    "body",
                    format!(
                        "the header is neither an export CSV's ({}) nor a seed-era CSV's ({})",
                        CsvLayout::Export.headers(),
                        CsvLayout::Seed.headers()
                    ),
                ));
            }
        };
        let upload = self.uploads.create(cell_id, body).await?;
        let payload = ImportPayload {
            upload,
            cell_id,
            format: layout.as_str().to_owned(),
            owner: caller.user_id,
        };
        let import: CellImport = self
            .jobs
            .submit_view(IMPORT_KIND, &payload, IMPORT_NOT_FOUND)
            .await?;
        tracing::info!(import.id = %import.id, cell_id, format = layout.as_str(), "import queued");
        Ok(import)
    }

    /// The import. Errors: those of the policy; `NotFound(IMPORT_NOT_FOUND)` for an unknown
    /// id or an import of another cell; `Unavailable`, `Internal`.
    pub async fn get(
        &self,
        caller: Option<&Caller>,
        cell_id: i32,
        id: JobId,
    ) -> Result<CellImport, DomainError> {
        self.access
            .authorize(caller, Action::Write, &[cell_id])
            .await?;
        let import: CellImport = self
            .jobs
            .get_view(id, IMPORT_KIND, IMPORT_NOT_FOUND)
            .await?;
        if import.cell_id() != cell_id {
            return Err(DomainError::NotFound(IMPORT_NOT_FOUND.to_owned()));
        }
        Ok(import)
    }

    /// The error report (CSV `line,reason`) of a finished import. Errors: those of
    /// [`Self::get`]; `Conflict(State)` before it finished; `NotFound("Import report
    /// expired")` once retention removed it.
    pub async fn errors(
        &self,
        caller: Option<&Caller>,
        cell_id: i32,
        id: JobId,
    ) -> Result<(CellImport, Vec<u8>), DomainError> {
        let import = self.get(caller, cell_id, id).await?;
        let not_finished = || {
            DomainError::conflict(
                ConflictKind::State,
                format!(
                    "The import has no report yet (state: {})",
                    import.state.as_str()
                ),
            )
        };
        if !import.state.is_finished() {
            return Err(not_finished());
        }
        let report = match self.uploads.errors(import.upload()).await {
            Ok(Some(report)) => report,
            Ok(None) => return Err(not_finished()),
            Err(DomainError::NotFound(_)) => {
                return Err(DomainError::NotFound("Import report expired".to_owned()));
            }
            Err(other) => return Err(other),
        };
        Ok((import, report))
    }
}
