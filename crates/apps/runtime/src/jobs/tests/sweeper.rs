use std::sync::Arc;
use std::time::Duration;

use ents_amqp::{AmqpJobQueue, AmqpSettings};
use ents_domain::jobs::{JobRepository, JobService, JobState, NewJob};
use tokio::sync::oneshot;

use super::{CountingHandler, Fixture};
use crate::jobs::{InProcessQueue, WorkerSettings, run_sweeper, run_worker};

fn never_published() -> NewJob {
    NewJob {
        kind: CountingHandler::KIND.to_owned(),
        payload: serde_json::json!({}),
        max_attempts: 3,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_runs_a_job_whose_message_was_never_published() {
    let fx = Fixture::new().await;
    let handler = CountingHandler::new(0);
    let queue_name = ents_test_support::unique_name("sweep");
    let amqp = AmqpSettings {
        reconnect_min: Duration::from_millis(50),
        reconnect_max: Duration::from_millis(500),
        ..AmqpSettings::new(ents_test_support::amqp_url()).with_queue(&queue_name)
    };
    let queue = Arc::new(AmqpJobQueue::new(amqp.clone()).unwrap());
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);
    let settings = WorkerSettings {
        sweep_interval: Duration::from_millis(200),
        stale_grace: Duration::ZERO,
        ..WorkerSettings::new(amqp)
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let worker = tokio::spawn(run_worker(
        fx.runner(handler.registry()),
        service,
        settings,
        async {
            let _ = stopped.await;
        },
    ));

    let job = fx.repo.create(never_published()).await.unwrap();
    fx.wait_finished(&[job.id]).await;
    assert_eq!(fx.job(job.id).await.state, JobState::Succeeded);
    assert_eq!(handler.runs_of(job.id), 1);

    let _ = stop.send(());
    tokio::time::timeout(super::PATIENCE, worker)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    queue.close().await;
    ents_test_support::delete_queues(&queue_name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweeper_feeds_lost_jobs_to_the_in_process_queue() {
    let fx = Fixture::new().await;
    let handler = CountingHandler::new(0);
    let (queue, dispatcher) = InProcessQueue::start(fx.runner(handler.registry()), 2);
    let service = JobService::new(fx.repo.clone(), queue.clone(), 3);
    let (stop, stopped) = oneshot::channel::<()>();
    let sweeper = tokio::spawn(run_sweeper(
        service,
        Duration::from_millis(200),
        Duration::ZERO,
        async {
            let _ = stopped.await;
        },
    ));

    let job = fx.repo.create(never_published()).await.unwrap();
    fx.wait_finished(&[job.id]).await;
    assert_eq!(fx.job(job.id).await.state, JobState::Succeeded);
    assert_eq!(handler.runs_of(job.id), 1);

    let _ = stop.send(());
    tokio::time::timeout(super::PATIENCE, sweeper)
        .await
        .unwrap()
        .unwrap();
    queue.close();
    tokio::time::timeout(super::PATIENCE, dispatcher)
        .await
        .unwrap()
        .unwrap();
}
