//! `PgFailureStore`: the shared brute-force counts — a window per kind and client, counted
//! atomically under concurrency, restarted when it has ended, purged once ended.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use ents_domain::auth::{FailureKind, FailureStore};
use ents_persistence::PgFailureStore;
use ents_persistence::testing::TestDb;

#[tokio::test]
async fn failures_are_counted_per_kind_and_client_in_a_window() {
    let test_db = TestDb::new().await;
    let store = PgFailureStore::new(test_db.db());
    let minute = Duration::from_secs(60);

    let first = store
        .record(FailureKind::Login, "192.0.2.1", minute)
        .await
        .unwrap();
    assert_eq!(first.failures, 1);
    assert!(first.remaining > Duration::from_secs(50) && first.remaining <= minute);
    let second = store
        .record(FailureKind::Login, "192.0.2.1", minute)
        .await
        .unwrap();
    assert_eq!(second.failures, 2);
    let current = store
        .current(FailureKind::Login, "192.0.2.1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(current.failures, 2);
    assert!(current.remaining <= second.remaining);
    // Another kind, another client: their own windows.
    let other_kind = store
        .record(FailureKind::Credential, "192.0.2.1", minute)
        .await;
    assert_eq!(other_kind.unwrap().failures, 1);
    let other_client = store.record(FailureKind::Login, "192.0.2.2", minute).await;
    assert_eq!(other_client.unwrap().failures, 1);
}

#[tokio::test]
async fn concurrent_failures_from_several_instances_are_all_counted() {
    let test_db = TestDb::new().await;
    let store = Arc::new(PgFailureStore::new(test_db.db()));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .record(
                        FailureKind::Credential,
                        "2001:db8::1",
                        Duration::from_secs(60),
                    )
                    .await
                    .unwrap()
                    .failures
            })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=20).collect::<Vec<u32>>());
}

#[tokio::test]
async fn an_ended_window_restarts_and_is_purged() {
    let test_db = TestDb::new().await;
    let store = PgFailureStore::new(test_db.db());
    let short = Duration::from_millis(300);
    let long = Duration::from_secs(60);
    store
        .record(FailureKind::Login, "192.0.2.9", short)
        .await
        .unwrap();
    store
        .record(FailureKind::Login, "192.0.2.9", short)
        .await
        .unwrap();
    store
        .record(FailureKind::Login, "192.0.2.10", long)
        .await
        .unwrap();
    store
        .record(FailureKind::Login, "192.0.2.11", short)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;

    let again = store
        .record(FailureKind::Login, "192.0.2.9", short)
        .await
        .unwrap();
    assert_eq!(again.failures, 1, "a new window");
    assert_eq!(
        store.purge_ended().await.unwrap(),
        1,
        "only .11's ended window"
    );
    let kept = store.record(FailureKind::Login, "192.0.2.10", long).await;
    assert_eq!(kept.unwrap().failures, 2);
}
