//! RabbitMQ adapter (lapin 4) for the job ports of `ents_domain::jobs`
//! (docs/compatibility.md#jobs).
//!
//! - [`AmqpJobQueue`] implements [`ents_domain::jobs::JobQueue`]: persistent, mandatory
//!   publishes on a confirm-mode channel; `Ok` only after the broker's ack. It reconnects
//!   on its own (bounded wait) instead of failing forever.
//! - [`run_consumer`] is the supervised consumer: manual acks after the job's effects are
//!   committed, bounded prefetch, retries through a delay queue, a dead-letter queue, and a
//!   reconnect loop with exponential back-off that re-declares the topology every time
//!   (lapin's own auto-recovery is deliberately not used: one code path for every failure).
//! - [`AmqpReadiness`] reports whether the broker answers (`/readyz`).
//!
//! Topology for a base name `q` (see [`Topology`]): `q` (work), `q.retry` (delayed
//! redelivery: per-message `expiration`, then dead-lettered back to `q`), `q.dead`.

mod backoff;
mod consumer;
mod error;
mod ingest;
mod properties;
mod publisher;
mod readiness;
mod session;
mod settings;
mod shutdown;
mod topology;

pub use consumer::run_consumer;
pub use error::AmqpError;
pub use ingest::{AmqpIngestQueue, BatchSettings, run_ingest_consumer};
pub use publisher::AmqpJobQueue;
pub use readiness::AmqpReadiness;
pub use settings::AmqpSettings;
pub use topology::Topology;
