//! The job side of `ents-worker`: the RabbitMQ consumer and the stale-job sweeper.

use std::future::Future;
use std::time::Duration;

use ents_amqp::{AmqpError, AmqpSettings, run_consumer};
use ents_domain::jobs::{JobRunner, JobService};

use super::sweeper::run_sweeper;
use crate::shutdown::Stop;

/// What [`run_worker`] needs besides the domain pieces.
#[derive(Debug, Clone)]
pub struct WorkerSettings {
    pub amqp: AmqpSettings,
    /// How often the stale-job sweeper looks for lost messages.
    pub sweep_interval: Duration,
    /// How long a due job may wait without running before the sweeper republishes it.
    pub stale_grace: Duration,
}

impl WorkerSettings {
    pub fn new(amqp: AmqpSettings) -> Self {
        Self {
            amqp,
            sweep_interval: Duration::from_secs(30),
            stale_grace: Duration::from_secs(300),
        }
    }
}

/// The worker process: consumes the RabbitMQ job queue with `runner`, and sweeps stale jobs
/// back into it through `service` (whose queue should be an `AmqpJobQueue` on the same
/// settings), until `shutdown` resolves; then stops both, letting running jobs finish
/// (`amqp.shutdown_grace`). Errors: `InvalidSettings` at start-up; broker outages are
/// ridden out, not returned.
pub async fn run_worker<F>(
    runner: JobRunner,
    service: JobService,
    settings: WorkerSettings,
    shutdown: F,
) -> Result<(), AmqpError>
where
    F: Future<Output = ()> + Send,
{
    settings.amqp.validate()?;
    let stop = Stop::new();
    let consumer = run_consumer(settings.amqp.clone(), runner, stop.stopped());
    let sweeper = run_sweeper(
        service,
        settings.sweep_interval,
        settings.stale_grace,
        stop.stopped(),
    );
    let relay = async {
        shutdown.await;
        tracing::info!("job consumer shutting down");
        stop.stop();
    };
    let (consumed, (), ()) = tokio::join!(consumer, sweeper, relay);
    consumed
}
