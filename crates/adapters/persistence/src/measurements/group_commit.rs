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
use ents_domain::correlation::RequestId;
use ents_domain::ingest::{MeasurementStore, StoreOutcome};
use ents_domain::measurements::Upload;
use tracing::Span;
use tracing_subscriber::Registry;
use tracing_subscriber::registry::LookupSpan;

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

/// Request ids a batch's span names at most; the rest are counted (`uploads` has them all).
const NAMED_REQUESTS: usize = 16;

#[async_trait]
impl BatchHandler for Writer {
    type Item = Queued;
    type Output = Result<StoreOutcome, DomainError>;

    #[tracing::instrument(
        name = "group_commit",
        skip_all,
        fields(batch, uploads = queued.len(), request_ids)
    )]
    async fn handle(&self, queued: Vec<Queued>) -> Vec<Self::Output> {
        let batch = BATCHES.fetch_add(1, Ordering::Relaxed);
        let span = Span::current();
        span.record("batch", batch);
        // Every line of the batch names its requests: grepping a request id finds it.
        if let Some(ids) = request_ids(queued.iter().map(|member| &member.caller)) {
            span.record("request_ids", ids.as_str());
        }
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
            let outcome = self.0.store(only).await;
            if outcome.is_ok() {
                tracing::debug!("group commit written");
            }
            return vec![outcome];
        }
        match self.0.store_batch(&uploads).await {
            Ok(outcomes) if outcomes.len() == uploads.len() => {
                tracing::debug!("group commit written");
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

/// The request ids of `callers` (the HTTP adapter keeps each in its request span, an ancestor
/// of the caller's), comma-separated: the first [`NAMED_REQUESTS`], then `+N more`. `None`
/// when no caller came from a request (or the subscriber keeps no span extensions).
fn request_ids<'a>(callers: impl Iterator<Item = &'a Span>) -> Option<String> {
    let ids: Vec<String> = callers.filter_map(request_id).collect();
    if ids.is_empty() {
        return None;
    }
    let mut named = ids[..ids.len().min(NAMED_REQUESTS)].join(",");
    if ids.len() > NAMED_REQUESTS {
        named.push_str(&format!(",+{} more", ids.len() - NAMED_REQUESTS));
    }
    Some(named)
}

/// The request id kept by `span` or its nearest ancestor that has one.
fn request_id(span: &Span) -> Option<String> {
    span.with_subscriber(|(id, dispatch)| {
        let span = dispatch.downcast_ref::<Registry>()?.span(id)?;
        span.scope()
            .find_map(|s| s.extensions().get::<RequestId>().map(|r| r.0.clone()))
    })
    .flatten()
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

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    /// A request span carrying `id`, as the HTTP adapter tags it, and a child (the use case's
    /// span, current when the store is called).
    fn caller_of(id: &str) -> Span {
        let request = tracing::info_span!("request");
        request.with_subscriber(|(span_id, dispatch)| {
            if let Some(span) = dispatch
                .downcast_ref::<Registry>()
                .and_then(|r| r.span(span_id))
            {
                span.extensions_mut().replace(RequestId(id.to_owned()));
            }
        });
        tracing::info_span!(parent: &request, "ingest")
    }

    #[test]
    fn a_batch_names_its_requests_up_to_a_bound() {
        let subscriber = tracing_subscriber::registry().with(tracing_subscriber::fmt::layer());
        tracing::subscriber::with_default(subscriber, || {
            let callers = [
                caller_of("a"),
                tracing::info_span!("no request"),
                caller_of("b"),
            ];
            assert_eq!(request_ids(callers.iter()).as_deref(), Some("a,b"));
            assert_eq!(request_ids([tracing::info_span!("other")].iter()), None);

            let many: Vec<Span> = (0..NAMED_REQUESTS + 3)
                .map(|i| caller_of(&i.to_string()))
                .collect();
            let named = request_ids(many.iter()).unwrap_or_default();
            assert!(named.starts_with("0,1,2,"), "{named}");
            assert!(named.ends_with(",15,+3 more"), "{named}");
        });
    }
}
