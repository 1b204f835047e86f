//! The AMQP properties and headers of the job messages we publish (the bodies are
//! `ents_wire::job_message`'s).

use std::time::Duration;

use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable};

/// AMQP `delivery_mode` of a message written to disk by the broker.
pub(crate) const PERSISTENT: u8 = 2;

/// Properties shared by every job message we publish: persistent, JSON, `message_id` = job
/// id (so operators and duplicate detection can match messages to records).
pub(crate) fn properties(message_id: Option<&str>) -> BasicProperties {
    let properties = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type("application/json".into());
    match message_id {
        Some(id) => properties.with_message_id(id.into()),
        None => properties,
    }
}

/// `properties` carrying the current span's trace context in their headers, when a trace is
/// exported (`crate::trace_context`); otherwise unchanged.
pub(crate) fn traced(properties: BasicProperties) -> BasicProperties {
    let headers = crate::trace_context::current();
    if headers.inner().is_empty() {
        properties
    } else {
        properties.with_headers(headers)
    }
}

/// The per-message TTL that makes the retry queue a delay line: milliseconds, as text.
pub(crate) fn expiration(delay: Duration) -> String {
    delay.as_millis().to_string()
}

/// Header recording why a message was dead-lettered.
pub(crate) fn error_header(reason: &str) -> FieldTable {
    let mut headers = FieldTable::default();
    headers.insert("x-ents-error".into(), AMQPValue::LongString(reason.into()));
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiration_is_in_milliseconds() {
        assert_eq!(expiration(Duration::from_millis(1500)), "1500");
    }
}
