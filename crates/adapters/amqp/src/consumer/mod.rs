//! The supervised consumer: one loop that connects, consumes, and starts over with
//! back-off after any failure, so a broker restart or a network cut only pauses it.

mod delivery;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ents_domain::jobs::JobRunner;
use futures_util::StreamExt;
use lapin::Consumer;
use lapin::options::{BasicCancelOptions, BasicConsumeOptions};
use lapin::types::FieldTable;
use tokio::task::JoinSet;
use tokio::time::Instant;
use tracing::Instrument;

use self::delivery::DeliveryContext;
use crate::backoff::Backoff;
use crate::error::AmqpError;
use crate::publisher::AmqpJobQueue;
use crate::session::{Role, Session};
use crate::settings::AmqpSettings;
use crate::shutdown::Shutdown;
use crate::topology::{Topology, short};

/// How often the loop checks that the connection is still open, in case the client
/// library does not end the delivery stream when it dies.
const WATCHDOG_PERIOD: Duration = Duration::from_secs(1);

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
/// Any connection or channel failure (broker restart, network cut, consumer cancelled) is
/// logged and followed by a reconnect with exponential back-off (`reconnect_min` ..
/// `reconnect_max`) that declares the topology again. Deliveries left unacknowledged by a
/// lost connection are redelivered by the broker; the job claim makes that harmless.
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
    let context = Arc::new(DeliveryContext::new(
        runner,
        publisher.clone(),
        settings.reconnect_min,
    ));
    let mut shutdown = Shutdown::new(shutdown);
    let mut inflight = JoinSet::new();
    let mut backoff = Backoff::new(settings.reconnect_min, settings.reconnect_max);

    loop {
        let opened = tokio::select! {
            () = shutdown.wait() => break,
            opened = open(&settings, &topology) => opened,
        };
        let error = match opened {
            Ok((session, consumer)) => {
                tracing::info!(queue = %topology.main, prefetch = settings.prefetch, "consuming jobs");
                let since = Instant::now();
                let tag = consumer.tag();
                match consume(&session, consumer, &context, &mut inflight, &mut shutdown).await {
                    Ok(()) => {
                        stop(
                            &session,
                            tag.as_str(),
                            &mut inflight,
                            settings.shutdown_grace,
                        )
                        .await;
                        publisher.close().await;
                        return Ok(());
                    }
                    Err(error) => {
                        // A session that held for a while was a success: start over gently.
                        if since.elapsed() >= settings.reconnect_max {
                            backoff.reset();
                        }
                        error
                    }
                }
            }
            Err(error) => error,
        };
        let pause = backoff.next_delay();
        tracing::warn!(%error, ?pause, "job consumer lost the broker; reconnecting");
        tokio::select! {
            () = shutdown.wait() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    // Shut down while disconnected: jobs still running from an earlier session finish
    // (their acks fail; the broker redelivers those messages, which are then skipped).
    drain(&mut inflight, settings.shutdown_grace).await;
    publisher.close().await;
    Ok(())
}

/// A consumer session: connection, channel with prefetch, topology, and the subscription.
async fn open(
    settings: &AmqpSettings,
    topology: &Topology,
) -> Result<(Session, Consumer), AmqpError> {
    let session = Session::open(settings, topology, Role::Consumer).await?;
    let after = settings.connect_timeout;
    let subscribe = session.channel.basic_consume(
        short(&topology.main),
        "".into(),                      // the broker picks a unique tag
        BasicConsumeOptions::default(), // manual acks
        FieldTable::default(),
    );
    let consumer =
        tokio::time::timeout(after, subscribe)
            .await
            .map_err(|_| AmqpError::Timeout {
                what: "subscribing to the queue",
                after,
            })??;
    Ok((session, consumer))
}

/// Dispatches deliveries until shutdown (`Ok`) or until the session fails (`Err`).
async fn consume(
    session: &Session,
    mut consumer: Consumer,
    context: &Arc<DeliveryContext>,
    inflight: &mut JoinSet<()>,
    shutdown: &mut Shutdown<'_>,
) -> Result<(), AmqpError> {
    let mut watchdog = tokio::time::interval(WATCHDOG_PERIOD);
    loop {
        tokio::select! {
            () = shutdown.wait() => return Ok(()),
            next = consumer.next() => match next {
                Some(Ok(delivery)) => {
                    let span = tracing::info_span!(
                        "delivery",
                        delivery.tag = delivery.delivery_tag,
                        delivery.redelivered = delivery.redelivered,
                    );
                    inflight.spawn(delivery::handle(context.clone(), delivery).instrument(span));
                }
                Some(Err(error)) => return Err(error.into()),
                None => return Err(AmqpError::ConsumerCancelled),
            },
            Some(joined) = inflight.join_next(), if !inflight.is_empty() => {
                if let Err(error) = joined {
                    tracing::error!(%error, "a delivery task failed");
                }
            }
            _ = watchdog.tick() => {
                if !session.is_open() {
                    return Err(AmqpError::ConnectionLost);
                }
            }
        }
    }
}

/// Graceful stop: no new deliveries, running jobs finish (bounded), then close. Deliveries
/// buffered but not started go back to the queue when the channel closes.
async fn stop(session: &Session, tag: &str, inflight: &mut JoinSet<()>, grace: Duration) {
    tracing::info!(running = inflight.len(), "job consumer stopping");
    let cancel = session
        .channel
        .basic_cancel(tag.into(), BasicCancelOptions::default());
    match tokio::time::timeout(grace, cancel).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%error, "cancelling the subscription failed"),
        Err(_) => tracing::debug!("cancelling the subscription timed out"),
    }
    drain(inflight, grace).await;
    session.close().await;
    tracing::info!("job consumer stopped");
}

/// Waits for the running deliveries, at most `grace`; what is still running then is
/// abandoned (its message is redelivered and its job's lease expires).
async fn drain(inflight: &mut JoinSet<()>, grace: Duration) {
    let all_done = async { while inflight.join_next().await.is_some() {} };
    if tokio::time::timeout(grace, all_done).await.is_err() {
        tracing::warn!(
            abandoned = inflight.len(),
            ?grace,
            "jobs still running at the end of the shutdown grace period"
        );
        inflight.abort_all();
    }
}
