//! Settling a delivery once its effects are committed (or could not be): acknowledge it, or
//! hand it back to the broker. Shared by every consumer.

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{BasicAckOptions, BasicNackOptions};

use crate::publisher::AmqpJobQueue;

/// How to settle a delivery.
pub(crate) enum Settle {
    Ack,
    /// Nack with requeue, after a pause (so a failing dependency does not turn into a hot
    /// redelivery loop).
    Requeue {
        after: Duration,
    },
}

impl Settle {
    /// Settles `delivery`. A failure means the channel is gone: the broker then redelivers
    /// the message, which consumers handle idempotently.
    pub(crate) async fn apply(self, delivery: &Delivery) {
        match self {
            Self::Ack => match delivery.acker.ack(BasicAckOptions::default()).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!("channel closed before the acknowledgement; expect a redelivery")
                }
                Err(error) => tracing::warn!(%error, "acknowledgement failed; expect a redelivery"),
            },
            Self::Requeue { after } => {
                if !after.is_zero() {
                    tokio::time::sleep(after).await;
                }
                let options = BasicNackOptions {
                    multiple: false,
                    requeue: true,
                };
                match delivery.acker.nack(options).await {
                    Ok(true) => {}
                    // Unacknowledged deliveries of a closed channel are requeued by the broker.
                    Ok(false) => tracing::debug!("channel closed before the requeue"),
                    Err(error) => {
                        tracing::debug!(%error, "requeue failed; the broker redelivers anyway")
                    }
                }
            }
        }
    }
}

/// Keeps `delivery`'s body in the dead-letter queue with `reason`: [`Settle::Ack`] once the
/// broker confirmed the copy, else [`Settle::Requeue`] after `pause`.
pub(crate) async fn dead_letter(
    publisher: &AmqpJobQueue,
    delivery: &Delivery,
    message_id: Option<&str>,
    reason: &str,
    pause: Duration,
) -> Settle {
    match publisher
        .publish_dead(&delivery.data, message_id, reason)
        .await
    {
        Ok(()) => Settle::Ack,
        Err(error) => {
            tracing::warn!(%error, "could not dead-letter the message; requeueing");
            Settle::Requeue { after: pause }
        }
    }
}
