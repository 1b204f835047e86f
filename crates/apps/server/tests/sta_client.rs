//! The SensorThings API through a real client: `frost-sta-client` (PyPI) lists Things with
//! their Datastreams expanded, pages a large series with `$top` + nextLink (every row once,
//! in order), filters by time and counts (`scripts/sta-client.sh`, `tests/sta_client/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use ents_runtime::testing::TestApp;

use crate::common::identity::sql;

const ROWS: usize = 1234;

#[tokio::test]
async fn frost_sta_client_lists_expands_pages_filters_and_counts() {
    let app = TestApp::spawn().await;
    sql(
        &app,
        &format!(
            "INSERT INTO cell (id, name, latitude, longitude) VALUES (1, 'c1', 36.9, -122.0), \
               (2, 'c2', NULL, NULL); \
             INSERT INTO power_data (cell_id, ts, voltage, current) VALUES \
               (1, '2024-01-01', 1, 1); \
             INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
               (5, 2, 'Pressure', 'float', 'kPa', 'MS5803'); \
             INSERT INTO data (sensor_id, ts, float_val) \
               SELECT 5, timestamp '2024-02-01' + i * interval '1 minute', i \
               FROM generate_series(1, {ROWS}) i"
        ),
    )
    .await;
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let base = app.url("/sta/v1.1");
    let stream = (5 * 16).to_string();
    let rows = ROWS.to_string();
    // The client blocks: run it off the runtime that serves the app.
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .arg(root.join("scripts/sta-client.sh"))
            .args([base.as_str(), stream.as_str(), rows.as_str()])
            .output()
    })
    .await
    .unwrap()
    .expect("bash runs scripts/sta-client.sh");
    assert!(
        output.status.success()
            && String::from_utf8_lossy(&output.stdout).contains("[sta-client] OK"),
        "sta-client failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
