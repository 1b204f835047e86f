//! With the database unreachable, requests fail with `Unavailable` instead of hanging, and
//! the pool heals by itself when it comes back. The outage is a `ChaosProxy` in front of the
//! shared PostgreSQL, so no real service is disturbed. No timing assertions: the test only
//! requires that every call returns.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ents_domain::DomainError;
use ents_domain::health::ReadinessProbe;
use ents_domain::jobs::{JobId, JobRepository};
use ents_persistence::testing::TestDb;
use ents_persistence::{Db, PgJobRepository, PgReadiness, PoolSettings};
use ents_test_support::ChaosProxy;
use tokio_postgres::config::Host;

/// Bounded polling: the proxy and the pool react asynchronously.
const ATTEMPTS: usize = 100;
const PAUSE: Duration = Duration::from_millis(100);

/// `host:port` and `user[:password]` of the test server (`ENTS_TEST_DATABASE_URL`).
fn server_of(admin_url: &str) -> (String, String) {
    let config: tokio_postgres::Config = admin_url.parse().unwrap();
    let host = match config.get_hosts().first() {
        Some(Host::Tcp(host)) => host.clone(),
        other => panic!("the outage test needs a TCP database host, not {other:?}"),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let mut user = config.get_user().unwrap_or("postgres").to_owned();
    if let Some(password) = config.get_password() {
        user = format!("{user}:{}", String::from_utf8_lossy(password));
    }
    (format!("{host}:{port}"), user)
}

/// `get` of an unknown job: `NotFound` proves a round trip to the database worked.
async fn probe(repo: &PgJobRepository) -> Result<(), DomainError> {
    match repo.get(JobId::new()).await {
        Err(DomainError::NotFound(_)) => Ok(()),
        Ok(job) => panic!("a random id found {job:?}"),
        Err(other) => Err(other),
    }
}

#[tokio::test]
async fn an_outage_gives_unavailable_and_the_pool_recovers() {
    let test_db = TestDb::new().await;
    let (target, user) = server_of(test_db.admin_url());
    let proxy = ChaosProxy::start(&target).await.unwrap();
    let db = Db::new(&PoolSettings {
        url: format!(
            "postgres://{user}@127.0.0.1:{}/{}",
            proxy.port(),
            test_db.name()
        ),
        max_size: 2,
        wait_timeout: Duration::from_secs(5),
        create_timeout: Duration::from_secs(5),
        recycle_timeout: Duration::from_secs(2),
        connect_timeout: Duration::from_secs(5),
        statement_timeout: Duration::from_secs(5),
        operation_timeout: Duration::from_secs(20),
        track_functions: false,
    })
    .unwrap();
    let repo = PgJobRepository::new(db.clone());
    let readiness = PgReadiness::new(db);

    probe(&repo).await.unwrap();
    readiness.check().await.unwrap();

    proxy.cut();
    // A request racing the cut may still get through; the next ones cannot.
    let mut outcome = Ok(());
    for _ in 0..ATTEMPTS {
        outcome = probe(&repo).await;
        if outcome.is_err() {
            break;
        }
        tokio::time::sleep(PAUSE).await;
    }
    assert!(
        matches!(outcome, Err(DomainError::Unavailable(_))),
        "{outcome:?}"
    );
    let reason = readiness.check().await.unwrap_err();
    assert!(reason.starts_with("database unavailable"), "{reason}");
    assert!(!reason.contains("postgres://"), "{reason}");

    proxy.restore();
    let mut outcome = Err(DomainError::Unavailable("not tried".to_owned()));
    for _ in 0..ATTEMPTS {
        outcome = probe(&repo).await;
        if outcome.is_ok() {
            break;
        }
        tokio::time::sleep(PAUSE).await;
    }
    outcome.unwrap();
    readiness.check().await.unwrap();
}

#[tokio::test]
async fn a_database_that_is_down_from_the_start_is_unavailable() {
    // Nothing listens on port 1: connections are refused.
    let db = Db::new(&PoolSettings {
        url: "postgres://postgres@127.0.0.1:1/nothing".to_owned(),
        ..PoolSettings::default()
    })
    .unwrap();
    let result = PgJobRepository::new(db.clone()).get(JobId::new()).await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "{result:?}"
    );
    assert!(PgReadiness::new(db).check().await.is_err());
}
