//! Looking into and cleaning up after tests that declare RabbitMQ queues.
//!
//! Every broker call here is bounded: a broker that stops answering (a close-ok that never
//! comes, a connection stuck in its handshake) fails or skips the step instead of holding the
//! test until the runner kills it.

use std::future::Future;
use std::time::Duration;

use crate::env::amqp_url;

/// How long one call to the test broker may take before the test gives up on it.
const BROKER_STEP: Duration = Duration::from_secs(15);

/// `step` within [`BROKER_STEP`], or `None`.
async fn bounded<T>(step: impl Future<Output = lapin::Result<T>>) -> Option<lapin::Result<T>> {
    tokio::time::timeout(BROKER_STEP, step).await.ok()
}

async fn connect() -> Option<lapin::Result<lapin::Connection>> {
    bounded(lapin::Connection::connect(
        &amqp_url(),
        lapin::ConnectionProperties::default(),
    ))
    .await
}

/// Closes politely, but does not wait past [`BROKER_STEP`] for the broker's close-ok: the
/// connection is dropped either way.
async fn close(connection: lapin::Connection) {
    let _ = bounded(connection.close(200, "OK".into())).await;
}

/// Messages ready in `queue` on the test broker (not counting unacknowledged ones): a passive
/// declare reads the count without changing the queue. Panics when the broker cannot be
/// reached, does not answer in time, or the queue does not exist (a test's own failure).
#[allow(clippy::expect_used)]
pub async fn messages_ready(queue: &str) -> u32 {
    let connection = connect()
        .await
        .expect("the test broker answers in time")
        .expect("the test broker answers");
    let channel = bounded(connection.create_channel())
        .await
        .expect("a channel in time")
        .expect("a channel");
    let options = lapin::options::QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let count =
        bounded(channel.queue_declare(queue.into(), options, lapin::types::FieldTable::default()))
            .await
            .expect("the passive declare answers in time")
            .expect("the queue exists")
            .message_count();
    close(connection).await;
    count
}

/// Deletes the queues of a test's topology (`base`, `base.retry`, `base.dead`) on the test
/// broker, best effort: a broker that is gone or silent leaves nothing to clean.
pub async fn delete_queues(base: &str) {
    let Some(Ok(connection)) = connect().await else {
        return;
    };
    if let Some(Ok(channel)) = bounded(connection.create_channel()).await {
        for name in [
            base.to_owned(),
            format!("{base}.retry"),
            format!("{base}.dead"),
        ] {
            let delete = channel.queue_delete(
                name.as_str().into(),
                lapin::options::QueueDeleteOptions::default(),
            );
            if bounded(delete).await.is_none() {
                break;
            }
        }
    }
    close(connection).await;
}
