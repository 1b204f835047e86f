//! The `ents-worker` process: runs the jobs published to RabbitMQ (exports, TTN
//! registration…), writes the uploads of the queued ingest mode, and sweeps expired export
//! files. Reads the same configuration as `ents`; needs `amqp.url`.

use std::future::Future;
use std::sync::Arc;

use anyhow::Context;
use ents_amqp::{AmqpError, AmqpJobQueue, AmqpReadiness};
use ents_config::Settings;
use ents_domain::health::ReadinessProbe;
use ents_domain::ingest::BatchWriter;
use ents_domain::jobs::{HandlerRegistry, JobRepository, JobRunner, JobService};
use ents_persistence::{Db, PgJobRepository, PgLiveFeed, PgMeasurementStore, PgReadiness};

use crate::exports::{RETENTION_SWEEP_INTERVAL, export_files, run_export_retention};
use crate::jobs::run_worker;
use crate::metrics::MeteredStore;
use crate::settings::{
    ingest_amqp_settings, ingest_batch_settings, runner_settings, worker_settings,
};
use crate::shutdown::Stop;

/// Runs the worker until `shutdown` resolves, then lets running jobs and batches finish.
/// Errors: no broker configured, invalid settings.
pub async fn run<F>(settings: &Settings, shutdown: F) -> anyhow::Result<()>
where
    F: Future<Output = ()> + Send,
{
    let db = crate::database::pool(settings)?;
    let metrics = crate::metrics::AdminListener::start(settings, readiness(settings, &db)?, &db)?;
    let stop = Stop::new();
    let jobs = consume_jobs(
        settings,
        db.clone(),
        crate::jobs::handlers(settings, &db)?,
        stop.stopped(),
    )?;

    // Queued uploads (`ingest.mode = queued`): consumed whatever the mode, so uploads left in
    // the queue after switching back to `direct` are still written.
    let uploads = ents_amqp::run_ingest_consumer(
        ingest_amqp_settings(settings).context("amqp.url is required")?,
        BatchWriter::new(
            Arc::new(MeteredStore(Arc::new(PgMeasurementStore::new(db.clone())))),
            Some(Arc::new(PgLiveFeed::new(db.clone()))),
        ),
        ingest_batch_settings(settings),
        stop.stopped(),
    );

    let retention = run_export_retention(
        export_files(settings),
        settings.exports.retention(),
        RETENTION_SWEEP_INTERVAL,
        stop.stopped(),
    );

    let alerts = crate::alerts::run_alert_evaluation(
        settings,
        crate::alerts::evaluator(settings, &db, alert_jobs(settings, &db)?),
        stop.stopped(),
    );

    // Database-wide figures: sampled where the stale-job sweeper runs, as the queue depth is.
    let rollups = crate::metrics::run_rollup_sampler(settings, db.clone(), stop.stopped());

    let relay = async {
        shutdown.await;
        tracing::info!("worker shutting down");
        stop.stop();
    };
    tracing::info!(queue = %settings.amqp.queue, "worker started");
    let (jobs, uploads, (), (), (), ()) =
        tokio::join!(jobs, uploads, retention, alerts, rollups, relay);
    if let Some(metrics) = metrics {
        metrics.stop().await;
    }
    jobs?;
    uploads?;
    tracing::info!("worker stopped");
    Ok(())
}

/// Where the evaluator submits notification jobs: the broker, as the API server does.
/// Errors: no broker configured, invalid broker settings.
fn alert_jobs(settings: &Settings, db: &Db) -> anyhow::Result<JobService> {
    let worker = worker_settings(settings).context("amqp.url is required")?;
    Ok(JobService::new(
        Arc::new(PgJobRepository::new(db.clone())),
        Arc::new(AmqpJobQueue::new(worker.amqp)?),
        settings.jobs.max_attempts,
    ))
}

/// What the worker's `/readyz` checks: the database and the broker.
fn readiness(settings: &Settings, db: &Db) -> anyhow::Result<Vec<Arc<dyn ReadinessProbe>>> {
    let broker = match worker_settings(settings) {
        Some(worker) => Some(AmqpReadiness::new(AmqpJobQueue::new(worker.amqp)?)),
        None => None,
    };
    let mut probes: Vec<Arc<dyn ReadinessProbe>> = vec![Arc::new(PgReadiness::new(db.clone()))];
    probes.extend(broker.map(|b| Arc::new(b) as Arc<dyn ReadinessProbe>));
    Ok(probes)
}

/// The job consumer of `settings`' broker with `handlers`, its own job store connection on
/// `db`, and a publisher for retries and the stale-job sweep; it runs when awaited, until
/// `shutdown` resolves. Errors: no broker configured, invalid broker settings.
pub fn consume_jobs<F>(
    settings: &Settings,
    db: Db,
    handlers: HandlerRegistry,
    shutdown: F,
) -> anyhow::Result<impl Future<Output = Result<(), AmqpError>> + use<F>>
where
    F: Future<Output = ()> + Send,
{
    let worker = worker_settings(settings).context(
        "amqp.url (ENTS_AMQP__URL) is required by the worker; without a broker, \
         `ents serve` runs jobs in-process",
    )?;
    let repo: Arc<dyn JobRepository> = Arc::new(PgJobRepository::new(db));
    let runner = JobRunner::new(repo.clone(), handlers, runner_settings(settings));
    let publisher = AmqpJobQueue::new(worker.amqp.clone())?;
    let service = JobService::new(repo, Arc::new(publisher), settings.jobs.max_attempts);
    Ok(run_worker(runner, service, worker, shutdown))
}
