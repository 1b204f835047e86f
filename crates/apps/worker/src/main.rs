//! `ents-worker`: runs the jobs published to RabbitMQ (exports, TTN registration, imports…)
//! until SIGINT/SIGTERM. Reads the same configuration as `ents`; needs `amqp.url`.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::Parser;
use ents_amqp::AmqpJobQueue;
use ents_config::Settings;
use ents_domain::ingest::BatchWriter;
use ents_domain::jobs::{JobRepository, JobRunner, JobService};
use ents_persistence::{Db, PgJobRepository, PgLiveFeed, PgLoggerRepository, PgMeasurementStore};
use ents_worker::wiring::{
    ingest_amqp_settings, ingest_batch_settings, pool_settings, runner_settings, worker_settings,
};

#[derive(Debug, Parser)]
#[command(
    name = "ents-worker",
    version,
    about = "ENTS job worker (RabbitMQ consumer)"
)]
struct Cli {
    /// TOML configuration file (default: ./ents.toml when it exists).
    #[arg(long, env = "ENTS_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    ents_worker::telemetry::init(&settings.log);

    let worker = worker_settings(&settings).context(
        "amqp.url (ENTS_AMQP__URL) is required by the worker; without a broker, \
         `ents serve` runs jobs in-process",
    )?;
    let db = Db::new(&pool_settings(&settings))?;
    let repo: Arc<dyn JobRepository> = Arc::new(PgJobRepository::new(db.clone()));
    let handlers = ents_worker::ttn::with_ttn_handlers(
        ents_worker::builtin_handlers(),
        &settings,
        Arc::new(PgLoggerRepository::new(db.clone())),
    )
    .context("the [ttn] settings")?
    .with(ents_worker::exports::export_handler(&settings, &db));
    let runner = JobRunner::new(repo.clone(), handlers, runner_settings(&settings));
    let publisher = AmqpJobQueue::new(worker.amqp.clone())?;
    let service = JobService::new(repo, Arc::new(publisher), settings.jobs.max_attempts);

    // Queued uploads (`ingest.mode = queued`): consumed whatever the mode, so uploads left in
    // the queue after switching back to `direct` are still written.
    let uploads = ents_amqp::run_ingest_consumer(
        ingest_amqp_settings(&settings).context("amqp.url is required")?,
        BatchWriter::new(
            Arc::new(PgMeasurementStore::new(db.clone())),
            Some(Arc::new(PgLiveFeed::new(db.clone()))),
        ),
        ingest_batch_settings(&settings),
        shutdown_signal(),
    );

    let retention = ents_worker::run_export_retention(
        ents_worker::exports::export_files(&settings),
        settings.exports.retention(),
        ents_worker::RETENTION_SWEEP_INTERVAL,
        shutdown_signal(),
    );

    tracing::info!(queue = %worker.amqp.queue, "worker started");
    let (jobs, uploads, ()) = tokio::join!(
        ents_worker::run_worker(runner, service, worker, shutdown_signal()),
        uploads,
        retention
    );
    jobs?;
    uploads?;
    tracing::info!("worker stopped");
    Ok(())
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
