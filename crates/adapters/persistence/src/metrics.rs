//! The names of the metrics this adapter emits (described by the composition root, listed in
//! `docs/operations.md`).

/// Histogram: time to check a connection out of the pool (failed checkouts included).
pub const POOL_CHECKOUT_SECONDS: &str = "ents_db_pool_checkout_seconds";
/// Histogram: uploads per group-commit batch.
pub const GROUP_COMMIT_BATCH_SIZE: &str = "ents_ingest_group_commit_batch_size";
/// Histogram: time an upload waited for its group-commit batch to start.
pub const GROUP_COMMIT_WAIT_SECONDS: &str = "ents_ingest_group_commit_wait_seconds";
/// Counter: rows read for CSV exports (one per timestamp and series).
pub const EXPORT_ROWS: &str = "ents_export_rows_total";
