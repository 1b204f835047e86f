//! The pool's state, sampled when Prometheus scrapes.

use ents_persistence::Db;

use super::catalogue::{POOL_CONNECTIONS, POOL_MAX, POOL_WAITING};

pub(super) fn sample(db: &Db) {
    let status = db.status();
    let in_use = status.size.saturating_sub(status.available);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "in_use").set(in_use as f64);
    metrics::gauge!(POOL_CONNECTIONS, "state" => "idle").set(status.available as f64);
    metrics::gauge!(POOL_WAITING).set(status.waiting as f64);
    metrics::gauge!(POOL_MAX).set(status.max_size as f64);
}
