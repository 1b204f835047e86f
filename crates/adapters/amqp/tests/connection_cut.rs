//! Network failures between the services and the broker lose no job and run none twice.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{Behaviour, CountingHandler, Fixture, RunningConsumer, assert_state};
use ents_amqp::AmqpJobQueue;
use ents_domain::jobs::{JobQueue, JobRepository, JobService, JobState, NewJob};
use ents_test_support::{ChaosProxy, wait_until};
use futures_util::future::join_all;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cutting_both_connections_mid_stream_loses_nothing_and_runs_nothing_twice() {
    let fx = Fixture::new("cut").await;
    let publisher_proxy = ChaosProxy::start(&common::broker_addr()).await.unwrap();
    let consumer_proxy = ChaosProxy::start(&common::broker_addr()).await.unwrap();
    let handler = CountingHandler::new("work", Behaviour::Succeed, Duration::from_millis(250));
    let consumer_settings = common::settings(&common::via(consumer_proxy.port()), &fx.queue);
    let consumer = RunningConsumer::start(consumer_settings, fx.runner(handler.registry()));
    let publisher_settings = ents_amqp::AmqpSettings {
        publish_deadline: Duration::from_secs(1),
        ..common::settings(&common::via(publisher_proxy.port()), &fx.queue)
    };
    let queue = Arc::new(AmqpJobQueue::new(publisher_settings).unwrap());
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);

    let mut ids = Vec::new();
    for n in 0..24 {
        ids.push(
            service
                .submit("work", serde_json::json!({ "n": n }))
                .await
                .unwrap()
                .id,
        );
    }
    wait_until("some jobs running", || async { handler.total_runs() >= 4 }).await;

    publisher_proxy.cut();
    consumer_proxy.cut();
    // Submitted during the outage: recorded, but their messages cannot be published.
    let during =
        join_all((0..4).map(|n| service.submit("work", serde_json::json!({ "late": n })))).await;
    for job in during {
        let job = job.unwrap();
        assert_state(&fx.job(job.id).await, JobState::Queued);
        ids.push(job.id);
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    publisher_proxy.restore();
    consumer_proxy.restore();

    // What the stale-job sweeper does: republish what was never published.
    let republished = service.republish_stale(Duration::ZERO, 100).await.unwrap();
    assert!(republished >= 4, "only {republished} jobs republished");

    fx.wait_finished(&ids).await;
    for id in &ids {
        assert_state(&fx.job(*id).await, JobState::Succeeded);
        assert_eq!(handler.runs_of(*id), 1, "job {id} did not run exactly once");
    }
    assert_eq!(handler.total_runs(), ids.len());

    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn publishes_ride_out_connection_resets() {
    let fx = Fixture::new("blip").await;
    let proxy = Arc::new(ChaosProxy::start(&common::broker_addr()).await.unwrap());
    let handler = CountingHandler::new("work", Behaviour::Succeed, Duration::from_millis(20));
    let consumer = RunningConsumer::start(fx.settings(), fx.runner(handler.registry()));
    let queue = AmqpJobQueue::new(common::settings(&common::via(proxy.port()), &fx.queue)).unwrap();

    let blips = {
        let proxy = proxy.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(600)).await;
                proxy.reset_connections();
            }
        })
    };
    let mut ids = Vec::new();
    for n in 0..30 {
        let new = NewJob {
            kind: "work".to_owned(),
            payload: serde_json::json!({ "n": n }),
            max_attempts: 3,
        };
        let job = fx.repo.create(new).await.unwrap();
        queue
            .publish(&job)
            .await
            .expect("publish should reconnect and succeed");
        ids.push(job.id);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    blips.abort();

    fx.wait_finished(&ids).await;
    for id in &ids {
        assert_state(&fx.job(*id).await, JobState::Succeeded);
        assert_eq!(handler.runs_of(*id), 1);
    }

    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}
