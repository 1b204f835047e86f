//! `PgJobRepository` against the `JobRepository` contract (ents_domain::jobs::ports).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ents_domain::jobs::{Claim, Job, JobCounts, JobId, JobRepository, JobState, NewJob};
use ents_domain::{ConflictKind, DomainError};
use ents_persistence::PgJobRepository;
use ents_persistence::testing::TestDb;
use serde_json::json;

const LEASE: Duration = Duration::from_secs(300);

fn new_job(kind: &str) -> NewJob {
    NewJob {
        kind: kind.to_owned(),
        payload: json!({"cell_ids": [1, 2], "format": "csv"}),
        max_attempts: 3,
    }
}

struct Fixture {
    test_db: TestDb,
    repo: PgJobRepository,
}

impl Fixture {
    async fn new() -> Self {
        let test_db = TestDb::new().await;
        let repo = PgJobRepository::new(test_db.db());
        Self { test_db, repo }
    }

    /// Moves a job's clock-dependent columns, instead of sleeping.
    async fn set(&self, id: JobId, assignments: &str) {
        let mut conn = common::connect(self.test_db.url()).await;
        common::exec(
            &mut conn,
            &format!("UPDATE job SET {assignments} WHERE id = '{id}'"),
        )
        .await;
    }

    async fn run(&self, kind: &str) -> Job {
        let job = self.repo.create(new_job(kind)).await.unwrap();
        match self.repo.claim(job.id, LEASE).await.unwrap() {
            Claim::Run(job) => job,
            other => panic!("expected Run, got {other:?}"),
        }
    }
}

fn unwrap_not_yet(claim: Claim) -> Job {
    match claim {
        Claim::NotYet(job) => job,
        other => panic!("expected NotYet, got {other:?}"),
    }
}

#[tokio::test]
async fn create_stores_a_queued_job_that_get_returns() {
    let f = Fixture::new().await;
    let created = f.repo.create(new_job("export.csv")).await.unwrap();

    assert_eq!(created.state, JobState::Queued);
    assert_eq!(
        (created.attempts, created.max_attempts, created.progress),
        (0, 3, 0.0)
    );
    assert_eq!(
        created.payload,
        json!({"cell_ids": [1, 2], "format": "csv"})
    );
    assert!(created.run_after <= created.created_at);
    assert_eq!(
        (created.started_at, created.finished_at, created.lease_until),
        (None, None, None)
    );
    assert_eq!(f.repo.get(created.id).await.unwrap(), created);
}

#[tokio::test]
async fn create_gives_every_job_at_least_one_attempt() {
    let f = Fixture::new().await;
    let job = f
        .repo
        .create(NewJob {
            max_attempts: 0,
            ..new_job("x")
        })
        .await
        .unwrap();
    assert_eq!(job.max_attempts, 1);
}

#[tokio::test]
async fn claim_runs_a_queued_job_once_per_lease() {
    let f = Fixture::new().await;
    let job = f.repo.create(new_job("export.csv")).await.unwrap();

    let Claim::Run(running) = f.repo.claim(job.id, LEASE).await.unwrap() else {
        panic!("a queued job must run");
    };
    assert_eq!((running.state, running.attempts), (JobState::Running, 1));
    assert!(running.started_at.is_some());
    assert!(running.lease_until.unwrap() > running.created_at + chrono::Duration::seconds(200));

    let again = unwrap_not_yet(f.repo.claim(job.id, LEASE).await.unwrap());
    assert_eq!((again.state, again.attempts), (JobState::Running, 1));

    f.repo.complete(job.id, json!({"rows": 42})).await.unwrap();
    let Claim::Finished(done) = f.repo.claim(job.id, LEASE).await.unwrap() else {
        panic!("a succeeded job must not run again");
    };
    assert_eq!(done.state, JobState::Succeeded);
    assert_eq!(done.attempts, 1);
}

#[tokio::test]
async fn an_expired_lease_lets_another_consumer_take_over() {
    let f = Fixture::new().await;
    let job = f.run("export.csv").await;
    f.set(job.id, "lease_until = now() - interval '1 minute'")
        .await;

    let Claim::Run(taken) = f.repo.claim(job.id, LEASE).await.unwrap() else {
        panic!("an expired lease must be claimable");
    };
    assert_eq!((taken.state, taken.attempts), (JobState::Running, 2));
}

#[tokio::test]
async fn a_job_backing_off_is_not_yet_due() {
    let f = Fixture::new().await;
    let job = f.repo.create(new_job("ttn.register")).await.unwrap();
    f.set(job.id, "run_after = now() + interval '1 hour'").await;

    let waiting = unwrap_not_yet(f.repo.claim(job.id, LEASE).await.unwrap());
    assert_eq!((waiting.state, waiting.attempts), (JobState::Queued, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_let_exactly_one_run() {
    let f = Fixture::new().await;
    let job = f.repo.create(new_job("export.csv")).await.unwrap();
    let repo = Arc::new(f.repo.clone());

    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let repo = repo.clone();
            tokio::spawn(async move { repo.claim(job.id, LEASE).await })
        })
        .collect();
    let mut runs = 0;
    for task in tasks {
        match task.await.unwrap().unwrap() {
            Claim::Run(_) => runs += 1,
            Claim::NotYet(_) => {}
            Claim::Finished(other) => panic!("unexpected Finished: {other:?}"),
        }
    }
    assert_eq!(runs, 1);
    assert_eq!(f.repo.get(job.id).await.unwrap().attempts, 1);
}

#[tokio::test]
async fn a_retried_failure_requeues_the_job_after_its_delay() {
    let f = Fixture::new().await;
    let job = f.run("ttn.register").await;

    f.repo
        .fail(job.id, "TTN unreachable", Some(Duration::from_secs(3600)))
        .await
        .unwrap();

    let requeued = f.repo.get(job.id).await.unwrap();
    assert_eq!(requeued.state, JobState::Queued);
    assert_eq!(requeued.error.as_deref(), Some("TTN unreachable"));
    assert_eq!((requeued.lease_until, requeued.finished_at), (None, None));
    assert!(requeued.run_after > requeued.updated_at + chrono::Duration::minutes(50));
    unwrap_not_yet(f.repo.claim(job.id, LEASE).await.unwrap());

    f.set(job.id, "run_after = now() - interval '1 second'")
        .await;
    let Claim::Run(second) = f.repo.claim(job.id, LEASE).await.unwrap() else {
        panic!("the retry must run once its delay has passed");
    };
    assert_eq!(second.attempts, 2);
}

#[tokio::test]
async fn a_final_failure_finishes_the_job() {
    let f = Fixture::new().await;
    let job = f.run("export.csv").await;

    f.repo
        .fail(job.id, "cell 9 does not exist", None)
        .await
        .unwrap();

    let failed = f.repo.get(job.id).await.unwrap();
    assert_eq!(failed.state, JobState::Failed);
    assert_eq!(failed.error.as_deref(), Some("cell 9 does not exist"));
    assert!(failed.finished_at.is_some() && failed.lease_until.is_none());
    assert!(matches!(
        f.repo.claim(job.id, LEASE).await.unwrap(),
        Claim::Finished(_)
    ));
    // A finished job cannot fail or complete again.
    assert!(matches!(
        f.repo.fail(job.id, "again", None).await,
        Err(DomainError::Conflict {
            kind: ConflictKind::State,
            ..
        })
    ));
    assert!(matches!(
        f.repo.complete(job.id, json!(null)).await,
        Err(DomainError::Conflict {
            kind: ConflictKind::State,
            ..
        })
    ));
}

#[tokio::test]
async fn count_by_state_sorts_the_queue_as_an_operator_sees_it() {
    let f = Fixture::new().await;
    assert_eq!(f.repo.count_by_state().await.unwrap(), JobCounts::default());

    f.repo.create(new_job("ping")).await.unwrap(); // runnable
    let backing_off = f.repo.create(new_job("ping")).await.unwrap();
    f.set(backing_off.id, "run_after = now() + interval '1 hour'")
        .await;
    f.run("export.csv").await; // running
    let failed = f.run("export.csv").await;
    f.repo.fail(failed.id, "no such cell", None).await.unwrap();
    let done = f.run("ping").await;
    f.repo.complete(done.id, json!({})).await.unwrap(); // not counted

    assert_eq!(
        f.repo.count_by_state().await.unwrap(),
        JobCounts {
            runnable: 1,
            delayed: 1,
            running: 1,
            failed: 1,
        }
    );
}

#[tokio::test]
async fn complete_records_the_result() {
    let f = Fixture::new().await;
    let job = f.run("export.csv").await;

    f.repo
        .complete(job.id, json!({"file": "export-1.csv", "rows": 1204}))
        .await
        .unwrap();

    let done = f.repo.get(job.id).await.unwrap();
    assert_eq!(done.state, JobState::Succeeded);
    assert_eq!(
        done.result,
        Some(json!({"file": "export-1.csv", "rows": 1204}))
    );
    assert_eq!(done.progress, 1.0);
    assert!(done.finished_at.is_some() && done.lease_until.is_none());
}

#[tokio::test]
async fn set_progress_clamps_and_extends_the_lease() {
    let f = Fixture::new().await;
    let job = f.run("export.csv").await;
    f.set(job.id, "lease_until = now() + interval '1 second'")
        .await;

    f.repo
        .set_progress(job.id, 1.7, Duration::from_secs(3600))
        .await
        .unwrap();
    let advanced = f.repo.get(job.id).await.unwrap();
    assert_eq!(advanced.progress, 1.0);
    assert!(advanced.lease_until.unwrap() > advanced.updated_at + chrono::Duration::minutes(50));

    f.repo.set_progress(job.id, -0.3, LEASE).await.unwrap();
    assert_eq!(f.repo.get(job.id).await.unwrap().progress, 0.0);
    f.repo.set_progress(job.id, 0.5, LEASE).await.unwrap();
    assert_eq!(f.repo.get(job.id).await.unwrap().progress, 0.5);
}

#[tokio::test]
async fn set_progress_leaves_a_job_that_is_not_running_alone() {
    let f = Fixture::new().await;
    let job = f.repo.create(new_job("export.csv")).await.unwrap();

    f.repo.set_progress(job.id, 0.5, LEASE).await.unwrap();

    assert_eq!(f.repo.get(job.id).await.unwrap(), job);
}

#[tokio::test]
async fn list_stale_finds_lost_messages_oldest_first() {
    let f = Fixture::new().await;
    let grace = Duration::from_secs(600);
    let queued_long_ago = f.repo.create(new_job("a")).await.unwrap();
    f.set(queued_long_ago.id, "run_after = now() - interval '1 hour'")
        .await;
    let abandoned = f.run("b").await;
    f.set(abandoned.id, "lease_until = now() - interval '1 hour'")
        .await;
    let queued_now = f.repo.create(new_job("c")).await.unwrap();
    let running = f.run("d").await;
    let recently_expired = f.run("e").await;
    f.set(
        recently_expired.id,
        "lease_until = now() - interval '1 minute'",
    )
    .await;
    let done = f.run("f").await;
    f.repo.complete(done.id, json!(null)).await.unwrap();
    f.set(done.id, "run_after = now() - interval '1 day'").await;
    let dead = f.run("g").await;
    f.repo.fail(dead.id, "no", None).await.unwrap();
    f.set(dead.id, "lease_until = now() - interval '1 day'")
        .await;

    let stale: Vec<JobId> = f
        .repo
        .list_stale(grace, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();

    assert_eq!(stale, [queued_long_ago.id, abandoned.id]);
    let _ = (queued_now, running);
    let first: Vec<JobId> = f
        .repo
        .list_stale(grace, 1)
        .await
        .unwrap()
        .into_iter()
        .map(|j| j.id)
        .collect();
    assert_eq!(first, [queued_long_ago.id]);
    assert!(f.repo.list_stale(grace, 0).await.unwrap().is_empty());
}

#[tokio::test]
async fn an_unknown_id_is_not_found_everywhere() {
    let f = Fixture::new().await;
    let id = JobId::new();
    let not_found = |result: Result<(), DomainError>| {
        assert!(
            matches!(&result, Err(DomainError::NotFound(message)) if message == "Job not found"),
            "{result:?}"
        );
    };

    not_found(f.repo.get(id).await.map(drop));
    not_found(f.repo.claim(id, LEASE).await.map(drop));
    not_found(f.repo.set_progress(id, 0.5, LEASE).await);
    not_found(f.repo.complete(id, json!(null)).await);
    not_found(f.repo.fail(id, "x", None).await);
    not_found(f.repo.fail(id, "x", Some(LEASE)).await);
}
