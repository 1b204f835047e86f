//! A job runs once however many times its message is delivered and however many consumers
//! compete for it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::{Behaviour, CountingHandler, Fixture, RunningConsumer, assert_state};
use ents_amqp::AmqpJobQueue;
use ents_domain::health::ReadinessProbe;
use ents_domain::jobs::{JobQueue, JobService, JobState};
use ents_test_support::{messages_ready, wait_until};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicated_messages_run_each_job_once_across_two_consumers() {
    let fx = Fixture::new("once").await;
    let handler = CountingHandler::new("count", Behaviour::Succeed, Duration::from_millis(300));
    let first = RunningConsumer::start(fx.settings(), fx.runner(handler.registry()));
    let second = RunningConsumer::start(fx.settings(), fx.runner(handler.registry()));
    let queue = Arc::new(AmqpJobQueue::new(fx.settings()).unwrap());
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);

    let mut ids = Vec::new();
    for n in 0..6 {
        let job = service
            .submit("count", serde_json::json!({ "n": n }))
            .await
            .unwrap();
        // Two more copies of the same message: duplicate deliveries.
        queue.publish(&job).await.unwrap();
        queue.publish(&job).await.unwrap();
        ids.push(job.id);
    }

    fx.wait_finished(&ids).await;
    // Every duplicate is eventually settled: the retry queue ("not yet", while the job ran
    // elsewhere) drains back into the main queue, whose copies are then skipped.
    let topology = queue.topology().clone();
    wait_until("queues drained", || async {
        messages_ready(&topology.main).await == 0 && messages_ready(&topology.retry).await == 0
    })
    .await;
    for id in &ids {
        let job = fx.job(*id).await;
        assert_state(&job, JobState::Succeeded);
        assert_eq!(job.attempts, 1);
        assert_eq!(handler.runs_of(*id), 1, "job {id} ran more than once");
    }
    assert_eq!(messages_ready(&topology.dead).await, 0);

    first.stop().await;
    second.stop().await;
    queue.close().await;
    fx.delete_queues().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_reports_the_broker() {
    ents_test_support::init_logs();
    let fx_queue = ents_test_support::unique_name("ready");
    let settings = common::settings(&ents_test_support::amqp_url(), &fx_queue);
    let queue = AmqpJobQueue::new(settings).unwrap();
    let probe = queue.readiness();
    assert_eq!(probe.name(), "broker");
    probe.check().await.unwrap();
    assert!(queue.is_connected());

    let proxy = ents_test_support::ChaosProxy::start(&common::broker_addr())
        .await
        .unwrap();
    proxy.cut();
    let unreachable =
        AmqpJobQueue::new(common::settings(&common::via(proxy.port()), &fx_queue)).unwrap();
    assert!(unreachable.readiness().check().await.is_err());

    queue.close().await;
    ents_test_support::delete_queues(&fx_queue).await;
}
