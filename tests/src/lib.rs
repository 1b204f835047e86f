//! Helpers of the end-to-end suite (tests in `tests/tests/`): waiting for a condition with a
//! generous bound, and broker clean-up. The server itself comes from
//! `ents_runtime::testing::TestApp`.

use std::future::Future;
use std::time::Duration;

/// Every wait in this suite is bounded by this; slowness on a shared machine is not a failure.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Polls `check` until it returns `Some`, or gives up after [`PATIENCE`] with `None`.
pub async fn eventually<T, F, Fut>(mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while tokio::time::Instant::now() < deadline {
        if let Some(value) = check().await {
            return Some(value);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}
