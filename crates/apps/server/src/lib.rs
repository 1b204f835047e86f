//! The composition root: the only place (with the worker binary) that knows every adapter.
//! It reads the configuration, builds the adapters, wires them into the domain use cases and
//! the HTTP app, and runs the background tasks of the embedded mode.

pub mod app;
pub mod cli;
pub mod cli_user;
pub mod exports;
pub mod identity;
pub mod ingest;
pub mod jobs;
pub mod live;
pub mod loggers;
#[cfg(feature = "testing")]
pub mod testing;

pub use app::Application;
