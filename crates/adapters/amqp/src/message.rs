use std::time::Duration;

use ents_domain::jobs::{Job, JobId};
use lapin::BasicProperties;
use lapin::types::{AMQPValue, FieldTable};
use serde::{Deserialize, Serialize};

/// The body of a "run job X" message. The record in the job store is the source of truth;
/// the message only names it (`kind` is there for logs and operators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobMessage {
    pub job_id: JobId,
    pub kind: String,
}

impl JobMessage {
    pub fn from_job(job: &Job) -> Self {
        Self {
            job_id: job.id,
            kind: job.kind.clone(),
        }
    }

    /// Parses a delivery body. Errors: the body is not `{"job_id": "<uuid>", "kind": "…"}`.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Invariant: a struct of a UUID and a String always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// AMQP `delivery_mode` of a message written to disk by the broker.
const PERSISTENT: u8 = 2;

/// Properties shared by every message we publish: persistent, JSON, `message_id` = job id
/// (so operators and duplicate detection can match messages to records).
pub(crate) fn properties(message_id: Option<&str>) -> BasicProperties {
    let properties = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_content_type("application/json".into());
    match message_id {
        Some(id) => properties.with_message_id(id.into()),
        None => properties,
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
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_the_wire_format() {
        let id = JobId::new();
        let message = JobMessage {
            job_id: id,
            kind: "ping".to_owned(),
        };
        let text = String::from_utf8(message.to_bytes()).unwrap();
        assert_eq!(text, format!(r#"{{"job_id":"{id}","kind":"ping"}}"#));
        assert_eq!(JobMessage::parse(text.as_bytes()).unwrap(), message);
    }

    #[test]
    fn rejects_garbage() {
        assert!(JobMessage::parse(b"not json").is_err());
        assert!(JobMessage::parse(br#"{"job_id":"nope","kind":"x"}"#).is_err());
    }

    #[test]
    fn expiration_is_in_milliseconds() {
        assert_eq!(expiration(Duration::from_millis(1500)), "1500");
    }
}
