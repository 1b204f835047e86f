//! The job queue's message body: `{"job_id": "<uuid>", "kind": "<kind>"}`, JSON. The record in
//! the job store is the source of truth; the message only names it (`kind` is there for logs
//! and operators). Messages of earlier releases may wait in a queue: the shape is kept.

use ents_domain::jobs::{Job, JobId};
use serde::{Deserialize, Serialize};

/// The body of a "run job X" message.
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

    /// Parses a message body. Errors: the body is not `{"job_id": "<uuid>", "kind": "…"}`.
    pub fn parse(body: &[u8]) -> Result<Self, serde_json::Error> {
        serde_json::from_slice(body)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        // Invariant: a struct of a UUID and a String always serializes.
        serde_json::to_vec(self).unwrap_or_default()
    }
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
}
