//! Helpers of the end-to-end suite (tests in `tests/tests/`): waiting for a condition with a
//! generous bound, and broker clean-up. The server itself comes from
//! `ents_server::testing::TestApp`.

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

/// Deletes the queues of a test's topology (`q`, `q.retry`, `q.dead`), best effort.
pub async fn delete_queues(amqp_url: &str, base: &str) {
    let Ok(connection) =
        lapin::Connection::connect(amqp_url, lapin::ConnectionProperties::default()).await
    else {
        return;
    };
    if let Ok(channel) = connection.create_channel().await {
        for name in [
            base.to_owned(),
            format!("{base}.retry"),
            format!("{base}.dead"),
        ] {
            let _ = channel
                .queue_delete(
                    name.as_str().into(),
                    lapin::options::QueueDeleteOptions::default(),
                )
                .await;
        }
    }
    let _ = connection.close(200, "done".into()).await;
}
