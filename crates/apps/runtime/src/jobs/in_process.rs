use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use ents_domain::jobs::{Execution, Job, JobId, JobQueue, JobRunner, QueueError};
use opentelemetry::trace::TraceContextExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// Pause before running a job again after the job store failed or its handler panicked.
const FAILURE_PAUSE: Duration = Duration::from_secs(1);

/// The [`JobQueue`] of the embedded mode (no broker configured, docs/compatibility.md#jobs):
/// messages travel through an unbounded channel to at most `concurrency` jobs at a time in this
/// process.
///
/// Nothing here is durable, and need not be: the job record is. Messages still queued or
/// waiting for a retry when the process stops are lost, and the stale-job sweeper
/// ([`super::run_sweeper`]) republishes those jobs after a restart.
pub struct InProcessQueue {
    sender: mpsc::UnboundedSender<Envelope>,
    closing: watch::Sender<bool>,
}

/// "Run job X" in memory.
#[derive(Debug, Clone)]
struct Envelope {
    id: JobId,
    kind: String,
    /// The trace of the span that published it (a request), continued by the job's span as
    /// the broker's message headers do in `ents-worker`; empty when no trace is exported.
    trace: opentelemetry::Context,
}

impl InProcessQueue {
    /// Starts the dispatcher. The handle completes after [`close`](Self::close), once the
    /// running jobs have finished (bound it with a timeout if needed).
    pub fn start(runner: JobRunner, concurrency: usize) -> (Arc<Self>, JoinHandle<()>) {
        let (sender, receiver) = mpsc::unbounded_channel();
        let (closing, closed) = watch::channel(false);
        let dispatcher = Dispatcher {
            runner,
            sender: sender.clone(),
            slots: Arc::new(Semaphore::new(concurrency.max(1))),
        };
        let handle = tokio::spawn(dispatcher.run(receiver, closed));
        (Arc::new(Self { sender, closing }), handle)
    }

    /// Stops starting jobs; running ones finish. Later publishes are refused.
    pub fn close(&self) {
        self.closing.send_replace(true);
    }
}

#[async_trait]
impl JobQueue for InProcessQueue {
    async fn publish(&self, job: &Job) -> Result<(), QueueError> {
        if *self.closing.borrow() {
            return Err(QueueError::Unavailable(
                "the in-process job queue is closed".to_owned(),
            ));
        }
        self.sender
            .send(Envelope {
                id: job.id,
                kind: job.kind.clone(),
                trace: tracing::Span::current().context(),
            })
            .map_err(|_| QueueError::Unavailable("the in-process job queue has stopped".to_owned()))
    }
}

struct Dispatcher {
    runner: JobRunner,
    /// To send retries back into the queue.
    sender: mpsc::UnboundedSender<Envelope>,
    /// One permit per job allowed to run at once.
    slots: Arc<Semaphore>,
}

impl Dispatcher {
    async fn run(
        self,
        mut receiver: mpsc::UnboundedReceiver<Envelope>,
        mut closed: watch::Receiver<bool>,
    ) {
        let mut running = JoinSet::new();
        loop {
            let envelope = tokio::select! {
                _ = closed.wait_for(|closing| *closing) => break,
                envelope = receiver.recv() => match envelope {
                    Some(envelope) => envelope,
                    // Unreachable while `self.sender` lives; kept for completeness.
                    None => break,
                },
                Some(_) = running.join_next(), if !running.is_empty() => continue,
            };
            let slot = tokio::select! {
                _ = closed.wait_for(|closing| *closing) => break,
                slot = self.slots.clone().acquire_owned() => match slot {
                    Ok(slot) => slot,
                    // The semaphore is never closed.
                    Err(_) => break,
                },
            };
            let span = tracing::info_span!("job", job.id = %envelope.id, job.kind = %envelope.kind);
            if envelope.trace.span().span_context().is_valid() {
                let _ = span.set_parent(envelope.trace.clone());
            }
            running.spawn(
                run_one(self.runner.clone(), self.sender.clone(), envelope, slot).instrument(span),
            );
        }
        tracing::info!(running = running.len(), "in-process job queue stopping");
        while running.join_next().await.is_some() {}
    }
}

/// Runs one job in a task of its own (a handler panic is contained) and honours the
/// runner's verdict by sending the job back later when needed.
async fn run_one(
    runner: JobRunner,
    sender: mpsc::UnboundedSender<Envelope>,
    envelope: Envelope,
    slot: OwnedSemaphorePermit,
) {
    let id = envelope.id;
    let outcome = tokio::spawn(async move { runner.execute(id).await }.in_current_span()).await;
    drop(slot);
    let again_in = match outcome {
        Ok(Ok(Execution::Succeeded | Execution::Skipped)) => return,
        Ok(Ok(Execution::Dead { error })) => {
            // The runner has recorded the job as `failed`; there is no dead-letter queue here.
            tracing::error!(%error, "job failed for good");
            return;
        }
        Ok(Ok(Execution::Retry { after, .. })) => after,
        Ok(Ok(Execution::NotYet { retry_in })) => retry_in,
        Ok(Err(error)) => {
            tracing::warn!(%error, "job store unavailable; trying the job again later");
            FAILURE_PAUSE
        }
        Err(error) => {
            tracing::error!(%error, "job task panicked; trying the job again later");
            FAILURE_PAUSE
        }
    };
    tokio::spawn(
        async move {
            tokio::time::sleep(again_in).await;
            if sender.send(envelope).is_err() {
                tracing::debug!("queue stopped before a retry; the sweeper will republish the job");
            }
        }
        .in_current_span(),
    );
}
