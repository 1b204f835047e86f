//! The consumer survives a panicking handler and lets running jobs finish on shutdown.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use common::{Behaviour, CountingHandler, Fixture, assert_state};
use ents_domain::jobs::{HandlerRegistry, Job, JobFailure, JobHandler, JobState, ProgressSink};
use ents_test_support::wait_until;

/// Panics on its first run, succeeds afterwards.
#[derive(Default)]
struct PanicsOnce {
    runs: AtomicUsize,
}

#[async_trait]
impl JobHandler for PanicsOnce {
    fn kind(&self) -> &'static str {
        "panics_once"
    }

    async fn run(&self, _: &Job, _: &dyn ProgressSink) -> Result<serde_json::Value, JobFailure> {
        if self.runs.fetch_add(1, Ordering::SeqCst) == 0 {
            panic!("handler bug");
        }
        Ok(serde_json::json!({}))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_does_not_stop_the_consumer() {
    let fx = Fixture::new("panic").await;
    let panicky = Arc::new(PanicsOnce::default());
    let counting = CountingHandler::new("count", Behaviour::Succeed, Duration::ZERO);
    let handlers = HandlerRegistry::new()
        .with(panicky.clone())
        .with(Arc::new(counting.clone()));
    let (consumer, queue, service) = fx.run(handlers);

    let bad = service
        .submit("panics_once", serde_json::json!({}))
        .await
        .unwrap();
    wait_until("the panic", || async {
        panicky.runs.load(Ordering::SeqCst) >= 1
    })
    .await;
    let good = service
        .submit("count", serde_json::json!({}))
        .await
        .unwrap();
    fx.wait_finished(&[good.id]).await;
    assert_state(&fx.job(good.id).await, JobState::Succeeded);

    // The panicked attempt holds its lease; once it expires the redelivery runs it again.
    fx.wait_finished(&[bad.id]).await;
    let bad = fx.job(bad.id).await;
    assert_state(&bad, JobState::Succeeded);
    assert_eq!(bad.attempts, 2);

    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_running_jobs_finish() {
    let fx = Fixture::new("drain").await;
    let handler = CountingHandler::new("slow", Behaviour::Succeed, Duration::from_millis(1500));
    let (consumer, queue, service) = fx.run(handler.registry());

    let job = service.submit("slow", serde_json::json!({})).await.unwrap();
    wait_until("the job running", || async { handler.total_runs() == 1 }).await;
    consumer.stop().await;

    assert_state(&fx.job(job.id).await, JobState::Succeeded);
    assert_eq!(
        ents_test_support::messages_ready(&queue.topology().main).await,
        0,
        "the message was not acknowledged"
    );

    queue.close().await;
    fx.delete_queues().await;
}
