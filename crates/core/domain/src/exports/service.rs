use std::sync::Arc;

use super::model::{EXPORT_KIND, Export, ExportPayload, ExportRequest};
use super::ports::{ExportFileStore, ExportReader, ExportRowSource};
use crate::access::{AccessPolicy, Action, CellAccess, CellFactsSource};
use crate::auth::Caller;
use crate::jobs::{JobId, JobService, JobState};
use crate::{ConflictKind, DomainError};

/// The message of `NotFound` for an export that does not exist or is not the caller's.
pub(crate) const NOT_FOUND: &str = "Export not found";

/// The export use cases of the API side.
///
/// Visibility: an export created by an identified caller is visible to that caller only;
/// one created anonymously (possible only while reads are public) to anyone who holds its
/// id (a random UUID). Anyone else gets `NotFound`, as for an unknown id, so ids cannot be
/// probed. Downloads check `Read` on the cells again, in case access changed since.
#[derive(Clone)]
pub struct ExportService {
    jobs: JobService,
    source: Arc<dyn ExportRowSource>,
    access: CellAccess,
    files: Arc<dyn ExportFileStore>,
}

impl ExportService {
    pub fn new(
        jobs: JobService,
        source: Arc<dyn ExportRowSource>,
        facts: Arc<dyn CellFactsSource>,
        files: Arc<dyn ExportFileStore>,
        policy: AccessPolicy,
    ) -> Self {
        Self {
            jobs,
            source,
            access: CellAccess::new(policy, facts),
            files,
        }
    }

    /// Queues an export. `legacy`: created through the seed-era endpoint.
    /// Errors: `NotFound("Cell not found")` for an unknown cell; `Unauthenticated` /
    /// `Forbidden` when the caller may not read every cell; `Unavailable`, `Internal`.
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        request: &ExportRequest,
        legacy: bool,
    ) -> Result<Export, DomainError> {
        // Existence first: with public reads the policy looks nothing up.
        self.source.cell_names(request.cell_ids()).await?;
        self.access
            .authorize(caller, Action::Read, request.cell_ids())
            .await?;
        let payload = ExportPayload::new(request, caller.map(|c| c.user_id), legacy);
        let export: Export = self
            .jobs
            .submit_view(EXPORT_KIND, &payload, NOT_FOUND)
            .await?;
        tracing::info!(export.id = %export.id, cells = ?request.cell_ids(), "export queued");
        Ok(export)
    }

    /// The export, if the caller may see it. Errors: `NotFound(NOT_FOUND)`; `Unavailable`,
    /// `Internal`.
    pub async fn get(&self, caller: Option<&Caller>, id: JobId) -> Result<Export, DomainError> {
        let export: Export = self.jobs.get_view(id, EXPORT_KIND, NOT_FOUND).await?;
        match export.owner() {
            Some(owner) if caller.map(|c| c.user_id) != Some(owner) => {
                Err(DomainError::NotFound(NOT_FOUND.to_owned()))
            }
            _ => Ok(export),
        }
    }

    /// The export and its file. Errors: those of [`Self::get`]; `Conflict(State)` while it is
    /// not finished or when it failed; those of the policy; `NotFound("Export file
    /// expired")` once the file was removed.
    pub async fn download(
        &self,
        caller: Option<&Caller>,
        id: JobId,
    ) -> Result<(Export, Box<dyn ExportReader>), DomainError> {
        let export = self.get(caller, id).await?;
        let file = match (&export.state, &export.result) {
            (JobState::Succeeded, Some(result)) => result.file.clone(),
            (JobState::Failed, _) => {
                return Err(DomainError::conflict(
                    ConflictKind::State,
                    "The export failed; there is nothing to download",
                ));
            }
            (state, _) => {
                return Err(DomainError::conflict(
                    ConflictKind::State,
                    format!("The export is not finished yet (state: {})", state.as_str()),
                ));
            }
        };
        self.access
            .authorize(caller, Action::Read, &export.payload.cell_ids)
            .await?;
        let reader = self.files.open(&file).await?;
        Ok((export, reader))
    }
}
