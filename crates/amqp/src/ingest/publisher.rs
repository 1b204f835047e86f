//! The API side: [`MeasurementStore`] as "checked, then confirmed by the broker".

use std::sync::Arc;

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::ingest::{MeasurementStore, ReferenceChecker, StoreOutcome};
use ents_domain::measurements::Upload;
use lapin::BasicProperties;

use super::codec;
use crate::error::AmqpError;
use crate::publisher::AmqpJobQueue;
use crate::settings::AmqpSettings;

/// Publishes uploads for the worker to write. Unknown cells and loggers are refused first
/// (the device gets the same answer as in direct mode); then the upload is published
/// (persistent, mandatory, confirm mode) and [`StoreOutcome::Accepted`] is returned only once
/// the broker has confirmed it, so an accepted upload survives a broker restart.
#[derive(Clone)]
pub struct AmqpIngestQueue {
    queue: AmqpJobQueue,
    references: Arc<dyn ReferenceChecker>,
}

impl AmqpIngestQueue {
    /// `settings.queue` is the ingest queue's base name. Errors: `InvalidSettings`.
    pub fn new(
        settings: AmqpSettings,
        references: Arc<dyn ReferenceChecker>,
    ) -> Result<Self, AmqpError> {
        Ok(Self {
            queue: AmqpJobQueue::new(settings)?,
            references,
        })
    }

    /// A readiness probe on this publisher's connection.
    pub fn readiness(&self) -> crate::AmqpReadiness {
        self.queue.readiness()
    }

    pub async fn close(&self) {
        self.queue.close().await;
    }
}

#[async_trait]
impl MeasurementStore for AmqpIngestQueue {
    /// Errors: `Unavailable` when the database (reference check) or the broker cannot be used
    /// within their deadlines; nothing is queued then.
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError> {
        let missing = self.references.missing_references(upload).await?;
        if !missing.is_empty() {
            return Ok(StoreOutcome::Missing(missing));
        }
        let body = codec::encode(upload);
        let main = self.queue.topology().main.clone();
        self.queue
            .publish_confirmed(&main, &body, properties())
            .await
            .map_err(|e| DomainError::Unavailable(e.to_string()))?;
        Ok(StoreOutcome::Accepted)
    }
}

/// Persistent (`delivery_mode` 2: written to disk by the broker), typed as our own format.
fn properties() -> BasicProperties {
    BasicProperties::default()
        .with_delivery_mode(2)
        .with_content_type("application/vnd.ents.upload".into())
}
