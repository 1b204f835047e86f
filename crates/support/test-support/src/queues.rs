//! Looking into and cleaning up after tests that declare RabbitMQ queues.

use crate::env::amqp_url;

async fn connect() -> lapin::Result<lapin::Connection> {
    lapin::Connection::connect(&amqp_url(), lapin::ConnectionProperties::default()).await
}

/// Messages ready in `queue` on the test broker (not counting unacknowledged ones): a passive
/// declare reads the count without changing the queue. Panics when the broker cannot be
/// reached or the queue does not exist (a test's own failure).
#[allow(clippy::expect_used)]
pub async fn messages_ready(queue: &str) -> u32 {
    let connection = connect().await.expect("the test broker answers");
    let channel = connection.create_channel().await.expect("a channel");
    let options = lapin::options::QueueDeclareOptions {
        passive: true,
        ..Default::default()
    };
    let count = channel
        .queue_declare(queue.into(), options, lapin::types::FieldTable::default())
        .await
        .expect("the queue exists")
        .message_count();
    let _ = connection.close(200, "OK".into()).await;
    count
}

/// Deletes the queues of a test's topology (`base`, `base.retry`, `base.dead`) on the test
/// broker, best effort: a broker that is gone leaves nothing to clean.
pub async fn delete_queues(base: &str) {
    let Ok(connection) = connect().await else {
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
    let _ = connection.close(200, "OK".into()).await;
}
