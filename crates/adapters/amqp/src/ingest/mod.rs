//! The queued ingest mode (`ingest.mode = queued`): the API publishes each accepted upload to
//! RabbitMQ and answers only after the broker's confirm ([`AmqpIngestQueue`]); the worker
//! writes them in batches, many uploads per transaction ([`run_ingest_consumer`]).
//!
//! Same topology, session and supervisor code as the job queue, on its own base name
//! (`ingest.queue`, default `ents.ingest`, with `.retry` and `.dead`). A message carries one
//! upload, or the uploads that arrived together while the API's publishes were busy (the body
//! format is `ents_wire::queued_ingest`'s; this module only moves its bytes); the writer is
//! idempotent, so a redelivery after a lost ack stores nothing twice.

mod consumer;
mod publisher;

pub use consumer::{BatchSettings, run_ingest_consumer};
pub use publisher::AmqpIngestQueue;
