//! Where the real local services are, overridable for other machines.

use std::sync::atomic::{AtomicU64, Ordering};

/// A PostgreSQL URL with the right to create databases (`ENTS_TEST_DATABASE_URL`,
/// default `postgres://postgres@127.0.0.1:5432/postgres`).
pub fn postgres_admin_url() -> String {
    std::env::var("ENTS_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// The RabbitMQ used by tests (`ENTS_TEST_AMQP_URL`, default the local guest account).
pub fn amqp_url() -> String {
    std::env::var("ENTS_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".to_owned())
}

/// A name unique across parallel tests and test processes (`<prefix>_<pid>_<n>_<nanos>`),
/// lower-case and safe as a PostgreSQL identifier or a queue name.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!("{prefix}_{}_{n}_{nanos}", std::process::id())
}
