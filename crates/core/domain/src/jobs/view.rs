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
    /// 0..=1; exactly 1 once succeeded (a handler's last report may have been below it).
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
        let progress = if job.state == JobState::Succeeded {
            1.0
        } else {
            job.progress
        };
        Ok(Self {
            id: job.id,
            state: job.state,
            progress,
            result,
            error: job.error,
            created_at: job.created_at,
            finished_at: job.finished_at,
            payload,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::Utc;

    use super::JobView;
    use crate::jobs::{Job, JobId, JobState};

    fn job(state: JobState, progress: f32) -> Job {
        Job {
            id: JobId::new(),
            kind: "k".into(),
            state,
            attempts: 1,
            max_attempts: 3,
            progress,
            payload: serde_json::json!({}),
            result: None,
            error: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
            started_at: None,
            finished_at: None,
            run_after: Utc::now(),
            lease_until: None,
        }
    }

    fn progress(state: JobState, reported: f32) -> f32 {
        let view: JobView<serde_json::Value, serde_json::Value> =
            JobView::from_job(job(state, reported), "k", "not found").unwrap();
        view.progress
    }

    #[test]
    fn a_succeeded_job_shows_full_progress_and_others_what_was_reported() {
        assert_eq!(progress(JobState::Succeeded, 0.99), 1.0);
        assert_eq!(progress(JobState::Running, 0.5), 0.5);
        assert_eq!(progress(JobState::Failed, 0.25), 0.25);
    }
}
