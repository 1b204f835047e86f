//! Tests against the real PostgreSQL (a fresh database each) and, where a broker is
//! involved, the real RabbitMQ (unique queues each).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod in_process;
mod sweeper;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ents_domain::jobs::{
    HandlerRegistry, Job, JobFailure, JobHandler, JobId, JobRepository, JobRunner, ProgressSink,
    RunnerSettings,
};
use ents_persistence::PgJobRepository;
use ents_persistence::testing::TestDb;
use ents_test_support::{PATIENCE, init_logs, wait_until};

struct Fixture {
    _db: TestDb,
    repo: Arc<PgJobRepository>,
}

impl Fixture {
    async fn new() -> Self {
        init_logs();
        let db = TestDb::new().await;
        let repo = Arc::new(PgJobRepository::new(db.db()));
        Self { _db: db, repo }
    }

    fn runner(&self, handlers: HandlerRegistry) -> JobRunner {
        let settings = RunnerSettings {
            lease: Duration::from_secs(5),
            retry_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(200),
        };
        JobRunner::new(self.repo.clone(), handlers, settings)
    }

    async fn job(&self, id: JobId) -> Job {
        self.repo.get(id).await.unwrap()
    }

    async fn wait_finished(&self, ids: &[JobId]) {
        wait_until("all jobs finished", || async {
            for id in ids {
                if !self.job(*id).await.state.is_finished() {
                    return false;
                }
            }
            true
        })
        .await;
    }
}

/// Counts runs per job; fails (retryable) the first `fail_first` attempts of each job.
#[derive(Clone)]
struct CountingHandler {
    fail_first: usize,
    runs: Arc<Mutex<HashMap<JobId, usize>>>,
}

impl CountingHandler {
    const KIND: &'static str = "count";

    fn new(fail_first: usize) -> Self {
        Self {
            fail_first,
            runs: Arc::default(),
        }
    }

    fn registry(&self) -> HandlerRegistry {
        crate::jobs::builtin_handlers().with(Arc::new(self.clone()))
    }

    fn runs_of(&self, id: JobId) -> usize {
        self.runs.lock().unwrap().get(&id).copied().unwrap_or(0)
    }
}

#[async_trait]
impl JobHandler for CountingHandler {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(&self, job: &Job, _: &dyn ProgressSink) -> Result<serde_json::Value, JobFailure> {
        let run = {
            let mut runs = self.runs.lock().unwrap();
            let count = runs.entry(job.id).or_default();
            *count += 1;
            *count
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        if run <= self.fail_first {
            Err(JobFailure::Retryable(format!("attempt {run} failed")))
        } else {
            Ok(serde_json::json!({ "run": run }))
        }
    }
}
