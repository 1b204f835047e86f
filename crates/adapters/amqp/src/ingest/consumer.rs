//! The worker side: consume upload messages, write them in batches, ack after the commit.
//! The connection and its failures are the [`supervisor`](crate::supervisor)'s.

use std::future::Future;
use std::time::Duration;

use ents_domain::ingest::{BatchWriter, StoreOutcome};
use ents_domain::measurements::Upload;
use ents_wire::queued_ingest;
use lapin::message::Delivery;
use tokio::time::Instant;

use crate::error::AmqpError;
use crate::publisher::AmqpJobQueue;
use crate::settings::AmqpSettings;
use crate::settle::{self, Settle};
use crate::supervisor::{self, Consume, Deliveries};

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
/// uploads with `writer` in one transaction, then acknowledges them all. A failed write
/// (database down) hands the whole batch back to the broker after a pause; an upload whose
/// cell vanished since the API checked it is logged and acknowledged (it can never be
/// stored); a body that is not an upload goes to the dead-letter queue. A batch being
/// collected or written when shutdown comes is written first. Connection failures reconnect
/// with back-off ([`supervisor::supervise`]). Errors: only `InvalidSettings`, at once.
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
    let mut uploads = Uploads {
        writer,
        dead_letters: dead_letters.clone(),
        batch,
        pause: settings.reconnect_min,
    };
    supervisor::supervise(&settings, &topology, &mut uploads, shutdown).await;
    dead_letters.close().await;
    Ok(())
}

struct Uploads {
    writer: BatchWriter,
    dead_letters: AmqpJobQueue,
    batch: BatchSettings,
    /// Pause before handing deliveries back after a failure, so a failing dependency does
    /// not turn into a hot redelivery loop.
    pause: Duration,
}

impl Consume for Uploads {
    const NAME: &'static str = "upload consumer";

    async fn consume(&mut self, deliveries: &mut Deliveries<'_, '_>) -> Result<(), AmqpError> {
        loop {
            let Some(first) = deliveries.next().await? else {
                return Ok(());
            };
            let (batch, stopping) = self.collect(first, deliveries).await?;
            self.write(batch).await;
            if stopping {
                return Ok(());
            }
        }
    }

    /// Nothing runs between batches: a batch is written before `consume` returns.
    async fn finish(&mut self, _: Duration) {}
}

/// Deliveries with their uploads, to be written together.
#[derive(Default)]
struct Batch {
    /// Each delivery with how many of `uploads` it carried, in order.
    carried: Vec<(Delivery, usize)>,
    uploads: Vec<Upload>,
}

impl Uploads {
    /// The batch that starts with `first`: more deliveries until it holds `batch.max`
    /// uploads or `batch.wait` has passed; `true` when shutdown came meanwhile.
    async fn collect(
        &self,
        first: Delivery,
        deliveries: &mut Deliveries<'_, '_>,
    ) -> Result<(Batch, bool), AmqpError> {
        let mut batch = Batch::default();
        let deadline = Instant::now() + self.batch.wait;
        let mut next = Some(first);
        while let Some(delivery) = next.take() {
            // A message may carry several uploads (packed by the API); the batch is bounded
            // by uploads, and a message is acknowledged once all of its uploads are written.
            match queued_ingest::decode_all(&delivery.data) {
                Ok(decoded) => {
                    batch.carried.push((delivery, decoded.len()));
                    batch.uploads.extend(decoded);
                }
                Err(error) => {
                    // Not an upload: it can never be stored, so it is kept for an operator.
                    let reason = error.to_string();
                    tracing::error!(reason, "unreadable upload message; dead-lettering it");
                    settle::dead_letter(&self.dead_letters, &delivery, None, &reason, self.pause)
                        .await
                        .apply(&delivery)
                        .await;
                }
            }
            if batch.uploads.len() < self.batch.max {
                match tokio::time::timeout_at(deadline, deliveries.next()).await {
                    Ok(Ok(Some(delivery))) => next = Some(delivery),
                    Ok(Ok(None)) => return Ok((batch, true)),
                    Ok(Err(error)) => return Err(error),
                    Err(_) => {}
                }
            }
        }
        Ok((batch, false))
    }

    /// Writes the batch's uploads in one transaction, then acknowledges (or hands back) the
    /// deliveries that carried them.
    #[tracing::instrument(skip_all, fields(deliveries = batch.carried.len(), uploads = batch.uploads.len()))]
    async fn write(&self, batch: Batch) {
        let Batch { carried, uploads } = batch;
        if uploads.is_empty() {
            return;
        }
        match self.writer.write(&uploads).await {
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
                    Settle::Ack.apply(&delivery).await;
                }
            }
            Err(error) => {
                tracing::warn!(%error, "writing the batch failed; handing it back to the broker");
                tokio::time::sleep(self.pause).await;
                for (delivery, _) in carried {
                    Settle::Requeue {
                        after: Duration::ZERO,
                    }
                    .apply(&delivery)
                    .await;
                }
            }
        }
    }
}
