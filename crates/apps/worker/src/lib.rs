//! The job worker (docs/compatibility.md#jobs): the pieces the `ents-worker` binary (RabbitMQ) and
//! the server's embedded mode (no broker configured) assemble.
//!
//! - [`run_worker`]: the RabbitMQ consumer plus the stale-job sweeper, until shutdown.
//! - [`InProcessQueue`]: a [`JobQueue`](ents_domain::jobs::JobQueue) without a broker, for a
//!   single binary on a laptop.
//! - [`run_sweeper`]: republishes jobs whose message was lost.
//! - [`run_export_retention`]: deletes export files past `exports.retention_hours`.
//! - [`builtin_handlers`]: the handlers every deployment has (`ping`);
//!   [`exports::export_handler`]: the CSV export (needs the database and a directory).

mod export_retention;
pub mod exports;
mod in_process;
mod periodic;
mod ping;
mod run;
mod sweeper;
pub mod telemetry;
pub mod ttn;
pub mod wiring;

pub use export_retention::{RETENTION_SWEEP_INTERVAL, run_export_retention};
pub use in_process::InProcessQueue;
pub use ping::{PingHandler, builtin_handlers};
pub use run::{WorkerSettings, run_worker};
pub use sweeper::{SWEEP_BATCH, run_sweeper};

#[cfg(test)]
mod tests;
