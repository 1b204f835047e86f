//! A session's deliveries as a consumer sees them: the next delivery, or shutdown, or the
//! error that ended the session.

use std::time::Duration;

use futures_util::StreamExt;
use lapin::Consumer;
use lapin::message::Delivery;
use tokio::time::Interval;

use crate::error::AmqpError;
use crate::session::Session;
use crate::shutdown::Shutdown;

/// How often the connection is checked, in case the client library does not end the delivery
/// stream when the connection dies.
const WATCHDOG_PERIOD: Duration = Duration::from_secs(1);

/// The deliveries of one session.
pub(crate) struct Deliveries<'s, 'a> {
    session: &'s Session,
    consumer: Consumer,
    shutdown: &'s mut Shutdown<'a>,
    watchdog: Interval,
}

impl<'s, 'a> Deliveries<'s, 'a> {
    pub(super) fn new(
        session: &'s Session,
        consumer: Consumer,
        shutdown: &'s mut Shutdown<'a>,
    ) -> Self {
        Self {
            session,
            consumer,
            shutdown,
            watchdog: tokio::time::interval(WATCHDOG_PERIOD),
        }
    }

    /// The next delivery; `None` once shutdown was requested (take no more deliveries then).
    /// Errors: the session broke (the broker closed the channel or cancelled the consumer,
    /// the connection is gone). Cancel-safe.
    pub(crate) async fn next(&mut self) -> Result<Option<Delivery>, AmqpError> {
        loop {
            tokio::select! {
                () = self.shutdown.wait() => return Ok(None),
                next = self.consumer.next() => return match next {
                    Some(Ok(delivery)) => Ok(Some(delivery)),
                    Some(Err(error)) => Err(error.into()),
                    None => Err(AmqpError::ConsumerCancelled),
                },
                _ = self.watchdog.tick() => {
                    if !self.session.is_open() {
                        return Err(AmqpError::ConnectionLost);
                    }
                }
            }
        }
    }
}
