//! Logs of the code under test.

/// Logs to the test output (shown for failing tests); `RUST_LOG` filters, default `info`.
/// Idempotent: the first call in a test process wins.
pub fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_test_writer()
        .try_init();
}
