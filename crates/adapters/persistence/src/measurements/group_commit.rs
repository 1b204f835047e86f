//! Group commit for the direct mode: uploads that arrive while every writer is busy are
//! written together, in one transaction, instead of one transaction each ([`ents_coalesce`]:
//! no timer; an upload reaching an idle writer is written at once, alone, on the
//! single-statement fast path).
//!
//! Under load the number of transactions, statements and statement-level rollup-trigger runs
//! per upload falls as the load grows, which is where PostgreSQL spends its time. Every
//! caller still gets its own outcome only after its upload is committed: nothing is
//! acknowledged early. A batch that fails as a whole (one bad upload makes its transaction
//! fail) is retried upload by upload, so only the culprit gets the error — unless it failed
//! because the database is unavailable, which every upload of the batch then gets at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use async_trait::async_trait;
use ents_coalesce::{BatchHandler, CoalesceSettings, Coalescer};
use ents_domain::DomainError;
use ents_domain::ingest::{MeasurementStore, StoreOutcome};
use ents_domain::measurements::Upload;
use tracing::Span;

use super::PgMeasurementStore;

/// [`MeasurementStore`] that groups concurrent uploads into shared transactions (module docs).
/// `store_batch` goes straight to the inner store. Must be created inside a Tokio runtime.
pub struct GroupCommitStore {
    inner: PgMeasurementStore,
    batches: Coalescer<Writer>,
}

impl GroupCommitStore {
    /// Starts the dispatcher task; it stops once the store is dropped and its queue drained.
    /// `settings.slots` transactions are written at once (each holds a pooled connection
    /// meanwhile), of at most `settings.max_batch` uploads.
    pub fn start(inner: PgMeasurementStore, settings: CoalesceSettings) -> Self {
        let batches = Coalescer::start(Arc::new(Writer(inner.clone())), settings);
        Self { inner, batches }
    }
}

/// Writes one batch: alone on the fast path, together in one transaction, or (after that
/// transaction failed) one by one.
struct Writer(PgMeasurementStore);

/// An upload waiting for a writer.
struct Queued {
    upload: Upload,
    /// When it was submitted (for the wait metric).
    since: Instant,
    /// The span of the request that submitted it: the batch runs in a task of its own, so its
    /// span is linked to every caller's (`follows_from`: a span link in an exported trace) and
    /// each caller's span records which batch wrote its upload — the request id and the batch
    /// are then one lookup apart in the logs.
    caller: Span,
}

/// Numbers the batches, so a request's log line can name the batch that wrote its upload.
static BATCHES: AtomicU64 = AtomicU64::new(1);

#[async_trait]
impl BatchHandler for Writer {
    type Item = Queued;
    type Output = Result<StoreOutcome, DomainError>;

    #[tracing::instrument(name = "group_commit", skip_all, fields(batch, uploads = queued.len()))]
    async fn handle(&self, queued: Vec<Queued>) -> Vec<Self::Output> {
        let batch = BATCHES.fetch_add(1, Ordering::Relaxed);
        let span = Span::current();
        span.record("batch", batch);
        let size = queued.len();
        let wait = metrics::histogram!(crate::metrics::GROUP_COMMIT_WAIT_SECONDS);
        for member in &queued {
            wait.record(member.since.elapsed().as_secs_f64());
            span.follows_from(&member.caller);
            member.caller.in_scope(|| {
                tracing::debug!(batch, uploads = size, "upload handed to a group commit");
            });
        }
        metrics::histogram!(crate::metrics::GROUP_COMMIT_BATCH_SIZE).record(size as f64);
        let uploads: Vec<Upload> = queued.into_iter().map(|member| member.upload).collect();
        if let [only] = uploads.as_slice() {
            return vec![self.0.store(only).await];
        }
        match self.0.store_batch(&uploads).await {
            Ok(outcomes) if outcomes.len() == uploads.len() => {
                outcomes.into_iter().map(Ok).collect()
            }
            // The database did not answer in time: one by one, each upload would wait out
            // the deadline again (N deadlines for the last caller). All get the answer.
            Err(DomainError::Unavailable(cause)) => {
                tracing::warn!(%cause, "batch not stored: database unavailable");
                uploads
                    .iter()
                    .map(|_| Err(DomainError::Unavailable(cause.clone())))
                    .collect()
            }
            result => {
                if let Err(error) = result {
                    tracing::debug!(%error, "batch failed; storing its uploads one by one");
                }
                let mut outcomes = Vec::with_capacity(uploads.len());
                for upload in &uploads {
                    outcomes.push(self.0.store(upload).await);
                }
                outcomes
            }
        }
    }
}

#[async_trait]
impl MeasurementStore for GroupCommitStore {
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError> {
        self.batches
            .submit(Queued {
                upload: upload.clone(),
                since: Instant::now(),
                caller: Span::current(),
            })
            .await
            .unwrap_or_else(|stopped| Err(DomainError::Unavailable(stopped.to_string())))
    }

    async fn store_batch(&self, uploads: &[Upload]) -> Result<Vec<StoreOutcome>, DomainError> {
        self.inner.store_batch(uploads).await
    }
}
