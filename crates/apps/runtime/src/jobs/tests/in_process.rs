use std::time::Duration;

use ents_domain::jobs::{JobService, JobState};

use super::{CountingHandler, Fixture};
use crate::jobs::InProcessQueue;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_submitted_job_runs_exactly_once() {
    let fx = Fixture::new().await;
    let handler = CountingHandler::new(0);
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(handler.registry()), 3);
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);

    let mut ids = Vec::new();
    for n in 0..12 {
        ids.push(
            service
                .submit(CountingHandler::KIND, serde_json::json!({ "n": n }))
                .await
                .unwrap()
                .id,
        );
    }
    fx.wait_finished(&ids).await;
    for id in &ids {
        let job = fx.job(*id).await;
        assert_eq!(job.state, JobState::Succeeded);
        assert_eq!(job.attempts, 1);
        assert_eq!(handler.runs_of(*id), 1);
    }

    queue.close();
    tokio::time::timeout(super::PATIENCE, dispatcher)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_attempt_is_retried_after_the_back_off() {
    let fx = Fixture::new().await;
    let handler = CountingHandler::new(2);
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(handler.registry()), 2);
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);

    let job = service
        .submit(CountingHandler::KIND, serde_json::json!({}))
        .await
        .unwrap();
    fx.wait_finished(&[job.id]).await;
    let finished = fx.job(job.id).await;
    assert_eq!(finished.state, JobState::Succeeded);
    assert_eq!(finished.attempts, 3);
    assert_eq!(handler.runs_of(job.id), 3);

    queue.close();
    tokio::time::timeout(super::PATIENCE, dispatcher)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_out_of_attempts_ends_failed() {
    let fx = Fixture::new().await;
    let handler = CountingHandler::new(usize::MAX);
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(handler.registry()), 2);
    let service = JobService::new(fx.repo.clone(), queue.clone(), 2);

    let job = service
        .submit(CountingHandler::KIND, serde_json::json!({}))
        .await
        .unwrap();
    fx.wait_finished(&[job.id]).await;
    let finished = fx.job(job.id).await;
    assert_eq!(finished.state, JobState::Failed);
    assert_eq!(finished.attempts, 2);
    assert_eq!(handler.runs_of(job.id), 2);

    queue.close();
    tokio::time::timeout(super::PATIENCE, dispatcher)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_answers_with_its_payload() {
    let fx = Fixture::new().await;
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(crate::jobs::builtin_handlers()), 1);
    let service = JobService::new(fx.repo.clone(), queue.clone(), 1);

    let job = service
        .submit("ping", serde_json::json!({ "hello": "world" }))
        .await
        .unwrap();
    fx.wait_finished(&[job.id]).await;
    let finished = fx.job(job.id).await;
    assert_eq!(finished.state, JobState::Succeeded);
    assert_eq!(
        finished.result,
        Some(serde_json::json!({ "pong": true, "payload": { "hello": "world" } }))
    );

    queue.close();
    tokio::time::timeout(Duration::from_secs(30), dispatcher)
        .await
        .unwrap()
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_queue_refuses_new_jobs_which_stay_queued() {
    let fx = Fixture::new().await;
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(crate::jobs::builtin_handlers()), 1);
    queue.close();
    tokio::time::timeout(Duration::from_secs(30), dispatcher)
        .await
        .unwrap()
        .unwrap();

    let service = JobService::new(fx.repo.clone(), queue.clone(), 1);
    let job = service.submit("ping", serde_json::json!({})).await.unwrap();
    assert_eq!(fx.job(job.id).await.state, JobState::Queued);
}
