use std::time::Duration;

use ents_domain::jobs::QueueError;

/// Failures of the RabbitMQ adapter. None of the messages contains the broker URL.
#[derive(Debug, thiserror::Error)]
pub enum AmqpError {
    /// The settings can never work (bad URL, empty queue name…): fix the configuration.
    #[error("invalid AMQP settings: {0}")]
    InvalidSettings(String),
    /// The client library or the broker reported an error (connection lost, channel closed
    /// by the broker, declaration refused…).
    #[error("broker error: {0}")]
    Broker(#[from] lapin::Error),
    /// The broker did not answer in time.
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout { what: &'static str, after: Duration },
    /// The broker answered but did not take the message (nack, or returned as unroutable).
    #[error("the broker refused the message: {0}")]
    Refused(String),
    /// The consumer was cancelled by the broker (its queue was deleted, a node went down).
    #[error("the broker cancelled the consumer")]
    ConsumerCancelled,
    /// The connection was found closed by the supervisor's health check.
    #[error("the connection to the broker was lost")]
    ConnectionLost,
}

impl From<AmqpError> for QueueError {
    fn from(error: AmqpError) -> Self {
        QueueError::Unavailable(error.to_string())
    }
}
