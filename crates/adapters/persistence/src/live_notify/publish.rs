//! Publishing: the [`LiveFeed`] and [`AlertLiveFeed`] ports as `pg_notify`.

use async_trait::async_trait;
use diesel::sql_types::{Array, Text};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::alerts::{AlertLiveEvent, AlertLiveFeed};
use ents_domain::live::{LiveFeed, RelayedEvent};
use ents_domain::measurements::MeasurementReceived;

use super::CHANNEL;
use super::envelope::{Section, pack};
use crate::pool::Db;

/// [`LiveFeed`] and [`AlertLiveFeed`] through PostgreSQL: every instance's
/// [`super::PgLiveListener`] receives what this sends, once committed.
#[derive(Debug, Clone)]
pub struct PgLiveFeed {
    db: Db,
}

impl PgLiveFeed {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Sends `events` (JSON objects of one kind). Errors: `Unavailable` when the database
    /// cannot be reached; nothing is sent then.
    async fn notify(&self, section: Section, events: &[String]) -> Result<(), DomainError> {
        let (payloads, skipped) = pack(section, events);
        if skipped > 0 {
            tracing::warn!(
                skipped,
                "live events too large for a notification were not sent"
            );
        }
        if payloads.is_empty() {
            return Ok(());
        }
        self.db
            .with_conn(async |conn| {
                // One statement, hence one transaction: the notifications of a batch are
                // delivered together and in order.
                diesel::sql_query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p")
                    .bind::<Text, _>(CHANNEL)
                    .bind::<Array<Text>, _>(&payloads)
                    .execute(conn)
                    .await?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl LiveFeed for PgLiveFeed {
    /// Errors: `Unavailable` when the database cannot be reached; nothing is sent then.
    async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError> {
        let encoded = events
            .iter()
            .map(|e| RelayedEvent::encode(e).map(|r| r.json))
            .collect::<Result<Vec<_>, _>>()?;
        self.notify(Section::Measurements, &encoded).await
    }
}

#[async_trait]
impl AlertLiveFeed for PgLiveFeed {
    /// Errors: `Unavailable` when the database cannot be reached; nothing is sent then.
    async fn publish_alert(&self, event: &AlertLiveEvent) -> Result<(), DomainError> {
        let encoded = RelayedEvent::alert(event)?.json;
        self.notify(Section::Alerts, &[encoded]).await
    }
}
