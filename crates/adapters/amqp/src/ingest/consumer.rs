//! The worker side: consume upload messages, write them in batches, ack after the commit.

use std::future::Future;
use std::time::Duration;

use ents_domain::ingest::{BatchWriter, StoreOutcome};
use ents_domain::measurements::Upload;
use ents_wire::queued_ingest;
use futures_util::StreamExt;
use lapin::Consumer;
use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicNackOptions};
use lapin::types::FieldTable;
use tokio::time::Instant;

use crate::backoff::Backoff;
use crate::error::AmqpError;
use crate::publisher::AmqpJobQueue;
use crate::session::{Role, Session};
use crate::settings::AmqpSettings;
use crate::shutdown::Shutdown;
use crate::topology::{Topology, short};

/// How uploads are grouped into transactions.
#[derive(Debug, Clone, Copy)]
pub struct BatchSettings {
    /// Most uploads per transaction, give or take one message's worth (also the consumer's
    /// prefetch, in messages).
    pub max: usize,
    /// How long to wait for more uploads once a batch has its first one.
    pub wait: Duration,
}

/// Consumes the ingest queue of `settings` until `shutdown`: takes deliveries until they
/// carry `batch.max` uploads (waiting at most `batch.wait` after the first), writes their
/// uploads with `writer` in one transaction, then acknowledges them all. A failed write (database down)
/// hands the whole batch back to the broker after a pause; an upload whose cell vanished
/// since the API checked it is logged and acknowledged (it can never be stored); a body that
/// is not an upload goes to the dead-letter queue. Connection failures reconnect with
/// back-off. Errors: only `InvalidSettings`, at once.
pub async fn run_ingest_consumer<F>(
    settings: AmqpSettings,
    writer: BatchWriter,
    batch: BatchSettings,
    shutdown: F,
) -> Result<(), AmqpError>
where
    F: Future<Output = ()> + Send,
{
    let settings = AmqpSettings {
        prefetch: u16::try_from(batch.max.max(1)).unwrap_or(u16::MAX),
        ..settings
    };
    let dead_letters = AmqpJobQueue::new(settings.clone())?;
    let topology = dead_letters.topology().clone();
    let mut shutdown = Shutdown::new(shutdown);
    let mut backoff = Backoff::new(settings.reconnect_min, settings.reconnect_max);
    loop {
        let opened = tokio::select! {
            () = shutdown.wait() => break,
            opened = open(&settings, &topology) => opened,
        };
        let error = match opened {
            Ok((session, consumer)) => {
                tracing::info!(queue = %topology.main, batch = batch.max, "consuming uploads");
                backoff.reset();
                let ended = consume(
                    consumer,
                    &writer,
                    &dead_letters,
                    batch,
                    settings.reconnect_min,
                    &mut shutdown,
                )
                .await;
                session.close().await;
                match ended {
                    Ok(()) => break,
                    Err(error) => error,
                }
            }
            Err(error) => error,
        };
        let pause = backoff.next_delay();
        tracing::warn!(%error, ?pause, "upload consumer lost the broker; reconnecting");
        tokio::select! {
            () = shutdown.wait() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    dead_letters.close().await;
    tracing::info!("upload consumer stopped");
    Ok(())
}

async fn open(
    settings: &AmqpSettings,
    topology: &Topology,
) -> Result<(Session, Consumer), AmqpError> {
    let session = Session::open(settings, topology, Role::Consumer).await?;
    let consumer = session
        .channel
        .basic_consume(
            short(&topology.main),
            "".into(),
            BasicConsumeOptions::default(), // manual acks
            FieldTable::default(),
        )
        .await?;
    Ok((session, consumer))
}

/// Batches until shutdown (`Ok`) or a broken session (`Err`). A batch being written when
/// shutdown comes is finished first.
async fn consume(
    mut consumer: Consumer,
    writer: &BatchWriter,
    dead_letters: &AmqpJobQueue,
    batch: BatchSettings,
    pause: Duration,
    shutdown: &mut Shutdown<'_>,
) -> Result<(), AmqpError> {
    loop {
        let first = tokio::select! {
            () = shutdown.wait() => return Ok(()),
            next = consumer.next() => next,
        };
        // Each delivery with how many of `uploads` it carried, in order.
        let mut carried = Vec::new();
        let mut uploads = Vec::new();
        let deadline = Instant::now() + batch.wait;
        let mut next = Some(first);
        while let Some(arrived) = next.take() {
            let delivery = delivery(arrived)?;
            // A message may carry several uploads (packed by the API); the batch is bounded
            // by uploads, and a message is acknowledged once all of its uploads are written.
            match queued_ingest::decode_all(&delivery.data) {
                Ok(decoded) => {
                    carried.push((delivery, decoded.len()));
                    uploads.extend(decoded);
                }
                Err(error) => dead_letter(&delivery, dead_letters, &error.to_string(), pause).await,
            }
            if uploads.len() < batch.max {
                next = tokio::time::timeout_at(deadline, consumer.next())
                    .await
                    .ok();
            }
        }
        write(carried, &uploads, writer, pause).await;
    }
}

fn delivery(next: Option<Result<Delivery, lapin::Error>>) -> Result<Delivery, AmqpError> {
    match next {
        Some(Ok(delivery)) => Ok(delivery),
        Some(Err(error)) => Err(error.into()),
        None => Err(AmqpError::ConsumerCancelled),
    }
}

/// Writes `uploads` in one transaction, then acknowledges (or hands back) the deliveries that
/// carried them: `carried` holds each delivery with its number of uploads, in order.
#[tracing::instrument(skip_all, fields(deliveries = carried.len(), uploads = uploads.len()))]
async fn write(
    carried: Vec<(Delivery, usize)>,
    uploads: &[Upload],
    writer: &BatchWriter,
    pause: Duration,
) {
    if uploads.is_empty() {
        return;
    }
    match writer.write(uploads).await {
        Ok(outcomes) => {
            let tags = carried
                .iter()
                .flat_map(|(delivery, n)| std::iter::repeat_n(delivery.delivery_tag, *n));
            for (outcome, tag) in outcomes.iter().zip(tags) {
                if let StoreOutcome::Missing(missing) = outcome {
                    tracing::warn!(tag, cells = ?missing.cells, loggers = ?missing.loggers,
                        "queued upload refers to rows deleted since it was accepted; dropped");
                }
            }
            for (delivery, _) in carried {
                if let Err(error) = delivery.acker.ack(BasicAckOptions::default()).await {
                    tracing::warn!(%error, "acknowledgement failed; the upload will be redelivered (and skipped as a duplicate)");
                }
            }
        }
        Err(error) => {
            tracing::warn!(%error, "writing the batch failed; handing it back to the broker");
            tokio::time::sleep(pause).await;
            for (delivery, _) in carried {
                let options = BasicNackOptions {
                    multiple: false,
                    requeue: true,
                };
                if let Err(error) = delivery.acker.nack(options).await {
                    tracing::debug!(%error, "requeue failed; the broker redelivers anyway");
                }
            }
        }
    }
}

/// Keeps a body that is not an upload in the dead-letter queue, then acknowledges it.
async fn dead_letter(
    delivery: &Delivery,
    dead_letters: &AmqpJobQueue,
    reason: &str,
    pause: Duration,
) {
    tracing::error!(reason, "unreadable upload message; dead-lettering it");
    match dead_letters
        .publish_dead(&delivery.data, None, reason)
        .await
    {
        Ok(()) => {
            let _ = delivery.acker.ack(BasicAckOptions::default()).await;
        }
        Err(error) => {
            tracing::warn!(%error, "could not dead-letter the message; requeueing");
            tokio::time::sleep(pause).await;
            let _ = delivery
                .acker
                .nack(BasicNackOptions {
                    multiple: false,
                    requeue: true,
                })
                .await;
        }
    }
}
