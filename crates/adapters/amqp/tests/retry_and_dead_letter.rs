//! Failed attempts come back through the retry queue; a job out of attempts, or a message
//! naming no job, ends in the dead-letter queue.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::{Behaviour, CountingHandler, Fixture, RunningConsumer, assert_state, connect};
use ents_amqp::AmqpJobQueue;
use ents_domain::jobs::JobState;
use lapin::BasicProperties;
use lapin::message::BasicGetMessage;
use lapin::options::{BasicAckOptions, BasicGetOptions, BasicPublishOptions};
use lapin::types::AMQPValue;

/// Takes one message from `queue`, waiting for it.
async fn take_one(queue: &str) -> BasicGetMessage {
    let connection = connect().await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    let deadline = tokio::time::Instant::now() + ents_test_support::PATIENCE;
    let message = loop {
        if let Some(message) = channel
            .basic_get(queue.into(), BasicGetOptions::default())
            .await
            .unwrap()
        {
            break message;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no message arrived in {queue}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    message
        .delivery
        .acker
        .ack(BasicAckOptions::default())
        .await
        .unwrap();
    let _ = tokio::time::timeout(Duration::from_secs(15), connection.close(200, "OK".into())).await;
    message
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_that_keeps_failing_runs_max_attempts_times_then_is_dead_lettered() {
    let fx = Fixture::new("dead").await;
    let handler = CountingHandler::new("flaky", Behaviour::AlwaysFail, Duration::ZERO);
    let (consumer, queue, service) = fx.run(handler.registry());

    let job = service
        .submit("flaky", serde_json::json!({}))
        .await
        .unwrap();
    fx.wait_finished(&[job.id]).await;

    let finished = fx.job(job.id).await;
    assert_state(&finished, JobState::Failed);
    assert_eq!(finished.attempts, 3);
    assert_eq!(handler.runs_of(job.id), 3);
    let dead = take_one(&queue.topology().dead).await;
    assert_eq!(
        dead.delivery
            .properties
            .message_id()
            .as_ref()
            .unwrap()
            .as_str(),
        job.id.to_string()
    );
    let headers = dead.delivery.properties.headers().as_ref().unwrap();
    assert!(matches!(
        headers.inner().get("x-ents-error"),
        Some(AMQPValue::LongString(_))
    ));

    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_failing_twice_then_succeeding_succeeds_on_the_third_attempt() {
    let fx = Fixture::new("retry").await;
    let handler = CountingHandler::new("flaky", Behaviour::FailFirst(2), Duration::ZERO);
    let (consumer, queue, service) = fx.run(handler.registry());

    let job = service
        .submit("flaky", serde_json::json!({}))
        .await
        .unwrap();
    fx.wait_finished(&[job.id]).await;

    let finished = fx.job(job.id).await;
    assert_state(&finished, JobState::Succeeded);
    assert_eq!(finished.attempts, 3);
    assert_eq!(handler.runs_of(job.id), 3);
    assert_eq!(
        ents_test_support::messages_ready(&queue.topology().dead).await,
        0
    );

    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_naming_no_job_is_dead_lettered() {
    let fx = Fixture::new("garbage").await;
    let handler = CountingHandler::new("count", Behaviour::Succeed, Duration::ZERO);
    let consumer = RunningConsumer::start(fx.settings(), fx.runner(handler.registry()));
    let queue = AmqpJobQueue::new(fx.settings()).unwrap();
    queue.ensure_connected().await.unwrap(); // declares the topology

    let connection = connect().await.unwrap();
    let channel = connection.create_channel().await.unwrap();
    channel
        .basic_publish(
            "".into(),
            queue.topology().main.as_str().into(),
            BasicPublishOptions::default(),
            b"not a job",
            BasicProperties::default().with_message_id("garbage-1".into()),
        )
        .await
        .unwrap()
        .await
        .unwrap();

    let dead = take_one(&queue.topology().dead).await;
    assert_eq!(dead.delivery.data, b"not a job");
    assert_eq!(
        dead.delivery
            .properties
            .message_id()
            .as_ref()
            .unwrap()
            .as_str(),
        "garbage-1"
    );
    assert_eq!(handler.total_runs(), 0);

    let _ = tokio::time::timeout(Duration::from_secs(15), connection.close(200, "OK".into())).await;
    consumer.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}
