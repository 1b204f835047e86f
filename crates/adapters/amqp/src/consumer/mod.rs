//! The job consumer: every delivery names a job, which runs in a task of its own; the
//! connection and its failures are the [`supervisor`](crate::supervisor)'s.

mod delivery;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ents_domain::jobs::JobRunner;
use tokio::task::JoinSet;
use tracing::Instrument;

use self::delivery::DeliveryContext;
use crate::error::AmqpError;
use crate::publisher::AmqpJobQueue;
use crate::settings::AmqpSettings;
use crate::supervisor::{self, Consume, Deliveries};

/// Consumes the main queue and runs every delivered job through `runner` until `shutdown`
/// resolves; then stops taking deliveries, lets running jobs finish (at most
/// `shutdown_grace`) and closes.
///
/// Each delivery runs in its own task (a panicking handler cannot take the consumer down)
/// and is settled only after the runner has committed the outcome to the job store:
/// success or duplicate → ack; retry or "not yet" → confirmed publish to the retry queue,
/// then ack; dead → confirmed publish to the dead-letter queue, then ack; job store
/// unreachable or handler panic → nack with requeue. At most `prefetch` deliveries are
/// unacknowledged at a time.
///
/// Any connection or channel failure is followed by a reconnect with exponential back-off
/// that declares the topology again (see [`supervisor::supervise`]). Deliveries left
/// unacknowledged by a lost connection are redelivered by the broker; the job claim makes
/// that harmless.
///
/// Errors: only `InvalidSettings`, at once. Otherwise it returns `Ok` after shutdown.
pub async fn run_consumer<F>(
    settings: AmqpSettings,
    runner: JobRunner,
    shutdown: F,
) -> Result<(), AmqpError>
where
    F: Future<Output = ()> + Send,
{
    // Retries and dead letters go through a publisher of their own: a confirm-mode channel
    // that reconnects independently of the consuming one.
    let publisher = AmqpJobQueue::new(settings.clone())?;
    let topology = publisher.topology().clone();
    let mut jobs = Jobs {
        context: Arc::new(DeliveryContext::new(
            runner,
            publisher.clone(),
            settings.reconnect_min,
        )),
        inflight: JoinSet::new(),
    };
    supervisor::supervise(&settings, &topology, &mut jobs, shutdown).await;
    publisher.close().await;
    Ok(())
}

/// The running deliveries, one task each.
struct Jobs {
    context: Arc<DeliveryContext>,
    inflight: JoinSet<()>,
}

impl Consume for Jobs {
    const NAME: &'static str = "job consumer";

    async fn consume(&mut self, deliveries: &mut Deliveries<'_, '_>) -> Result<(), AmqpError> {
        loop {
            tokio::select! {
                next = deliveries.next() => match next? {
                    Some(delivery) => {
                        let span = tracing::info_span!(
                            "delivery",
                            delivery.tag = delivery.delivery_tag,
                            delivery.redelivered = delivery.redelivered,
                        );
                        // The publisher's trace (the request that submitted the job)
                        // continues here.
                        let headers = delivery.properties.headers().as_ref();
                        crate::trace_context::continue_in(&span, headers);
                        let task = delivery::handle(self.context.clone(), delivery);
                        self.inflight.spawn(task.instrument(span));
                    }
                    None => return Ok(()),
                },
                Some(joined) = self.inflight.join_next(), if !self.inflight.is_empty() => {
                    if let Err(error) = joined {
                        tracing::error!(%error, "a delivery task failed");
                    }
                }
            }
        }
    }

    /// Waits for the running jobs, at most `grace`; what is still running then is abandoned
    /// (its message is redelivered and its job's lease expires).
    async fn finish(&mut self, grace: Duration) {
        tracing::info!(running = self.inflight.len(), "waiting for running jobs");
        let all_done = async { while self.inflight.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all_done).await.is_err() {
            tracing::warn!(
                abandoned = self.inflight.len(),
                ?grace,
                "jobs still running at the end of the shutdown grace period"
            );
            self.inflight.abort_all();
        }
    }
}
