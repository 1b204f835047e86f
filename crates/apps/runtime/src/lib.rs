//! The composition of both binaries: the one crate (with them) that knows every adapter. It
//! turns the configuration into adapters, wires them into the domain use cases, and runs
//! what each process runs, so that `ents` and `ents-worker` stay a command line each.
//!
//! - [`Application`]: the API server (`ents serve`): the HTTP app, the live push, the job
//!   runtime (in-process queue, or publishing to RabbitMQ).
//! - [`worker::run`]: the `ents-worker` process: the RabbitMQ job consumer, the queued-upload
//!   consumer, the housekeeping sweeps.
//! - [`jobs`]: what runs jobs in either: the in-process queue, the RabbitMQ consumer, the
//!   stale-job sweeper, the handlers (built-in, TTN, export).
//! - [`settings`]: configuration → adapter settings, so both processes agree on queue
//!   names, retry policy and timeouts; [`telemetry`]: log output; [`database`]: the pool and
//!   migrations; [`users`]: the `ents user` commands; [`data`]: `ents export` / `ents import`;
//!   [`metrics`]: the Prometheus recorder and the `/metrics` admin listener of both processes.
//! - `testing` (feature `testing`): `TestApp` and `RabbitWorker` for tests.

pub mod alerts;
pub mod data;
pub mod database;
pub mod exports;
mod identity;
pub mod imports;
pub mod jobs;
pub mod metrics;
pub mod notify;
mod periodic;
pub mod server;
pub mod settings;
mod shutdown;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;
pub mod users;
pub mod worker;

pub use server::Application;
pub use shutdown::shutdown_signal;
