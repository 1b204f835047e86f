//! Running jobs, in either process: the in-process queue (`ents serve` without a broker),
//! the RabbitMQ consumer ([`run_worker`], `ents-worker`), the stale-job sweeper both run, and
//! the handlers they dispatch to.

mod consumer;
mod in_process;
mod ping;
mod sweeper;
mod ttn;

#[cfg(test)]
mod tests;

use std::sync::Arc;

use anyhow::Context;
use ents_config::Settings;
use ents_domain::jobs::HandlerRegistry;
use ents_persistence::{Db, PgLoggerRepository};

pub use consumer::{WorkerSettings, run_worker};
pub use in_process::InProcessQueue;
pub use ping::{PingHandler, builtin_handlers};
pub use sweeper::{SWEEP_BATCH, run_sweeper};
pub use ttn::{device_registry, ttn_handlers, with_ttn_handlers};

/// Every handler a deployment runs, the same in both processes: the built-in ones, the TTN
/// ones when TTN is configured, the CSV export and import. Errors: invalid `[ttn]` settings.
pub fn handlers(settings: &Settings, db: &Db) -> anyhow::Result<HandlerRegistry> {
    let handlers = with_ttn_handlers(
        builtin_handlers(),
        settings,
        Arc::new(PgLoggerRepository::new(db.clone())),
    )
    .context("the [ttn] settings")?;
    let handlers = handlers
        .with(crate::exports::export_handler(settings, db))
        .with(crate::imports::import_handler(settings, db));
    let handlers = crate::alerts::with_alert_handlers(handlers, settings, db)
        .context("the notification settings")?;
    Ok(crate::metrics::metered(&handlers))
}
