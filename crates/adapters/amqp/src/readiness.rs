use std::time::Duration;

use async_trait::async_trait;
use ents_domain::health::ReadinessProbe;

use crate::publisher::AmqpJobQueue;

/// Longest time a readiness check may take: `/readyz` must answer quickly.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// `/readyz` probe "broker": ready when the broker answers a round trip on the publisher's
/// connection, opened now if needed (the publisher connects lazily, so an idle server is not
/// reported down just because it has not published yet). An open connection alone proves
/// nothing: to a broker behind a partition it stays open, silent.
#[derive(Clone)]
pub struct AmqpReadiness {
    queue: AmqpJobQueue,
}

impl AmqpReadiness {
    pub fn new(queue: AmqpJobQueue) -> Self {
        Self { queue }
    }
}

#[async_trait]
impl ReadinessProbe for AmqpReadiness {
    fn name(&self) -> &'static str {
        "broker"
    }

    async fn check(&self) -> Result<(), String> {
        let bound = CHECK_TIMEOUT.min(self.queue.settings().connect_timeout);
        // AmqpError messages never contain the URL, so they are safe to show.
        self.queue
            .check(bound)
            .await
            .map_err(|error| error.to_string())
    }
}
