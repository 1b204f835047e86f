//! Brute-force limits (docs/compatibility.md#login-and-tokens): failed attempts per client IP in a
//! fixed window; when the budget is spent, attempts are refused with 429 and `Retry-After` until
//! the window ends. Only failures count, so a user who signs in correctly is never slowed down. In
//! memory, per process: enough to make guessing impractical; a cluster multiplies the budget by its
//! size.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A budget of failures per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub max_failures: u32,
    pub window: Duration,
}

/// The two budgets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureLimits {
    /// Password sign-in, registration, the Google callback: human-speed actions.
    pub login: Limit,
    /// Refresh with a cookie, `X-API-Key`: machines retry, so the budget is larger.
    pub credential: Limit,
}

impl Default for FailureLimits {
    fn default() -> Self {
        Self {
            login: Limit {
                max_failures: 10,
                window: Duration::from_secs(600),
            },
            credential: Limit {
                max_failures: 100,
                window: Duration::from_secs(600),
            },
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum LimitKind {
    Login,
    Credential,
}

struct Window {
    started: Instant,
    failures: u32,
}

/// Tracked (kind, IP) pairs beyond which expired windows are swept.
const SWEEP_THRESHOLD: usize = 10_000;

pub(crate) struct FailureLimiter {
    limits: FailureLimits,
    windows: Mutex<HashMap<(LimitKind, IpAddr), Window>>,
}

impl FailureLimiter {
    pub fn new(limits: FailureLimits) -> Self {
        Self {
            limits,
            windows: Mutex::new(HashMap::new()),
        }
    }

    fn limit(&self, kind: LimitKind) -> Limit {
        match kind {
            LimitKind::Login => self.limits.login,
            LimitKind::Credential => self.limits.credential,
        }
    }

    /// `Err(retry_after)` when `ip` has spent its budget for `kind`.
    pub fn check(&self, kind: LimitKind, ip: Option<IpAddr>) -> Result<(), Duration> {
        let Some(ip) = ip else { return Ok(()) };
        let limit = self.limit(kind);
        let windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        match windows.get(&(kind, ip)) {
            Some(w) if w.started.elapsed() < limit.window && w.failures >= limit.max_failures => {
                Err(limit.window.saturating_sub(w.started.elapsed()))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt.
    pub fn record_failure(&self, kind: LimitKind, ip: Option<IpAddr>) {
        let Some(ip) = ip else { return };
        let limit = self.limit(kind);
        let mut windows = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if windows.len() >= SWEEP_THRESHOLD {
            windows.retain(|(k, _), w| w.started.elapsed() < self.limit(*k).window);
        }
        let window = windows.entry((kind, ip)).or_insert(Window {
            started: Instant::now(),
            failures: 0,
        });
        if window.started.elapsed() >= limit.window {
            *window = Window {
                started: Instant::now(),
                failures: 0,
            };
        }
        window.failures = window.failures.saturating_add(1);
        if window.failures == limit.max_failures {
            tracing::warn!(%ip, ?kind, "too many failed attempts: client blocked for the window");
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn limiter(max: u32, window: Duration) -> FailureLimiter {
        let limit = Limit {
            max_failures: max,
            window,
        };
        FailureLimiter::new(FailureLimits {
            login: limit,
            credential: limit,
        })
    }

    #[test]
    fn the_budget_is_per_kind_and_address_and_resets_with_the_window() {
        let l = limiter(2, Duration::from_millis(200));
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        l.record_failure(LimitKind::Login, Some(a));
        assert!(l.check(LimitKind::Login, Some(a)).is_ok());
        l.record_failure(LimitKind::Login, Some(a));
        let retry = l.check(LimitKind::Login, Some(a)).unwrap_err();
        assert!(retry <= Duration::from_millis(200));
        assert!(l.check(LimitKind::Login, Some(b)).is_ok());
        assert!(l.check(LimitKind::Credential, Some(a)).is_ok());
        std::thread::sleep(Duration::from_millis(250));
        assert!(l.check(LimitKind::Login, Some(a)).is_ok());
    }

    #[test]
    fn requests_without_a_known_address_are_not_limited() {
        let l = limiter(1, Duration::from_secs(60));
        l.record_failure(LimitKind::Login, None);
        assert!(l.check(LimitKind::Login, None).is_ok());
    }
}
