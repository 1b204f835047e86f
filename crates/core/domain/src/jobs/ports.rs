use std::time::Duration;

use async_trait::async_trait;

use super::model::{Job, JobCounts, JobId, NewJob};
use crate::DomainError;

/// Job records (PostgreSQL in production).
///
/// Errors: `NotFound("Job not found")` for an unknown id where noted; `Unavailable` when the
/// store cannot be reached in time; `Internal` for anything else. No method leaves a record
/// half-updated.
#[async_trait]
pub trait JobRepository: Send + Sync + 'static {
    /// Stores a new job in state `queued`, runnable now (`max_attempts` is raised to 1 at least).
    async fn create(&self, new: NewJob) -> Result<Job, DomainError>;

    /// The record. Errors: `NotFound` for an unknown id.
    async fn get(&self, id: JobId) -> Result<Job, DomainError>;

    /// Atomically takes the job for one attempt: a `queued` job whose `run_after` has passed,
    /// or a `running` job whose lease expired (its consumer died), becomes `running` with
    /// `attempts + 1` and a lease of `lease`. Errors: `NotFound` for an unknown id.
    async fn claim(&self, id: JobId, lease: Duration) -> Result<Claim, DomainError>;

    /// Records progress (clamped to 0..=1) and extends the lease of a running job; a job that
    /// is not running is left as it is (`Ok`).
    async fn set_progress(
        &self,
        id: JobId,
        progress: f32,
        lease: Duration,
    ) -> Result<(), DomainError>;

    /// `running` → `succeeded` with its result. Errors: `Conflict` if the job is not running
    /// (its lease expired and another consumer took it over, or it already finished).
    async fn complete(&self, id: JobId, result: serde_json::Value) -> Result<(), DomainError>;

    /// Records a failed attempt. With `retry_after = Some(d)` the job goes back to `queued`,
    /// runnable after `d`; with `None` it becomes `failed` for good. Errors: `Conflict` if the
    /// job already finished.
    async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_after: Option<Duration>,
    ) -> Result<(), DomainError>;

    /// Jobs whose message may have been lost: `queued` and runnable for longer than
    /// `grace`, or `running` with a lease that expired more than `grace` ago. Oldest first.
    async fn list_stale(&self, grace: Duration, limit: i64) -> Result<Vec<Job>, DomainError>;

    /// How many jobs are runnable, delayed, running and failed right now (one consistent
    /// snapshot). Errors: `Unavailable`, `Internal`.
    async fn count_by_state(&self) -> Result<JobCounts, DomainError>;
}

/// The outcome of [`JobRepository::claim`].
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This consumer now owns one attempt of the job.
    Run(Job),
    /// Already succeeded or failed: a duplicate delivery, nothing to do.
    Finished(Job),
    /// Another consumer holds a valid lease, or the job's back-off has not elapsed:
    /// try the delivery again later.
    NotYet(Job),
}

/// Transport failure of a [`JobQueue`].
#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    /// The broker is unreachable or did not confirm in time. The job record is durable, so
    /// the stale-job sweeper republishes it later.
    #[error("job queue unavailable: {0}")]
    Unavailable(String),
}

/// Carries "run job X" messages to consumers.
#[async_trait]
pub trait JobQueue: Send + Sync + 'static {
    /// Hands the job to the transport. `Ok` means the transport has accepted it durably
    /// (a publisher confirm for RabbitMQ). Errors: `QueueError::Unavailable`.
    async fn publish(&self, job: &Job) -> Result<(), QueueError>;
}

/// Receives progress reports from a running handler.
#[async_trait]
pub trait ProgressSink: Send + Sync {
    /// `fraction` in 0..=1. Also keeps the job's lease alive: long handlers should call it
    /// at least once per lease period.
    async fn report(&self, fraction: f32);
}

/// Why a handler attempt failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum JobFailure {
    /// Worth another attempt (a dependency was down).
    #[error("{0}")]
    Retryable(String),
    /// Will never succeed (bad payload, unknown cell): dead-letter at once.
    #[error("{0}")]
    Permanent(String),
}

/// Executes one kind of job. Must be idempotent: after a crash between its effects and the
/// record's completion, the same job may run again.
#[async_trait]
pub trait JobHandler: Send + Sync + 'static {
    /// The `kind` this handler runs.
    fn kind(&self) -> &'static str;

    /// Does the work; the returned JSON becomes the job's `result`.
    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure>;
}
