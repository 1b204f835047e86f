use lapin::Channel;
use lapin::options::QueueDeclareOptions;
use lapin::types::{AMQPValue, FieldTable, ShortString};

use crate::error::AmqpError;

/// The three durable queues derived from one base name.
///
/// Everything goes through the default exchange (routing key = queue name), so there is
/// nothing else to declare or bind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Where "run job X" messages wait for a consumer.
    pub main: String,
    /// Delayed redeliveries: nobody consumes it; each message carries an `expiration`
    /// (the back-off) and is dead-lettered back to `main` when it expires.
    ///
    /// Known limit of RabbitMQ classic queues: a message only expires once it reaches the
    /// head of the queue, so a short delay queued behind a longer one waits for it. Delays
    /// are bounded by the runner's `max_backoff` (and 30 s for "not yet"), and a job that
    /// comes back early is simply delayed again, so the effect is lateness, never loss.
    pub retry: String,
    /// Messages that will never succeed, kept for an operator to inspect.
    pub dead: String,
}

impl Topology {
    pub fn new(base: &str) -> Self {
        Self {
            main: base.to_owned(),
            retry: format!("{base}.retry"),
            dead: format!("{base}.dead"),
        }
    }

    /// Declares the queues; idempotent, so it runs on every (re)connect and recreates what
    /// a broker restart without persistence (or an operator) removed.
    ///
    /// The main queue also dead-letters to `dead`, so a message rejected without requeue
    /// (by a future consumer or an operator tool) is kept rather than dropped. The
    /// arguments are part of a queue's identity: changing them later needs a migration.
    pub(crate) async fn declare(&self, channel: &Channel) -> Result<(), AmqpError> {
        let durable = QueueDeclareOptions::durable();
        channel
            .queue_declare(
                self.main.as_str().into(),
                durable,
                dead_letter_to(&self.dead),
            )
            .await?;
        channel
            .queue_declare(
                self.retry.as_str().into(),
                durable,
                dead_letter_to(&self.main),
            )
            .await?;
        channel
            .queue_declare(self.dead.as_str().into(), durable, FieldTable::default())
            .await?;
        Ok(())
    }
}

/// Queue arguments sending dead letters to `queue` through the default exchange.
fn dead_letter_to(queue: &str) -> FieldTable {
    let mut arguments = FieldTable::default();
    arguments.insert(
        "x-dead-letter-exchange".into(),
        AMQPValue::LongString("".into()),
    );
    arguments.insert(
        "x-dead-letter-routing-key".into(),
        AMQPValue::LongString(queue.into()),
    );
    arguments
}

/// A queue name as lapin wants it.
pub(crate) fn short(name: &str) -> ShortString {
    name.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derives_the_three_names() {
        let topology = Topology::new("ents.jobs");
        assert_eq!(topology.main, "ents.jobs");
        assert_eq!(topology.retry, "ents.jobs.retry");
        assert_eq!(topology.dead, "ents.jobs.dead");
    }
}
