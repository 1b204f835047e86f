//! Log output: human-readable lines for development, JSON lines in production.

use ents_config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber once, writing to standard output; later calls (tests
/// starting several apps) are no-ops. `RUST_LOG` overrides `log.filter`.
pub fn init(config: &LogConfig) {
    init_on(config, Output::Stdout);
}

/// Where log lines go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Stdout,
    /// For commands whose standard output is data (`ents export -`).
    Stderr,
}

/// As [`init`], on `output`.
pub fn init_on(config: &LogConfig, output: Output) {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&config.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(true)
        .with_writer(move || -> Box<dyn std::io::Write> {
            match output {
                Output::Stdout => Box::new(std::io::stdout()),
                Output::Stderr => Box::new(std::io::stderr()),
            }
        });
    let result = match config.format {
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
        LogFormat::Pretty => builder.try_init(),
    };
    // Err only means a subscriber is already installed (a second app in the same test process).
    drop(result);
}
