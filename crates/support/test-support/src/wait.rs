//! Waiting for what a test expects, with a bound that only a broken system reaches.

use std::future::Future;
use std::time::Duration;

/// Generous bound for every wait: the machine is shared, slowness is not a failure.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// Polls `condition` every 100 ms until it holds; panics after [`PATIENCE`].
pub async fn wait_until<F, Fut>(what: &str, mut condition: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !condition().await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
