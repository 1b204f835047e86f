//! Brute-force budgets (docs/compatibility.md#login-and-tokens): failed attempts per client in
//! a fixed window; once the budget is spent, attempts are refused until the window ends. Only
//! failures count, so a user who signs in correctly is never slowed down.
//!
//! The count lives in a [`FailureStore`] that every instance of a deployment shares
//! (PostgreSQL), so N instances do not multiply the budget by N. Each process also remembers
//! the clients it saw reach the budget, and refuses them without asking the store. Sign-ins
//! (human-speed) ask the store before every attempt, so their budget is exact across the
//! deployment. API keys and refresh cookies (machine-speed, checked on every request that
//! carries one) do not: a request that succeeds costs no store round trip, and a client blocked
//! through one instance gets at most one more attempt on each other instance, whose failure
//! blocks it there too.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;

use crate::DomainError;

/// Which budget an attempt spends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// Password sign-in, registration, the Google callback: human-speed actions.
    Login,
    /// Refresh with a cookie, `X-API-Key`: machines retry, so the budget is larger.
    Credential,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Login => "login",
            Self::Credential => "credential",
        }
    }
}

/// A budget of failures per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: u32,
    pub window: Duration,
}

/// The two budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureLimits {
    pub login: Limit,
    pub credential: Limit,
}

impl Default for FailureLimits {
    fn default() -> Self {
        let window = Duration::from_secs(600);
        Self {
            login: Limit {
                max_failures: 10,
                window,
            },
            credential: Limit {
                max_failures: 100,
                window,
            },
        }
    }
}

/// A client's current window, after a failure was counted in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureWindow {
    /// Failures counted in the window, this one included.
    pub failures: u32,
    /// Time left until the window ends.
    pub remaining: Duration,
}

/// Failed attempts per (kind, client), counted where every instance of a deployment sees them.
///
/// Errors: `Unavailable` when the store cannot be reached in time; `Internal` otherwise.
#[async_trait]
pub trait FailureStore: Send + Sync + 'static {
    /// Counts one failure of `client` for `kind`: in its current window, or in a new one of
    /// length `window` when there is none or it has ended. Atomic: concurrent failures from
    /// several instances are all counted.
    async fn record(
        &self,
        kind: FailureKind,
        client: &str,
        window: Duration,
    ) -> Result<FailureWindow, DomainError>;

    /// The current window of `client` for `kind`, if one has not ended.
    async fn current(
        &self,
        kind: FailureKind,
        client: &str,
    ) -> Result<Option<FailureWindow>, DomainError>;

    /// Forgets windows that have ended (housekeeping); returns how many.
    async fn purge_ended(&self) -> Result<u64, DomainError>;
}

/// Blocked clients tracked in memory beyond which ended blocks are swept.
const SWEEP_THRESHOLD: usize = 10_000;

/// The brute-force limiter of one process, counting in the shared [`FailureStore`].
#[derive(Clone)]
pub struct FailureLimiter {
    store: Arc<dyn FailureStore>,
    limits: FailureLimits,
    blocked: Arc<Mutex<HashMap<(FailureKind, IpAddr), Instant>>>,
}

impl FailureLimiter {
    pub fn new(store: Arc<dyn FailureStore>, limits: FailureLimits) -> Self {
        Self {
            store,
            limits,
            blocked: Arc::default(),
        }
    }

    fn limit(&self, kind: FailureKind) -> Limit {
        match kind {
            FailureKind::Login => self.limits.login,
            FailureKind::Credential => self.limits.credential,
        }
    }

    /// `Err(retry_after)` when `client` has spent its budget for `kind`. A client whose address
    /// is unknown is never limited. When the store cannot answer, the attempt is let through
    /// (logged): it needs the same database and fails there anyway.
    pub async fn check(&self, kind: FailureKind, client: Option<IpAddr>) -> Result<(), Duration> {
        let Some(ip) = client else { return Ok(()) };
        if let Some(until) = self.blocked_until(kind, ip) {
            return Err(until - Instant::now());
        }
        if kind != FailureKind::Login {
            return Ok(());
        }
        match self.store.current(kind, &ip.to_string()).await {
            Ok(Some(window)) if window.failures >= self.limit(kind).max_failures => {
                self.block(kind, ip, window.remaining);
                Err(window.remaining)
            }
            Ok(_) => Ok(()),
            Err(error) => {
                tracing::warn!(%ip, ?kind, %error, "could not read the failure count");
                Ok(())
            }
        }
    }

    fn blocked_until(&self, kind: FailureKind, ip: IpAddr) -> Option<Instant> {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked
            .get(&(kind, ip))
            .copied()
            .filter(|until| *until > Instant::now())
    }

    fn block(&self, kind: FailureKind, ip: IpAddr, remaining: Duration) {
        let now = Instant::now();
        let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        if blocked.len() >= SWEEP_THRESHOLD {
            blocked.retain(|_, until| *until > now);
        }
        blocked.insert((kind, ip), now + remaining);
    }

    /// Counts a failed attempt. When the store cannot count it, the attempt is let through
    /// (logged): the attempt itself needs the same database and fails there anyway.
    pub async fn record_failure(&self, kind: FailureKind, client: Option<IpAddr>) {
        let Some(ip) = client else { return };
        let limit = self.limit(kind);
        let window = match self.store.record(kind, &ip.to_string(), limit.window).await {
            Ok(window) => window,
            Err(error) => {
                tracing::warn!(%ip, ?kind, %error, "could not count a failed attempt");
                return;
            }
        };
        if window.failures < limit.max_failures {
            return;
        }
        if window.failures == limit.max_failures {
            tracing::warn!(%ip, ?kind, "too many failed attempts: client blocked for the window");
        }
        self.block(kind, ip, window.remaining);
    }

    /// Forgets ended windows in the store; returns how many.
    pub async fn purge_ended(&self) -> Result<u64, DomainError> {
        self.store.purge_ended().await
    }
}
