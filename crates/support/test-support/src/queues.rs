//! Cleaning up after tests that declare RabbitMQ queues.

use crate::env::amqp_url;

/// Deletes the queues of a test's topology (`base`, `base.retry`, `base.dead`) on the test
/// broker, best effort: a broker that is gone leaves nothing to clean.
pub async fn delete_queues(base: &str) {
    let Ok(connection) =
        lapin::Connection::connect(&amqp_url(), lapin::ConnectionProperties::default()).await
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
    let _ = connection.close(200, "OK".into()).await;
}
