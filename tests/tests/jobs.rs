#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The job pipeline end to end: a job submitted by the API server runs exactly once — in the
//! embedded queue without a broker, and in a worker fed by the real RabbitMQ with one.

use ents_domain::jobs::{JobService, JobState};
use ents_e2e::eventually;
use ents_runtime::testing::{RabbitWorker, TestApp};
use ents_test_support::{amqp_url, unique_name};
use secrecy::SecretString;
use serde_json::json;

async fn wait_succeeded(
    service: &JobService,
    id: ents_domain::jobs::JobId,
) -> ents_domain::jobs::Job {
    eventually(|| async {
        let job = service.get(id).await.unwrap();
        job.state.is_finished().then_some(job)
    })
    .await
    .expect("the job finishes")
}

#[tokio::test]
async fn without_a_broker_jobs_run_in_process() {
    let app = TestApp::spawn().await;
    let job = app.jobs.submit("ping", json!({"n": 1})).await.unwrap();
    assert_eq!(job.state, JobState::Queued);

    let done = wait_succeeded(&app.jobs, job.id).await;
    assert_eq!(done.state, JobState::Succeeded);
    assert_eq!(done.attempts, 1);
    assert_eq!(
        done.result,
        Some(json!({"pong": true, "payload": {"n": 1}}))
    );
}

#[tokio::test]
async fn with_rabbitmq_a_job_published_by_the_api_runs_once_in_the_worker() {
    let queue = unique_name("ents_e2e_jobs");
    let app = TestApp::spawn_with(|settings| {
        settings.amqp.url = Some(SecretString::from(amqp_url()));
        settings.amqp.queue = queue.clone();
    })
    .await;

    // The API side reports the broker in its readiness.
    let ready: serde_json::Value = eventually(|| async {
        let response = app.get("/readyz").await;
        (response.status() == 200).then_some(())?;
        response.json().await.ok()
    })
    .await
    .expect("ready with the broker");
    assert_eq!(ready["checks"][1]["name"], "broker");

    // Published before any worker runs: the message waits durably in the queue.
    let job = app
        .jobs
        .submit("ping", json!({"hello": "worker"}))
        .await
        .unwrap();
    assert_eq!(app.jobs.get(job.id).await.unwrap().state, JobState::Queued);

    // The worker: same configuration, its own job store connection.
    let worker = RabbitWorker::start(&app, ents_runtime::jobs::builtin_handlers());

    let done = wait_succeeded(&app.jobs, job.id).await;
    assert_eq!(done.state, JobState::Succeeded);
    assert_eq!(done.attempts, 1, "ran exactly once");
    assert_eq!(done.result.unwrap()["payload"], json!({"hello": "worker"}));

    worker.stop().await;
    ents_test_support::delete_queues(&queue).await;
}
