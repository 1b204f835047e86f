//! RabbitMQ adapter (lapin 4) for the job and ingest ports of `ents_domain`
//! (docs/compatibility.md#jobs). It moves bytes: the message bodies are `ents_wire`'s
//! (`job_message`, `queued_ingest`), encoded and decoded there; this crate publishes them
//! with their properties and confirms, consumes them and settles the deliveries.
//!
//! - [`AmqpJobQueue`] implements [`ents_domain::jobs::JobQueue`]: persistent, mandatory
//!   publishes on a confirm-mode channel; `Ok` only after the broker's ack. It reconnects
//!   on its own (bounded wait) instead of failing forever.
//! - [`run_consumer`] consumes jobs: manual acks after the job's effects are committed,
//!   bounded prefetch, retries through a delay queue, a dead-letter queue.
//! - [`AmqpIngestQueue`] and [`run_ingest_consumer`]: the queued ingest mode (`ingest`).
//! - Both consumers run under one supervisor (`supervisor`): connect, declare the topology,
//!   subscribe, and after any failure reconnect with exponential back-off, until shutdown
//!   (lapin's own auto-recovery is deliberately not used: one code path for every failure).
//! - [`AmqpReadiness`] reports whether the broker answers (`/readyz`).
//!
//! Topology for a base name `q` (see [`Topology`]): `q` (work), `q.retry` (delayed
//! redelivery: per-message `expiration`, then dead-lettered back to `q`), `q.dead`.

mod backoff;
mod consumer;
mod error;
mod ingest;
pub mod metrics;
mod properties;
mod publisher;
mod readiness;
mod session;
mod settings;
mod settle;
mod shutdown;
mod supervisor;
mod topology;
mod trace_context;

pub use consumer::run_consumer;
pub use error::AmqpError;
pub use ingest::{AmqpIngestQueue, BatchSettings, run_ingest_consumer};
pub use publisher::AmqpJobQueue;
pub use readiness::AmqpReadiness;
pub use settings::AmqpSettings;
pub use topology::Topology;
