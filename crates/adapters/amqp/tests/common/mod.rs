//! Shared fixtures: a fresh database, unique queues, a counting handler, the broker behind a
//! chaos proxy. Bounded waits, logs and queue clean-up are `ents_test_support`'s.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ents_amqp::{AmqpJobQueue, AmqpSettings, run_consumer};
use ents_domain::jobs::{
    HandlerRegistry, Job, JobFailure, JobHandler, JobId, JobRepository, JobRunner, JobService,
    JobState, ProgressSink, RunnerSettings,
};
use ents_persistence::PgJobRepository;
use ents_persistence::testing::TestDb;
use ents_test_support::wait_until;
use lapin::{Connection, ConnectionProperties};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Settings for a test: unique queues, quick reconnects.
pub fn settings(url: &str, queue: &str) -> AmqpSettings {
    AmqpSettings {
        url: url.to_owned(),
        queue: queue.to_owned(),
        prefetch: 4,
        confirm_timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(10),
        publish_deadline: Duration::from_secs(3),
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(800),
        shutdown_grace: Duration::from_secs(20),
    }
}

/// A fresh database and a unique queue base name.
pub struct Fixture {
    pub db: TestDb,
    pub repo: Arc<PgJobRepository>,
    pub queue: String,
}

impl Fixture {
    /// Also starts the test logs.
    pub async fn new(prefix: &str) -> Self {
        ents_test_support::init_logs();
        let db = TestDb::new().await;
        let repo = Arc::new(PgJobRepository::new(db.db()));
        Self {
            db,
            repo,
            queue: ents_test_support::unique_name(prefix),
        }
    }

    pub fn settings(&self) -> AmqpSettings {
        settings(&ents_test_support::amqp_url(), &self.queue)
    }

    /// A consumer running `handlers` on this fixture's queue, the queue's publisher, and a
    /// job service publishing through it.
    pub fn run(
        &self,
        handlers: HandlerRegistry,
    ) -> (RunningConsumer, Arc<AmqpJobQueue>, JobService) {
        let consumer = RunningConsumer::start(self.settings(), self.runner(handlers));
        let queue = Arc::new(AmqpJobQueue::new(self.settings()).unwrap());
        let service = JobService::new(self.repo.clone(), queue.clone(), 3);
        (consumer, queue, service)
    }

    pub fn runner(&self, handlers: HandlerRegistry) -> JobRunner {
        let settings = RunnerSettings {
            lease: Duration::from_secs(5),
            retry_backoff: Duration::from_millis(50),
            max_backoff: Duration::from_millis(200),
        };
        JobRunner::new(self.repo.clone(), handlers, settings)
    }

    pub async fn job(&self, id: JobId) -> Job {
        self.repo.get(id).await.unwrap()
    }

    /// Waits until every job in `ids` is finished.
    pub async fn wait_finished(&self, ids: &[JobId]) {
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

    /// Deletes the test's queues (best effort).
    pub async fn delete_queues(&self) {
        ents_test_support::delete_queues(&self.queue).await;
    }
}

/// A connection to the test broker; the handshake is bounded (a silent broker fails the test).
pub async fn connect() -> lapin::Result<Connection> {
    let url = ents_test_support::amqp_url();
    let handshake = Connection::connect(&url, ConnectionProperties::default());
    tokio::time::timeout(Duration::from_secs(15), handshake)
        .await
        .expect("the test broker answers in time")
}

/// A consumer running in the background until [`RunningConsumer::stop`].
pub struct RunningConsumer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), ents_amqp::AmqpError>>,
}

impl RunningConsumer {
    pub fn start(settings: AmqpSettings, runner: JobRunner) -> Self {
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(run_consumer(settings, runner, shutdown));
        Self { stop, task }
    }

    /// Asks for a graceful stop and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(ents_test_support::PATIENCE, self.task)
            .await
            .expect("the consumer did not stop")
            .expect("the consumer panicked")
            .expect("the consumer failed");
    }
}

/// How the counting handler behaves.
#[derive(Debug, Clone, Copy)]
pub enum Behaviour {
    /// Succeeds after `work`.
    Succeed,
    /// Fails (retryable) the first `n` attempts of each job, then succeeds.
    FailFirst(usize),
    /// Always fails, retryable.
    AlwaysFail,
}

/// Counts its runs per job; sleeps `work` per run so duplicates overlap with a running job.
#[derive(Clone)]
pub struct CountingHandler {
    pub kind: &'static str,
    pub behaviour: Behaviour,
    pub work: Duration,
    pub runs: Arc<Mutex<HashMap<JobId, usize>>>,
}

impl CountingHandler {
    pub fn new(kind: &'static str, behaviour: Behaviour, work: Duration) -> Self {
        Self {
            kind,
            behaviour,
            work,
            runs: Arc::default(),
        }
    }

    pub fn registry(&self) -> HandlerRegistry {
        HandlerRegistry::new().with(Arc::new(self.clone()))
    }

    pub fn runs_of(&self, id: JobId) -> usize {
        self.runs.lock().unwrap().get(&id).copied().unwrap_or(0)
    }

    pub fn total_runs(&self) -> usize {
        self.runs.lock().unwrap().values().sum()
    }
}

#[async_trait]
impl JobHandler for CountingHandler {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(&self, job: &Job, _: &dyn ProgressSink) -> Result<serde_json::Value, JobFailure> {
        let run = {
            let mut runs = self.runs.lock().unwrap();
            let count = runs.entry(job.id).or_default();
            *count += 1;
            *count
        };
        tokio::time::sleep(self.work).await;
        let fail = match self.behaviour {
            Behaviour::Succeed => false,
            Behaviour::FailFirst(n) => run <= n,
            Behaviour::AlwaysFail => true,
        };
        if fail {
            Err(JobFailure::Retryable(format!("attempt {run} failed")))
        } else {
            Ok(serde_json::json!({ "run": run }))
        }
    }
}

pub fn assert_state(job: &Job, state: JobState) {
    assert_eq!(
        job.state, state,
        "job {} is {:?}: {:?}",
        job.id, job.state, job.error
    );
}

/// `host:port` of the test broker, for a [`ents_test_support::ChaosProxy`] in front of it.
pub fn broker_addr() -> String {
    let uri: lapin::uri::AMQPUri = ents_test_support::amqp_url().parse().unwrap();
    format!("{}:{}", uri.authority.host, uri.authority.port)
}

/// The test broker's URL, reached through a local proxy on `port`.
pub fn via(port: u16) -> String {
    let uri: lapin::uri::AMQPUri = ents_test_support::amqp_url().parse().unwrap();
    let user = &uri.authority.userinfo;
    let vhost = uri.vhost.replace('/', "%2f");
    format!(
        "amqp://{}:{}@127.0.0.1:{port}/{vhost}",
        user.username, user.password
    )
}
