use std::time::Duration;

use async_trait::async_trait;
use ents_domain::health::ReadinessProbe;

use crate::publisher::AmqpJobQueue;

/// Longest time a readiness check may take: `/readyz` must answer quickly.
const CHECK_TIMEOUT: Duration = Duration::from_secs(3);

/// `/readyz` probe "broker": ready when the publisher's connection is open, or can be
/// opened right now (the publisher connects lazily, so an idle server is not reported
/// down just because it has not published yet).
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
        if self.queue.is_connected() {
            return Ok(());
        }
        let bound = CHECK_TIMEOUT.min(self.queue.settings().connect_timeout);
        match tokio::time::timeout(bound, self.queue.ensure_connected()).await {
            Ok(Ok(())) => Ok(()),
            // AmqpError messages never contain the URL, so they are safe to show.
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("broker did not answer within {bound:?}")),
        }
    }
}
