use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;

use super::model::{Job, JobId, JobState};
use crate::DomainError;

/// What a client may know about a job of one kind (an export, an import): the record's
/// public fields, with its payload `P` and its result `R` read as the kind's own types.
#[derive(Debug, Clone, PartialEq)]
pub struct JobView<P, R> {
    pub id: JobId,
    pub state: JobState,
    pub progress: f32,
    /// Set once succeeded.
    pub result: Option<R>,
    /// The last failure message.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Who asked for what: each kind shows what a client may see of it.
    pub(crate) payload: P,
}

impl<P: DeserializeOwned, R: DeserializeOwned> JobView<P, R> {
    /// Errors: `NotFound(not_found)` when the job is not of `kind` or its payload is
    /// unreadable (as for an unknown id, so other jobs cannot be probed). An unreadable result
    /// reads as none.
    pub(crate) fn from_job(job: Job, kind: &str, not_found: &str) -> Result<Self, DomainError> {
        let not_found = || DomainError::NotFound(not_found.to_owned());
        if job.kind != kind {
            return Err(not_found());
        }
        let payload: P = serde_json::from_value(job.payload).map_err(|_| not_found())?;
        let result = match (job.state, job.result) {
            (JobState::Succeeded, Some(value)) => serde_json::from_value(value).ok(),
            _ => None,
        };
        Ok(Self {
            id: job.id,
            state: job.state,
            progress: job.progress,
            result,
            error: job.error,
            created_at: job.created_at,
            finished_at: job.finished_at,
            payload,
        })
    }
}
