//! Jobs measured around their handlers (runs by kind and outcome, their duration, retries),
//! and the queue's depth by state.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use ents_domain::jobs::{HandlerRegistry, Job, JobCounts, JobFailure, JobHandler, ProgressSink};

use super::catalogue::{JOB_DURATION, JOB_QUEUE_DEPTH, JOB_RETRIES, JOBS};

/// Records the queue's depth as the job store reported it (a sample; the stale-job sweep
/// takes one every `jobs.sweep_interval_secs`).
pub fn record_queue_depth(counts: &JobCounts) {
    for (state, count) in [
        ("runnable", counts.runnable),
        ("delayed", counts.delayed),
        ("running", counts.running),
        ("failed", counts.failed),
    ] {
        metrics::gauge!(JOB_QUEUE_DEPTH, "state" => state).set(count as f64);
    }
}

/// `handlers`, each wrapped so that its runs are measured.
pub fn metered(handlers: &HandlerRegistry) -> HandlerRegistry {
    handlers.kinds().filter_map(|kind| handlers.get(kind)).fold(
        HandlerRegistry::new(),
        |registry, handler| {
            // Present at 0 from the start: "no retries" rather than "no data".
            metrics::counter!(JOB_RETRIES, "kind" => handler.kind()).increment(0);
            registry.with(Arc::new(Metered(handler.clone())))
        },
    )
}

struct Metered(Arc<dyn JobHandler>);

#[async_trait]
impl JobHandler for Metered {
    fn kind(&self) -> &'static str {
        self.0.kind()
    }

    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure> {
        let kind = self.0.kind();
        if job.attempts > 1 {
            metrics::counter!(JOB_RETRIES, "kind" => kind).increment(1);
        }
        let started = Instant::now();
        let result = self.0.run(job, progress).await;
        let outcome = match &result {
            Ok(_) => "succeeded",
            Err(JobFailure::Retryable(_)) => "retryable",
            Err(JobFailure::Permanent(_)) => "permanent",
        };
        metrics::histogram!(JOB_DURATION, "kind" => kind).record(started.elapsed().as_secs_f64());
        metrics::counter!(JOBS, "kind" => kind, "outcome" => outcome).increment(1);
        result
    }
}
