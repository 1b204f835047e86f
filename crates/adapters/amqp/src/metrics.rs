//! The names of the metrics this adapter emits (described by the composition root, listed in
//! `docs/operations.md`).

/// Histogram: from a publish to the broker's confirm (successful confirms only).
pub const CONFIRM_SECONDS: &str = "ents_amqp_publish_confirm_seconds";
/// Counter: reconnects after a lost broker session, by `role` (publisher, or the consumer).
pub const RECONNECTS: &str = "ents_amqp_reconnects_total";
