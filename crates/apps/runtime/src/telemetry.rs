//! Log output: human-readable lines for development, JSON lines in production.

use ents_config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once; later calls (tests starting several apps) are no-ops.
/// `RUST_LOG` overrides `log.filter`.
pub fn init(config: &LogConfig) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        // Standard output belongs to the commands' own answers (`ents user create` prints the
        // new id, `ents config` the configuration), so scripts can read them.
        .with_writer(std::io::stderr);
    let result = match config.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    // Err only means a subscriber is already installed (a second app in the same test process).
    drop(result);
}
