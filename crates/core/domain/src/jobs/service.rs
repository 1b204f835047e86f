use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{Job, JobCounts, JobId, NewJob};
use super::ports::{JobQueue, JobRepository};
use super::view::JobView;
use crate::DomainError;

/// Submitting and observing jobs: what the API side uses.
#[derive(Clone)]
pub struct JobService {
    repo: Arc<dyn JobRepository>,
    queue: Arc<dyn JobQueue>,
    max_attempts: i32,
}

impl JobService {
    pub fn new(repo: Arc<dyn JobRepository>, queue: Arc<dyn JobQueue>, max_attempts: i32) -> Self {
        Self {
            repo,
            queue,
            max_attempts: max_attempts.max(1),
        }
    }

    /// Records the job, then publishes it. The record is the source of truth: when the
    /// transport refuses the message, the job stays `queued` and the stale-job sweeper
    /// republishes it, so an accepted job is never lost.
    /// Errors: those of [`JobRepository::create`].
    pub async fn submit(
        &self,
        kind: impl Into<String>,
        payload: serde_json::Value,
    ) -> Result<Job, DomainError> {
        let job = self
            .repo
            .create(NewJob {
                kind: kind.into(),
                payload,
                max_attempts: self.max_attempts,
            })
            .await?;
        if let Err(error) = self.queue.publish(&job).await {
            tracing::warn!(job.id = %job.id, %error, "publish failed; the sweeper will retry");
        }
        Ok(job)
    }

    /// Errors: `NotFound` for an unknown id.
    pub async fn get(&self, id: JobId) -> Result<Job, DomainError> {
        self.repo.get(id).await
    }

    /// Submits a job of `kind` and shows it as that kind's view (see [`Self::submit`]).
    /// Errors: those of [`Self::submit`]; `Internal` when the payload does not serialize.
    pub(crate) async fn submit_view<P, R>(
        &self,
        kind: &str,
        payload: &P,
        not_found: &str,
    ) -> Result<JobView<P, R>, DomainError>
    where
        P: Serialize + DeserializeOwned,
        R: DeserializeOwned,
    {
        let payload = serde_json::to_value(payload).map_err(DomainError::internal)?;
        let job = self.submit(kind, payload).await?;
        JobView::from_job(job, kind, not_found)
    }

    /// The job `id` as a view of `kind`. Errors: `NotFound(not_found)` for an unknown id or
    /// a job of another kind; `Unavailable`, `Internal`.
    pub(crate) async fn get_view<P, R>(
        &self,
        id: JobId,
        kind: &str,
        not_found: &str,
    ) -> Result<JobView<P, R>, DomainError>
    where
        P: DeserializeOwned,
        R: DeserializeOwned,
    {
        let job = self.get(id).await.map_err(|e| match e {
            DomainError::NotFound(_) => DomainError::NotFound(not_found.to_owned()),
            other => other,
        })?;
        JobView::from_job(job, kind, not_found)
    }

    /// The queue's depth by state (see [`JobRepository::count_by_state`]).
    pub async fn counts(&self) -> Result<JobCounts, DomainError> {
        self.repo.count_by_state().await
    }

    /// Publishes again every job whose message may have been lost (see
    /// [`JobRepository::list_stale`]). Duplicates are harmless: the claim lets one run.
    /// Returns how many were republished.
    pub async fn republish_stale(&self, grace: Duration, limit: i64) -> Result<usize, DomainError> {
        let stale = self.repo.list_stale(grace, limit).await?;
        let mut published = 0;
        for job in &stale {
            match self.queue.publish(job).await {
                Ok(()) => published += 1,
                Err(error) => {
                    tracing::warn!(%error, "republish failed; will try again");
                    break;
                }
            }
        }
        Ok(published)
    }
}
