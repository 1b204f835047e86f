//! The API side: [`MeasurementStore`] as "checked, then confirmed by the broker".

use std::sync::Arc;

use async_trait::async_trait;
use ents_coalesce::{BatchHandler, CoalesceSettings, Coalescer};
use ents_domain::DomainError;
use ents_domain::ingest::{MeasurementStore, ReferenceChecker, StoreOutcome};
use ents_domain::measurements::Upload;
use ents_wire::queued_ingest;
use lapin::BasicProperties;

use crate::error::AmqpError;
use crate::properties::PERSISTENT;
use crate::publisher::AmqpJobQueue;
use crate::settings::AmqpSettings;

/// Publishes uploads for the worker to write. Unknown cells and loggers are refused first
/// (the device gets the same answer as in direct mode); then the upload is published
/// (persistent, mandatory, confirm mode) and [`StoreOutcome::Accepted`] is returned only once
/// the broker has confirmed it, so an accepted upload survives a broker restart.
///
/// Uploads that arrive while `packing.slots` publishes are awaiting their confirms are packed
/// into one message ([`queued_ingest::encode_packed`], at most `packing.max_batch` uploads) with one
/// confirm for all: no timer, an idle publisher sends an upload at once, alone.
#[derive(Clone)]
pub struct AmqpIngestQueue {
    queue: AmqpJobQueue,
    references: Arc<dyn ReferenceChecker>,
    packer: Arc<Coalescer<Packer>>,
}

impl AmqpIngestQueue {
    /// `settings.queue` is the ingest queue's base name. Must be called inside a Tokio
    /// runtime (it starts the packing task). Errors: `InvalidSettings`.
    pub fn new(
        settings: AmqpSettings,
        references: Arc<dyn ReferenceChecker>,
        packing: CoalesceSettings,
    ) -> Result<Self, AmqpError> {
        let queue = AmqpJobQueue::new(settings)?;
        let packer = Coalescer::start(Arc::new(Packer(queue.clone())), packing);
        Ok(Self {
            queue,
            references,
            packer: Arc::new(packer),
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
    /// within their deadlines: the wait for the broker's confirm is bounded by
    /// `publish_deadline` in all (waiting behind other uploads' publishes included). An
    /// upload answered `Unavailable` may still have been queued (its confirm was lost or
    /// late): the worker writes uploads idempotently, so the device's retry is deduplicated.
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError> {
        let missing = self.references.missing_references(upload).await?;
        if !missing.is_empty() {
            return Ok(StoreOutcome::Missing(missing));
        }
        let deadline = self.queue.settings().publish_deadline;
        tokio::time::timeout(deadline, self.packer.submit(upload.clone()))
            .await
            .unwrap_or_else(|_| {
                Ok(Err(format!(
                    "the broker did not confirm within {deadline:?}"
                )))
            })
            .unwrap_or_else(|stopped| Err(stopped.to_string()))
            .map_err(DomainError::Unavailable)?;
        Ok(StoreOutcome::Accepted)
    }
}

/// Publishes a batch of uploads as one message; every upload of it gets the same answer.
struct Packer(AmqpJobQueue);

#[async_trait]
impl BatchHandler for Packer {
    type Item = Upload;
    /// `Err`: why the broker did not confirm.
    type Output = Result<(), String>;

    #[tracing::instrument(name = "publish_uploads", skip_all, fields(uploads = uploads.len()))]
    async fn handle(&self, uploads: Vec<Upload>) -> Vec<Self::Output> {
        let body = queued_ingest::encode_packed(&uploads);
        let main = self.0.topology().main.clone();
        let result = self
            .0
            .publish_confirmed(&main, &body, properties())
            .await
            .map_err(|e| e.to_string());
        vec![result; uploads.len()]
    }
}

/// Persistent (written to disk by the broker), typed as our own format.
fn properties() -> BasicProperties {
    BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type(queued_ingest::CONTENT_TYPE.into())
}
