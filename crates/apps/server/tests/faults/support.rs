//! A server whose database (or broker) sits behind a chaos proxy, and timed uploads.

use std::time::{Duration, Instant};

use ents_persistence::testing::{TestDb, with_database};
use ents_runtime::testing::{TestApp, test_settings};
use ents_test_support::{ChaosProxy, postgres_admin_url};

pub use crate::ingest::support::{count, generic_bytes, lines, sql};

/// What every request must stay under during a partition: the configured bound (2 s here)
/// with a wide margin, as the machine is shared. Without the bound, a request waits for the
/// whole partition.
pub const BOUND: Duration = Duration::from_secs(15);

/// The database behind a proxy; short database deadlines; cells 1, 2 and logger 1.
pub async fn app_behind_db_proxy(
    customise: impl FnOnce(&mut ents_config::Settings),
) -> (TestApp, ChaosProxy) {
    let db = TestDb::new().await;
    let (proxy, admin) = ChaosProxy::in_front_of(&postgres_admin_url())
        .await
        .unwrap();
    let proxied = with_database(&admin, db.name());
    let mut settings = test_settings(&proxied);
    let database = &mut settings.database;
    database.pool_wait_timeout_ms = 1_000;
    database.pool_create_timeout_ms = 1_000;
    database.pool_recycle_timeout_ms = 1_000;
    database.connect_timeout_ms = 1_000;
    database.statement_timeout_ms = 2_000;
    database.operation_timeout_ms = 2_000;
    customise(&mut settings);
    let app = TestApp::start(db, settings).await;
    sql(
        &app,
        "INSERT INTO cell (id, name) VALUES (1, 'cell-1'), (2, 'cell-2'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'logger-1', gen_random_uuid(), now()); \
         SELECT setval('cell_id_seq', 2); SELECT setval('logger_id_seq', 1);",
    )
    .await;
    (app, proxy)
}

/// Upload `n`: two generic measurements of cell 1 at its own timestamp (all or nothing).
pub fn upload(n: u32) -> Vec<u8> {
    let ts = 1_700_000_000 + n;
    generic_bytes(&[(1, ts, 1, f64::from(n)), (1, ts, 2, f64::from(n) + 0.5)])
}

/// Posts upload `n`; its status (0 if the connection failed) and how long the answer took.
pub async fn post_upload(app: &TestApp, n: u32) -> (u16, serde_json::Value, Duration) {
    let started = Instant::now();
    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .header("SensorVersion", "2")
        .body(upload(n))
        .send()
        .await;
    let took = started.elapsed();
    match response {
        Ok(response) => {
            let status = response.status().as_u16();
            let body = response.json().await.unwrap_or(serde_json::Value::Null);
            (status, body, took)
        }
        Err(_) => (0, serde_json::Value::Null, took),
    }
}

/// Uploads stored whole (both rows) and any stored in part (must be none).
pub async fn stored_uploads(app: &TestApp) -> (usize, usize) {
    let per_upload = lines(
        app,
        "SELECT count(*)::text FROM data GROUP BY ts ORDER BY ts",
    )
    .await;
    let whole = per_upload.iter().filter(|c| c.as_str() == "2").count();
    (whole, per_upload.len() - whole)
}
