//! Coalesces the live events of concurrent uploads into fewer `LiveFeed::publish` calls.
//!
//! With the PostgreSQL fan-out every publish is a `pg_notify` transaction, i.e. a second
//! commit per upload, which halved direct-mode ingestion (docs/performance.md). Here uploads
//! hand their (committed) events to a queue and return; one task publishes whatever has
//! accumulated while the previous publish ran — no added delay when idle, one commit for
//! many uploads under load. Order is kept. Best effort, as the port allows: when the queue is
//! full (the feed is down or far behind) new events are dropped with a warning.

use std::sync::Arc;

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::live::LiveFeed;
use ents_domain::measurements::MeasurementReceived;
use tokio::sync::mpsc;

/// Most events one publish carries.
const MAX_BATCH: usize = 1_000;
/// Events waiting at most; beyond that, new ones are dropped.
const QUEUE: usize = 50_000;

/// A [`LiveFeed`] in front of `inner`; see the module docs.
pub struct CoalescingLiveFeed {
    queue: mpsc::Sender<MeasurementReceived>,
}

impl CoalescingLiveFeed {
    /// Starts the publishing task (on the current tokio runtime); it ends when the feed is
    /// dropped, after publishing what is queued.
    pub fn start(inner: Arc<dyn LiveFeed>) -> Self {
        let (queue, mut events) = mpsc::channel::<MeasurementReceived>(QUEUE);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while events.recv_many(&mut batch, MAX_BATCH).await > 0 {
                if let Err(error) = inner.publish(&batch).await {
                    tracing::warn!(%error, events = batch.len(), "live push failed");
                }
                batch.clear();
            }
        });
        Self { queue }
    }
}

#[async_trait]
impl LiveFeed for CoalescingLiveFeed {
    /// Queues `events`; errors: `Unavailable` when the queue is full (those events are lost).
    async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError> {
        for event in events {
            if self.queue.try_send(event.clone()).is_err() {
                return Err(DomainError::Unavailable(
                    "live push queue is full; events dropped".to_owned(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use std::sync::Mutex;

    use ents_domain::measurements::{LegacyKind, LegacyMeasurement, Meta, Power, RawMeta};

    use super::*;

    #[derive(Default)]
    struct Recording(Mutex<Vec<u32>>);

    #[async_trait]
    impl LiveFeed for Recording {
        async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError> {
            self.0
                .lock()
                .unwrap()
                .extend(events.iter().map(|e| e.cell_id));
            Ok(())
        }
    }

    fn event(cell: u32) -> MeasurementReceived {
        let meta = Meta::legacy(RawMeta {
            cell_id: cell,
            logger_id: 1,
            ts: 1,
        })
        .unwrap();
        LegacyMeasurement::new(meta, LegacyKind::Power(Power::default()))
            .unwrap()
            .live_event()
    }

    #[tokio::test]
    async fn every_event_is_published_once_in_order() {
        let inner = Arc::new(Recording::default());
        let feed = CoalescingLiveFeed::start(inner.clone());
        for cell in 1..=100 {
            feed.publish(&[event(cell)]).await.unwrap();
        }
        drop(feed);
        for _ in 0..200 {
            if inner.0.lock().unwrap().len() == 100 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        assert_eq!(*inner.0.lock().unwrap(), (1..=100).collect::<Vec<_>>());
    }
}
