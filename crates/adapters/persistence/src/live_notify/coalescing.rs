//! Coalesces the live events of concurrent uploads into fewer `LiveFeed::publish` calls.
//!
//! With [`PgLiveFeed`](super::PgLiveFeed) every publish is a `pg_notify` transaction, i.e. a
//! second commit per upload, which halved direct-mode ingestion (docs/performance.md). Here
//! uploads hand their (committed) events over and return; one publish at a time takes
//! whatever has accumulated while the previous one ran ([`ents_coalesce`]) — no added delay
//! when idle, one commit for many uploads under load. Order is kept. Best effort, as the port
//! allows: when the queue is full (the feed is down or far behind) new events are dropped,
//! and the caller told so (the ingestion logs a warning).

use std::sync::Arc;

use async_trait::async_trait;
use ents_coalesce::{BatchHandler, CoalesceSettings, Coalescer};
use ents_domain::DomainError;
use ents_domain::live::LiveFeed;
use ents_domain::measurements::MeasurementReceived;

/// One publish at a time: the order of events is kept across publishes.
const SETTINGS: CoalesceSettings = CoalesceSettings {
    slots: 1,
    // Most events one publish carries.
    max_batch: 1_000,
    // Events waiting at most; beyond that, new ones are dropped.
    queue_depth: 50_000,
};

/// A [`LiveFeed`] in front of another; see the module docs.
pub struct CoalescingLiveFeed {
    events: Coalescer<Publisher>,
}

impl CoalescingLiveFeed {
    /// Starts the publishing task (on the current Tokio runtime); it ends when the feed is
    /// dropped, after publishing what is queued.
    pub fn start(inner: Arc<dyn LiveFeed>) -> Self {
        Self {
            events: Coalescer::start(Arc::new(Publisher(inner)), SETTINGS),
        }
    }
}

#[async_trait]
impl LiveFeed for CoalescingLiveFeed {
    /// Queues `events`; errors: `Unavailable` when the queue is full (those events are lost).
    async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError> {
        for event in events {
            self.events.try_submit(event.clone()).map_err(|not_taken| {
                DomainError::Unavailable(format!("live push: {not_taken}; events dropped"))
            })?;
        }
        Ok(())
    }
}

/// Publishes a batch of events to the inner feed; a failure is logged (nobody waits for it).
struct Publisher(Arc<dyn LiveFeed>);

#[async_trait]
impl BatchHandler for Publisher {
    type Item = MeasurementReceived;
    type Output = ();

    async fn handle(&self, events: Vec<MeasurementReceived>) -> Vec<()> {
        if let Err(error) = self.0.publish(&events).await {
            tracing::warn!(%error, events = events.len(), "live push failed");
        }
        vec![(); events.len()]
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
