//! The ingest group commit's log lines name the requests whose uploads the batch wrote: an
//! operator grepping a request id (a client's `X-Request-Id`) finds the batch that stored it.
//! The logs are the whole process's (a global subscriber), so this test binary holds one test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ents_e2e::{eventually, request_id, seed_cell_and_logger};
use ents_runtime::testing::TestApp;
use ents_test_support::CapturedLogs;

#[tokio::test]
async fn a_group_commit_log_line_names_the_request_id_of_its_upload() {
    let logs = CapturedLogs::install("info,ents_persistence=debug");
    let app = TestApp::spawn().await;
    seed_cell_and_logger(&app).await;

    let response = app
        .client
        .post(app.url("/api/sensor_json/"))
        .json(
            &serde_json::json!({"type": "teros12", "cellId": 1, "loggerId": 1,
            "ts": 1_705_176_000, "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": 1}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = request_id(&response);

    let line = eventually(|| async {
        logs.lines().into_iter().find(|line| {
            line.contains("group_commit{")
                && line.contains("group commit written")
                && line.contains(&request_id)
        })
    })
    .await;
    let line = line.unwrap_or_else(|| {
        panic!(
            "no group-commit line names {request_id}:\n{}",
            logs.lines().join("\n")
        )
    });
    assert!(line.contains("batch="), "{line}");
}
