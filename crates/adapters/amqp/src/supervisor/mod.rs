//! The one reconnect loop of every consumer: connect, declare the topology, subscribe, hand
//! the deliveries to the consumer's [`Consume`], and after any failure start over with
//! back-off, until shutdown. A broker restart or a network cut only pauses a consumer.
//!
//! lapin's own auto-recovery is deliberately not used: one code path for every failure, and
//! every new session declares the topology again.

mod deliveries;

use std::future::Future;
use std::time::Duration;

use lapin::Consumer;
use lapin::options::{BasicCancelOptions, BasicConsumeOptions};
use lapin::types::FieldTable;
use tokio::time::Instant;

pub(crate) use self::deliveries::Deliveries;
use crate::backoff::Backoff;
use crate::error::AmqpError;
use crate::session::{Role, Session};
use crate::settings::AmqpSettings;
use crate::shutdown::Shutdown;
use crate::topology::{Topology, short};

/// What one consumer does with the deliveries; the supervisor does the rest.
pub(crate) trait Consume {
    /// Names the consumer in logs ("job consumer", "upload consumer").
    const NAME: &'static str;

    /// Handles the deliveries of one session until they report shutdown (`Ok`) or fail
    /// (`Err`: the session is lost, and the supervisor reconnects).
    async fn consume(&mut self, deliveries: &mut Deliveries<'_, '_>) -> Result<(), AmqpError>;

    /// After shutdown, before the session (if any) closes: let work in progress end, within
    /// `grace`. Also called when shutdown comes while disconnected.
    async fn finish(&mut self, grace: Duration);
}

/// Runs `work` on the main queue of `topology` until `shutdown` resolves; then stops the
/// subscription, lets `work` finish (`settings.shutdown_grace`) and closes.
///
/// Any connection or channel failure (broker restart, network cut, consumer cancelled,
/// connection found closed) is logged and followed by a reconnect with exponential back-off
/// (`reconnect_min` .. `reconnect_max`; a session that held for `reconnect_max` starts the
/// back-off over). Deliveries left unacknowledged by a lost session are redelivered by the
/// broker, so `work` must be idempotent.
pub(crate) async fn supervise<W, F>(
    settings: &AmqpSettings,
    topology: &Topology,
    work: &mut W,
    shutdown: F,
) where
    W: Consume,
    F: Future<Output = ()> + Send,
{
    let mut shutdown = Shutdown::new(shutdown);
    let mut backoff = Backoff::new(settings.reconnect_min, settings.reconnect_max);
    loop {
        let opened = tokio::select! {
            () = shutdown.wait() => break,
            opened = subscribe(settings, topology) => opened,
        };
        let error = match opened {
            Ok((session, consumer)) => {
                tracing::info!(consumer = W::NAME, queue = %topology.main,
                    prefetch = settings.prefetch, "consuming");
                let since = Instant::now();
                let tag = consumer.tag();
                let mut deliveries = Deliveries::new(&session, consumer, &mut shutdown);
                match work.consume(&mut deliveries).await {
                    Ok(()) => {
                        // One round trip: a broker gone silent must not hold the stop
                        // for the whole grace, which is for the running work.
                        let cancel_within = settings.connect_timeout.min(settings.shutdown_grace);
                        unsubscribe(&session, tag.as_str(), cancel_within).await;
                        work.finish(settings.shutdown_grace).await;
                        session.close().await;
                        tracing::info!(consumer = W::NAME, "stopped");
                        return;
                    }
                    Err(error) => {
                        session.close().await;
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
        tracing::warn!(consumer = W::NAME, %error, ?pause, "lost the broker; reconnecting");
        metrics::counter!(crate::metrics::RECONNECTS, "role" => W::NAME).increment(1);
        tokio::select! {
            () = shutdown.wait() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    // Shut down while disconnected: what an earlier session started still finishes (its
    // acks fail; the broker redelivers those messages).
    work.finish(settings.shutdown_grace).await;
    tracing::info!(consumer = W::NAME, "stopped");
}

/// A consumer session: connection, channel with prefetch, topology, and the subscription
/// (manual acks), all bounded by `connect_timeout` each.
async fn subscribe(
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
    match tokio::time::timeout(after, subscribe).await {
        Ok(Ok(consumer)) => Ok((session, consumer)),
        Ok(Err(error)) => {
            session.close().await;
            Err(error.into())
        }
        Err(_) => {
            session.close().await;
            Err(AmqpError::Timeout {
                what: "subscribing to the queue",
                after,
            })
        }
    }
}

/// Stops new deliveries (bounded by `grace`). Deliveries buffered but not handled go back to
/// the queue when the channel closes.
async fn unsubscribe(session: &Session, tag: &str, grace: Duration) {
    let cancel = session
        .channel
        .basic_cancel(tag.into(), BasicCancelOptions::default());
    match tokio::time::timeout(grace, cancel).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => tracing::debug!(%error, "cancelling the subscription failed"),
        Err(_) => tracing::debug!("cancelling the subscription timed out"),
    }
}
