//! The job pipeline as the API server runs it.
//!
//! With a broker (`amqp.url`): jobs are published to RabbitMQ and the `ents-worker` binary
//! runs them. Without one (the embedded default): an in-process queue runs them inside this
//! process, a sweeper republishes jobs whose message was lost (e.g. by a restart), and the
//! export-file retention sweep and the rollup-maintenance sampler run here (with a broker,
//! the worker runs them). Job records are
//! in PostgreSQL either way.

use std::sync::Arc;
use std::time::Duration;

use ents_amqp::AmqpJobQueue;
use ents_config::Settings;
use ents_domain::health::ReadinessProbe;
use ents_domain::jobs::{HandlerRegistry, JobQueue, JobRepository, JobRunner, JobService};
use ents_persistence::{Db, PgJobRepository};
use tokio::task::JoinHandle;

use crate::exports::{RETENTION_SWEEP_INTERVAL, export_files, run_export_retention};
use crate::jobs::{InProcessQueue, run_sweeper};
use crate::settings::{amqp_settings, runner_settings};
use crate::shutdown::Stop;

/// Running job machinery, stopped by [`JobRuntime::shutdown`].
pub struct JobRuntime {
    service: JobService,
    readiness: Option<Arc<dyn ReadinessProbe>>,
    stop: Stop,
    tasks: Vec<JoinHandle<()>>,
    in_process: Option<Arc<InProcessQueue>>,
    broker: Option<AmqpJobQueue>,
}

impl JobRuntime {
    /// Starts the embedded queue, or connects the broker publisher.
    pub fn start(settings: &Settings, db: Db, handlers: HandlerRegistry) -> anyhow::Result<Self> {
        let repo: Arc<dyn JobRepository> = Arc::new(PgJobRepository::new(db.clone()));
        let stop = Stop::new();
        let max_attempts = settings.jobs.max_attempts;

        if let Some(amqp) = amqp_settings(settings) {
            amqp.validate()?;
            let publisher = AmqpJobQueue::new(amqp)?;
            let readiness: Arc<dyn ReadinessProbe> = Arc::new(publisher.readiness());
            let queue: Arc<dyn JobQueue> = Arc::new(publisher.clone());
            tracing::info!("jobs go to RabbitMQ; run `ents-worker` to execute them");
            return Ok(Self {
                service: JobService::new(repo, queue, max_attempts),
                readiness: Some(readiness),
                stop,
                tasks: Vec::new(),
                in_process: None,
                broker: Some(publisher),
            });
        }

        let runner = JobRunner::new(repo.clone(), handlers, runner_settings(settings));
        let (queue, dispatcher) =
            InProcessQueue::start(runner, settings.jobs.in_process_concurrency);
        let service = JobService::new(repo, queue.clone(), max_attempts);
        let sweeper = tokio::spawn(run_sweeper(
            service.clone(),
            Duration::from_secs(settings.jobs.sweep_interval_secs),
            Duration::from_secs(settings.jobs.sweep_grace_secs),
            stop.stopped(),
        ));
        let retention = tokio::spawn(run_export_retention(
            export_files(settings),
            settings.exports.retention(),
            RETENTION_SWEEP_INTERVAL,
            stop.stopped(),
        ));
        let rollups = {
            let (settings, db, stopped) = (settings.clone(), db.clone(), stop.stopped());
            tokio::spawn(async move {
                crate::metrics::run_rollup_sampler(&settings, db, stopped).await;
            })
        };
        let alerts = {
            let evaluator = crate::alerts::evaluator(settings, &db, service.clone());
            let settings = settings.clone();
            let stopped = stop.stopped();
            tokio::spawn(async move {
                crate::alerts::run_alert_evaluation(&settings, evaluator, stopped).await;
            })
        };
        tracing::info!("no broker configured: jobs run in-process");
        Ok(Self {
            service,
            readiness: None,
            stop,
            tasks: vec![sweeper, retention, rollups, alerts, dispatcher],
            in_process: Some(queue),
            broker: None,
        })
    }

    /// Submitting and observing jobs.
    pub fn service(&self) -> &JobService {
        &self.service
    }

    /// The broker's readiness probe, when a broker is configured.
    pub fn readiness(&self) -> Option<Arc<dyn ReadinessProbe>> {
        self.readiness.clone()
    }

    /// Stops the sweeper and the in-process queue (running jobs finish, bounded), closes the
    /// broker connection.
    pub async fn shutdown(self) {
        self.stop.stop();
        if let Some(queue) = &self.in_process {
            queue.close();
        }
        for task in self.tasks {
            if tokio::time::timeout(Duration::from_secs(30), task)
                .await
                .is_err()
            {
                tracing::warn!("a job task did not stop in time");
            }
        }
        if let Some(broker) = self.broker {
            broker.close().await;
        }
    }
}
