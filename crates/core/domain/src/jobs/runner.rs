use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;

use super::model::{Job, JobId};
use super::ports::{Claim, JobFailure, JobHandler, JobRepository, ProgressSink};
use crate::DomainError;

/// Tunables of [`JobRunner`].
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// How long one claim is valid without a progress report.
    pub lease: Duration,
    /// Back-off before the first retry; doubles per attempt up to `max_backoff`.
    pub retry_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RunnerSettings {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(300),
            retry_backoff: Duration::from_secs(2),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// The handlers a runner knows, by job kind.
#[derive(Default, Clone)]
pub struct HandlerRegistry {
    handlers: HashMap<&'static str, Arc<dyn JobHandler>>,
}

impl HandlerRegistry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the handler for its kind.
    pub fn with(mut self, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(handler.kind(), handler);
        self
    }

    pub fn get(&self, kind: &str) -> Option<&Arc<dyn JobHandler>> {
        self.handlers.get(kind)
    }

    pub fn kinds(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.handlers.keys().copied()
    }
}

/// What the transport should do with the delivery that carried the job.
#[derive(Debug, Clone, PartialEq)]
pub enum Execution {
    /// The job ran and succeeded: acknowledge.
    Succeeded,
    /// Already finished, or unknown: a duplicate delivery. Acknowledge, do nothing else.
    Skipped,
    /// Someone else holds it, or its back-off has not elapsed: deliver it again after the delay.
    NotYet { retry_in: Duration },
    /// The attempt failed and will be retried: schedule a new delivery after the delay.
    Retry { after: Duration, error: String },
    /// Failed for good: dead-letter the message.
    Dead { error: String },
}

/// The use case every job consumer calls for each delivery. Guarantees, with the
/// repository's claim: a finished job never runs again; a job runs at most
/// `max_attempts` times; every failure is recorded before the delivery is settled.
#[derive(Clone)]
pub struct JobRunner {
    repo: Arc<dyn JobRepository>,
    handlers: HandlerRegistry,
    settings: RunnerSettings,
}

impl JobRunner {
    pub fn new(
        repo: Arc<dyn JobRepository>,
        handlers: HandlerRegistry,
        settings: RunnerSettings,
    ) -> Self {
        Self {
            repo,
            handlers,
            settings,
        }
    }

    pub fn settings(&self) -> &RunnerSettings {
        &self.settings
    }

    /// Runs one attempt of job `id` if it is due. Errors: `Unavailable`/`Internal` when the
    /// job store fails; the delivery must then be retried later (not acknowledged).
    #[tracing::instrument(skip(self), fields(job.kind, job.attempt))]
    pub async fn execute(&self, id: JobId) -> Result<Execution, DomainError> {
        let job = match self.repo.claim(id, self.settings.lease).await {
            Ok(Claim::Run(job)) => job,
            Ok(Claim::Finished(_)) => return Ok(Execution::Skipped),
            Ok(Claim::NotYet(job)) => {
                return Ok(Execution::NotYet {
                    retry_in: wait_for(&job),
                });
            }
            Err(DomainError::NotFound(_)) => {
                tracing::warn!("delivery for an unknown job; dropping it");
                return Ok(Execution::Skipped);
            }
            Err(e) => return Err(e),
        };
        let span = tracing::Span::current();
        span.record("job.kind", job.kind.as_str());
        span.record("job.attempt", job.attempts);
        // Operators (and the fleet test) see which process runs which attempt.
        tracing::info!("job started");

        // A consumer that died mid-attempt (a crash, a poison message) leaves the attempt
        // counted: give up once the budget is spent instead of crashing forever.
        if job.attempts > job.max_attempts {
            let error = format!("gave up after {} attempts", job.max_attempts);
            self.repo.fail(id, &error, None).await?;
            return Ok(Execution::Dead { error });
        }

        let Some(handler) = self.handlers.get(&job.kind) else {
            let error = format!("no handler for job kind '{}'", job.kind);
            self.repo.fail(id, &error, None).await?;
            return Ok(Execution::Dead { error });
        };

        let progress = RepoProgress {
            repo: self.repo.clone(),
            id,
            lease: self.settings.lease,
        };
        match handler.run(&job, &progress).await {
            Ok(result) => {
                self.repo.complete(id, result).await?;
                tracing::info!("job succeeded");
                Ok(Execution::Succeeded)
            }
            Err(JobFailure::Retryable(error)) if job.attempts < job.max_attempts => {
                let after = self.backoff(job.attempts);
                self.repo.fail(id, &error, Some(after)).await?;
                tracing::warn!(%error, ?after, "job attempt failed; will retry");
                Ok(Execution::Retry { after, error })
            }
            Err(JobFailure::Retryable(error) | JobFailure::Permanent(error)) => {
                self.repo.fail(id, &error, None).await?;
                tracing::error!(%error, "job failed for good");
                Ok(Execution::Dead { error })
            }
        }
    }

    fn backoff(&self, attempts: i32) -> Duration {
        let exponent = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(0)
            .min(16);
        self.settings
            .retry_backoff
            .saturating_mul(1 << exponent)
            .min(self.settings.max_backoff)
    }
}

/// How long until a `NotYet` job may be due: its back-off or the other consumer's lease.
fn wait_for(job: &Job) -> Duration {
    let now = Utc::now();
    let until = job.lease_until.unwrap_or(job.run_after).max(job.run_after);
    (until - now)
        .to_std()
        .unwrap_or(Duration::ZERO)
        .clamp(Duration::from_millis(200), Duration::from_secs(30))
}

struct RepoProgress {
    repo: Arc<dyn JobRepository>,
    id: JobId,
    lease: Duration,
}

#[async_trait]
impl ProgressSink for RepoProgress {
    async fn report(&self, fraction: f32) {
        if let Err(error) = self.repo.set_progress(self.id, fraction, self.lease).await {
            tracing::warn!(%error, "could not record job progress");
        }
    }
}
