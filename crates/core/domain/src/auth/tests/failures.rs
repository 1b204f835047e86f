//! The brute-force limiter against an in-memory store: the budget per kind and address, the
//! window, two instances sharing one store, and a store that fails.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::DomainError;
use crate::auth::{FailureKind, FailureLimiter, FailureLimits, FailureStore, FailureWindow, Limit};

/// Windows in memory, as the PostgreSQL store keeps them in a table.
#[derive(Default)]
struct MemoryStore {
    windows: Mutex<HashMap<(FailureKind, String), (u32, Instant)>>,
    down: bool,
}

#[async_trait]
impl FailureStore for MemoryStore {
    async fn record(
        &self,
        kind: FailureKind,
        client: &str,
        window: Duration,
    ) -> Result<FailureWindow, DomainError> {
        if self.down {
            return Err(DomainError::Unavailable("store down".into()));
        }
        let now = Instant::now();
        let mut windows = self.windows.lock().unwrap();
        let entry = windows
            .entry((kind, client.to_owned()))
            .or_insert((0, now + window));
        if entry.1 <= now {
            *entry = (0, now + window);
        }
        entry.0 += 1;
        Ok(FailureWindow {
            failures: entry.0,
            remaining: entry.1 - now,
        })
    }

    async fn current(
        &self,
        kind: FailureKind,
        client: &str,
    ) -> Result<Option<FailureWindow>, DomainError> {
        if self.down {
            return Err(DomainError::Unavailable("store down".into()));
        }
        let now = Instant::now();
        let windows = self.windows.lock().unwrap();
        Ok(windows
            .get(&(kind, client.to_owned()))
            .filter(|(_, end)| *end > now)
            .map(|(failures, end)| FailureWindow {
                failures: *failures,
                remaining: *end - now,
            }))
    }

    async fn purge_ended(&self) -> Result<u64, DomainError> {
        Ok(0)
    }
}

fn limits(max: u32, window: Duration) -> FailureLimits {
    let limit = Limit {
        max_failures: max,
        window,
    };
    FailureLimits {
        login: limit,
        credential: limit,
    }
}

const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 1));
const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(192, 0, 2, 2));

#[tokio::test]
async fn the_budget_is_per_kind_and_address_and_resets_with_the_window() {
    let l = FailureLimiter::new(
        Arc::new(MemoryStore::default()),
        limits(2, Duration::from_millis(200)),
    );
    l.record_failure(FailureKind::Login, Some(A)).await;
    assert!(l.check(FailureKind::Login, Some(A)).await.is_ok());
    l.record_failure(FailureKind::Login, Some(A)).await;
    let retry = l.check(FailureKind::Login, Some(A)).await.unwrap_err();
    assert!(retry <= Duration::from_millis(200));
    assert!(l.check(FailureKind::Login, Some(B)).await.is_ok());
    assert!(l.check(FailureKind::Credential, Some(A)).await.is_ok());
    tokio::time::sleep(Duration::from_millis(250)).await;
    assert!(l.check(FailureKind::Login, Some(A)).await.is_ok());
}

#[tokio::test]
async fn requests_without_a_known_address_are_not_limited() {
    let l = FailureLimiter::new(
        Arc::new(MemoryStore::default()),
        limits(1, Duration::from_secs(60)),
    );
    l.record_failure(FailureKind::Login, None).await;
    assert!(l.check(FailureKind::Login, None).await.is_ok());
}

/// Two instances on one store spend one budget. Sign-ins: the second refuses as soon as the
/// first has spent it. Credentials: the second refuses after one failure of its own.
#[tokio::test]
async fn instances_sharing_a_store_share_the_budget() {
    let store: Arc<MemoryStore> = Arc::default();
    let first = FailureLimiter::new(store.clone(), limits(3, Duration::from_secs(60)));
    let second = FailureLimiter::new(store, limits(3, Duration::from_secs(60)));
    for kind in [FailureKind::Login, FailureKind::Credential] {
        for _ in 0..3 {
            first.record_failure(kind, Some(A)).await;
        }
        assert!(first.check(kind, Some(A)).await.is_err());
    }
    assert!(second.check(FailureKind::Login, Some(A)).await.is_err());
    assert!(second.check(FailureKind::Credential, Some(A)).await.is_ok());
    second
        .record_failure(FailureKind::Credential, Some(A))
        .await;
    assert!(
        second
            .check(FailureKind::Credential, Some(A))
            .await
            .is_err()
    );
}

#[tokio::test]
async fn a_store_that_fails_lets_attempts_through() {
    let store = MemoryStore {
        down: true,
        ..MemoryStore::default()
    };
    let l = FailureLimiter::new(Arc::new(store), limits(1, Duration::from_secs(60)));
    l.record_failure(FailureKind::Login, Some(A)).await;
    l.record_failure(FailureKind::Login, Some(A)).await;
    assert!(l.check(FailureKind::Login, Some(A)).await.is_ok());
}
