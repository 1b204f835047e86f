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

/// The log lines of the whole test process, kept for the test to read: installed as the
/// global subscriber (every thread, actix's workers included), plain text without colours,
/// filtered by `filter` (an `EnvFilter` directive such as `info,ents_persistence=debug`).
#[derive(Clone)]
pub struct CapturedLogs(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLogs {
    /// Installs the capture. Panics when the process already has a global subscriber: call it
    /// first, in a test binary of its own or under nextest (a process per test).
    pub fn install(filter: &str) -> Self {
        let logs = Self(Default::default());
        let writer = logs.clone();
        let installed = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init();
        assert!(
            installed.is_ok(),
            "another subscriber was installed first: {installed:?}"
        );
        logs
    }

    /// The lines logged so far.
    pub fn lines(&self) -> Vec<String> {
        let bytes = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .map(str::to_owned)
            .collect()
    }
}

impl std::io::Write for CapturedLogs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
