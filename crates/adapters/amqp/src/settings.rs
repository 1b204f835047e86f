use std::time::Duration;

use crate::error::AmqpError;

/// How to reach RabbitMQ and how patiently. One instance configures the publisher, the
/// consumer and the readiness probe alike, so they all agree on the queue names.
#[derive(Clone)]
pub struct AmqpSettings {
    /// `amqp://user:password@host:port/vhost`. Holds a secret: never logged (see `Debug`).
    pub url: String,
    /// Base name of the queues (`<queue>`, `<queue>.retry`, `<queue>.dead`).
    pub queue: String,
    /// Unacknowledged deliveries per consumer, i.e. jobs running at once in one worker.
    pub prefetch: u16,
    /// Longest wait for the broker's publisher confirm of one message.
    pub confirm_timeout: Duration,
    /// Longest wait for a TCP + AMQP handshake and the topology declaration.
    pub connect_timeout: Duration,
    /// Longest time one `publish` may spend, reconnects included, before it reports
    /// `Unavailable`. Bounds how long an HTTP request can be held up by a broker outage;
    /// the stale-job sweeper republishes what was refused.
    pub publish_deadline: Duration,
    /// First pause between reconnection attempts; doubles up to `reconnect_max`. Also the
    /// pause before a delivery is handed back after the job store failed.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// On shutdown, how long running jobs may take to finish before the consumer closes.
    pub shutdown_grace: Duration,
}

impl AmqpSettings {
    /// The defaults with this broker URL.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            ..Self::default()
        }
    }

    /// The defaults with another queue base name.
    pub fn with_queue(mut self, queue: impl Into<String>) -> Self {
        self.queue = queue.into();
        self
    }

    /// Checks what can be checked without a broker, so a typo fails at start-up rather
    /// than in an endless reconnect loop. Errors: `InvalidSettings`.
    pub fn validate(&self) -> Result<(), AmqpError> {
        self.url
            .parse::<lapin::uri::AMQPUri>()
            .map_err(|e| AmqpError::InvalidSettings(format!("bad AMQP URL: {e}")))?;
        if self.queue.is_empty() || self.queue.len() > 200 {
            return Err(AmqpError::InvalidSettings(
                "the queue name must have 1 to 200 characters".to_owned(),
            ));
        }
        if self.prefetch == 0 {
            return Err(AmqpError::InvalidSettings(
                "prefetch must be at least 1".to_owned(),
            ));
        }
        if self.reconnect_min.is_zero() || self.reconnect_min > self.reconnect_max {
            return Err(AmqpError::InvalidSettings(
                "reconnect_min must be positive and at most reconnect_max".to_owned(),
            ));
        }
        Ok(())
    }
}

impl Default for AmqpSettings {
    fn default() -> Self {
        Self {
            url: "amqp://127.0.0.1:5672/%2f".to_owned(),
            queue: "ents.jobs".to_owned(),
            prefetch: 8,
            confirm_timeout: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
            publish_deadline: Duration::from_secs(15),
            reconnect_min: Duration::from_millis(500),
            reconnect_max: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Hides the URL: it carries the broker password.
impl std::fmt::Debug for AmqpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpSettings")
            .field("url", &"<redacted>")
            .field("queue", &self.queue)
            .field("prefetch", &self.prefetch)
            .field("confirm_timeout", &self.confirm_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("publish_deadline", &self.publish_deadline)
            .field("reconnect_min", &self.reconnect_min)
            .field("reconnect_max", &self.reconnect_max)
            .field("shutdown_grace", &self.shutdown_grace)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(AmqpSettings::default().validate().is_ok());
    }

    #[test]
    fn debug_hides_the_password() {
        let settings = AmqpSettings::new("amqp://user:hunter2@broker:5672/%2f");
        assert!(!format!("{settings:?}").contains("hunter2"));
    }

    #[test]
    fn rejects_a_bad_url_and_zero_prefetch() {
        assert!(AmqpSettings::new("http://nope").validate().is_err());
        let settings = AmqpSettings {
            prefetch: 0,
            ..AmqpSettings::default()
        };
        assert!(settings.validate().is_err());
    }
}
