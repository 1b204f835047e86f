//! One delivery: run the job it names, then settle the message according to the outcome.

use std::sync::Arc;
use std::time::Duration;

use ents_domain::jobs::{Execution, JobRunner};
use ents_wire::job_message::JobMessage;
use lapin::message::Delivery;
use tracing::Instrument;

use crate::publisher::AmqpJobQueue;
use crate::settle::{self, Settle};

/// What every delivery task shares.
pub(super) struct DeliveryContext {
    runner: JobRunner,
    publisher: AmqpJobQueue,
    /// Pause before handing a delivery back when the job store or the broker failed, so a
    /// failing dependency does not turn into a hot redelivery loop.
    pause: Duration,
}

impl DeliveryContext {
    pub(super) fn new(runner: JobRunner, publisher: AmqpJobQueue, pause: Duration) -> Self {
        Self {
            runner,
            publisher,
            pause,
        }
    }
}

/// Runs and settles one delivery. Never panics on the job's behalf: the job runs in a task
/// of its own, so a handler panic becomes a `JoinError` here.
pub(super) async fn handle(context: Arc<DeliveryContext>, delivery: Delivery) {
    let settle = match JobMessage::parse(&delivery.data) {
        Ok(message) => {
            let span =
                tracing::info_span!("job", job.id = %message.job_id, job.kind = %message.kind);
            run(&context, &delivery, message).instrument(span).await
        }
        Err(error) => dead_letter_garbage(&context, &delivery, &error).await,
    };
    // A lost acknowledgement means a redelivery, which the job claim skips.
    settle.apply(&delivery).await;
}

async fn run(context: &DeliveryContext, delivery: &Delivery, message: JobMessage) -> Settle {
    let runner = context.runner.clone();
    let id = message.job_id;
    let task = tokio::spawn(async move { runner.execute(id).await }.in_current_span());
    let execution = match task.await {
        Ok(Ok(execution)) => execution,
        Ok(Err(error)) => {
            tracing::warn!(%error, "job store unavailable; the delivery goes back to the queue");
            return Settle::Requeue {
                after: context.pause,
            };
        }
        Err(error) => {
            // The record stays `running` until its lease expires; the redelivery waits for
            // that, and the attempt budget ends a job that keeps panicking.
            tracing::error!(%error, "job task panicked; the delivery goes back to the queue");
            return Settle::Requeue {
                after: Duration::ZERO,
            };
        }
    };
    match execution {
        Execution::Succeeded => Settle::Ack,
        Execution::Skipped => {
            tracing::debug!("job already finished; duplicate delivery acknowledged");
            Settle::Ack
        }
        Execution::Retry { after, .. } => schedule(context, &message, after).await,
        Execution::NotYet { retry_in } => {
            tracing::debug!(?retry_in, "job not due yet; delaying the delivery");
            schedule(context, &message, retry_in).await
        }
        // Should the copy fail, the record is already `failed`: the redelivery is skipped, so
        // only the copy in the dead-letter queue may be missing.
        Execution::Dead { error } => {
            let id = message.job_id.to_string();
            let publisher = &context.publisher;
            settle::dead_letter(publisher, delivery, Some(&id), &error, context.pause).await
        }
    }
}

/// Hands the job to the retry queue (confirmed) so it comes back after `delay`.
async fn schedule(context: &DeliveryContext, message: &JobMessage, delay: Duration) -> Settle {
    match context.publisher.publish_retry(message, delay).await {
        Ok(()) => Settle::Ack,
        Err(error) => {
            tracing::warn!(%error, "could not schedule the retry; requeueing");
            Settle::Requeue {
                after: context.pause,
            }
        }
    }
}

/// A body that names no job can never run: keep it in the dead-letter queue.
async fn dead_letter_garbage(
    context: &DeliveryContext,
    delivery: &Delivery,
    error: &serde_json::Error,
) -> Settle {
    let message_id = delivery
        .properties
        .message_id()
        .as_ref()
        .map(|id| id.to_string());
    tracing::error!(%error, ?message_id, "unparsable job message; dead-lettering it");
    let reason = format!("unparsable job message: {error}");
    let publisher = &context.publisher;
    settle::dead_letter(
        publisher,
        delivery,
        message_id.as_deref(),
        &reason,
        context.pause,
    )
    .await
}
