use std::time::Duration;

/// Engine.IO timing and limits. The defaults are upstream's (Flask-SocketIO with
/// `ping_interval=25`, `ping_timeout=60`, python-engineio's `max_http_buffer_size` of 1 MB):
/// its handshake reads `"pingTimeout":60000,"pingInterval":25000,"maxPayload":1000000`
/// (docs/compatibility.md#live-push), and clients size their own timers from it.
#[derive(Debug, Clone)]
pub struct LiveSettings {
    pub ping_interval: Duration,
    pub ping_timeout: Duration,
    /// Largest Engine.IO payload accepted from a client, in bytes.
    pub max_payload: u64,
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self {
            ping_interval: Duration::from_secs(25),
            ping_timeout: Duration::from_secs(60),
            max_payload: 1_000_000,
        }
    }
}
