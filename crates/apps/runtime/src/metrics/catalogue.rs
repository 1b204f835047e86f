//! The metrics this workspace emits, described once (Prometheus `# HELP` and unit) when the
//! recorder is installed. `docs/operations.md` lists them for operators.

use ents_amqp::metrics as amqp;
use ents_http::metrics as http;
use ents_live::metrics as live;
use ents_persistence::metrics as pg;
use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};

/// Counter: uploads handed to the store, by `kind` (legacy, generic) and `outcome`.
pub(super) const UPLOADS: &str = "ents_uploads_total";
/// Counter: measurement rows newly stored.
pub(super) const ROWS_STORED: &str = "ents_measurement_rows_stored_total";
/// Counter: rows of uploads that were already stored (skipped).
pub(super) const ROWS_DUPLICATE: &str = "ents_measurement_rows_duplicate_total";
/// Counter: job runs by `kind` and `outcome`.
pub(super) const JOBS: &str = "ents_jobs_total";
/// Histogram: job run duration by `kind`.
pub(super) const JOB_DURATION: &str = "ents_job_duration_seconds";
/// Counter: job runs that were a retry (attempt 2 or later), by `kind`.
pub(super) const JOB_RETRIES: &str = "ents_job_retries_total";
/// Gauge: jobs by `state` (runnable, delayed, running, failed), sampled by each stale-job sweep.
pub(super) const JOB_QUEUE_DEPTH: &str = "ents_job_queue_depth";
/// Gauge: pool connections by `state` (in_use, idle).
pub(super) const POOL_CONNECTIONS: &str = "ents_db_pool_connections";
/// Gauge: tasks waiting for a pool connection.
pub(super) const POOL_WAITING: &str = "ents_db_pool_waiting";
/// Gauge: the pool's size limit.
pub(super) const POOL_MAX: &str = "ents_db_pool_max_connections";

pub(super) fn describe() {
    describe_histogram!(
        http::REQUEST_DURATION,
        Unit::Seconds,
        "API requests by route template, method and status class: time to the last byte"
    );
    describe_histogram!(
        http::REQUEST_BODY_SIZE,
        Unit::Bytes,
        "API request body sizes (Content-Length)"
    );
    describe_histogram!(
        http::RESPONSE_BODY_SIZE,
        Unit::Bytes,
        "API response body sizes (bytes sent)"
    );
    describe_gauge!(http::ACTIVE_REQUESTS, "API requests in flight, by method");
    describe_counter!(UPLOADS, "Uploads handed to the store, by kind and outcome");
    describe_counter!(ROWS_STORED, "Measurement rows newly stored");
    describe_counter!(ROWS_DUPLICATE, "Uploaded rows already stored, skipped");
    describe_counter!(JOBS, "Job runs by kind and outcome");
    describe_histogram!(JOB_DURATION, Unit::Seconds, "Job run duration");
    describe_counter!(JOB_RETRIES, "Job runs that were a retry");
    describe_gauge!(
        JOB_QUEUE_DEPTH,
        "Jobs by state (runnable, delayed, running, failed), sampled every sweep"
    );
    describe_gauge!(POOL_CONNECTIONS, "Database pool connections by state");
    describe_gauge!(POOL_WAITING, "Tasks waiting for a database connection");
    describe_gauge!(POOL_MAX, "The database pool's size limit");
    describe_histogram!(
        pg::POOL_CHECKOUT_SECONDS,
        Unit::Seconds,
        "Time to check a database connection out of the pool"
    );
    describe_histogram!(
        pg::GROUP_COMMIT_BATCH_SIZE,
        "Uploads per group-commit transaction"
    );
    describe_histogram!(
        pg::GROUP_COMMIT_WAIT_SECONDS,
        Unit::Seconds,
        "Time an upload waited for its group-commit batch"
    );
    describe_counter!(pg::EXPORT_ROWS, "Rows read for CSV exports");
    describe_counter!(
        ents_export_files::EXPORT_BYTES,
        Unit::Bytes,
        "Bytes of the export files published"
    );
    describe_counter!(ents_export_files::EXPORT_FILES, "Export files published");
    describe_histogram!(
        amqp::CONFIRM_SECONDS,
        Unit::Seconds,
        "From a publish to the broker's confirm"
    );
    describe_counter!(amqp::RECONNECTS, "Reconnects after a lost broker session");
    describe_gauge!(live::CLIENTS, "Connected live-push clients");
    describe_gauge!(live::ROOMS, "Live-push rooms with at least one client");
    describe_counter!(crate::alerts::EVALUATIONS, "Alert rule evaluations");
    describe_counter!(
        crate::alerts::TRANSITIONS,
        "Alert rules that fired or resolved, by the state reached"
    );
    describe_counter!(
        crate::alerts::NOTIFICATIONS,
        "Alert notifications handed to the delivery jobs"
    );
}
