#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Prometheus exposition on the admin listener (`metrics.listen`): HTTP requests by route
//! template, method and status class, and the process's own metrics. The recorder is global to the
//! test process (other tests' servers count into it too), so counts are checked as lower
//! bounds or as differences.

use ents_runtime::testing::TestApp;
use ents_test_support::sample;

use crate::common::registry::pg;

pub async fn scrape(app: &TestApp) -> String {
    let url = app.metrics_url.as_deref().expect("metrics are enabled");
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    response.text().await.unwrap()
}

/// How many requests of `labels` the exposition counts (0 before the first).
fn requests(text: &str, labels: &[&str]) -> f64 {
    sample(text, "http_server_request_duration_seconds_count", labels).unwrap_or(0.0)
}

#[tokio::test]
async fn requests_are_counted_by_route_template_method_and_status_class() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    let health = [
        r#"route="/api/""#,
        r#"method="GET""#,
        r#"status_class="2xx""#,
    ];
    for _ in 0..3 {
        assert_eq!(app.get("/api/").await.status(), 200);
    }
    // A path with an id is recorded under its template, an unknown path under one label.
    app.get("/api/cell/987654/").await;
    app.get("/no/such/path/5f1c").await;

    let after = scrape(&app).await;
    assert!(
        requests(&after, &health) - requests(&before, &health) >= 3.0,
        "{after}"
    );
    assert!(after.contains("http_server_request_duration_seconds_bucket{"));
    assert!(after.contains(r#"route="unmatched""#), "{after}");
    assert!(!after.contains("987654"), "raw ids never become labels");
    assert!(!after.contains("5f1c"), "raw paths never become labels");
    assert!(
        !after.contains(r#"status="#),
        "a class, never the code: {after}"
    );
    for name in [
        "http_server_request_body_size_bytes_count",
        "http_server_response_body_size_bytes_count",
    ] {
        assert!(requests(&after, &health) <= sample(&after, name, &health).unwrap_or(0.0));
    }
    assert!(after.contains("# TYPE http_server_active_requests gauge"));
}

#[tokio::test]
async fn a_404_and_a_200_land_in_the_4xx_and_2xx_series_of_their_templates() {
    let app = TestApp::spawn().await;
    let route = r#"route="/api/exports/{id}""#;
    let not_found = [route, r#"method="GET""#, r#"status_class="4xx""#];
    let found = [route, r#"method="GET""#, r#"status_class="2xx""#];
    let unmatched = [r#"route="unmatched""#, r#"status_class="4xx""#];
    let db = pg(&app).await;
    db.batch_execute("INSERT INTO cell (id, name) VALUES (1, 'c1')")
        .await
        .unwrap();
    let before = scrape(&app).await;

    let missing = app
        .get("/api/exports/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(missing.status(), 404);
    let export: serde_json::Value = app
        .client
        .post(app.url("/api/exports"))
        .json(
            &serde_json::json!({"cell_ids": [1], "start": "2024-01-01T00:00:00Z",
            "end": "2024-01-02T00:00:00Z", "resample": "none", "format": "csv"}),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = export["id"].as_str().expect("an export was created");
    assert_eq!(app.get(&format!("/api/exports/{id}")).await.status(), 200);
    assert_eq!(app.get("/no/such/route").await.status(), 404);

    let after = scrape(&app).await;
    let delta = |labels: &[&str]| requests(&after, labels) - requests(&before, labels);
    assert_eq!(delta(&not_found), 1.0, "{after}");
    assert_eq!(delta(&found), 1.0, "{after}");
    assert!(delta(&unmatched) >= 1.0, "{after}");
}

#[tokio::test]
async fn the_process_reports_memory_cpu_and_open_files() {
    let app = TestApp::spawn().await;
    let text = scrape(&app).await;
    let value = |name| sample(&text, name, &[]).unwrap_or_else(|| panic!("{name} in {text}"));
    assert!(value("process_resident_memory_bytes") > 1e6);
    assert!(value("process_open_fds") > 0.0);
    // Whole seconds (a counter of the crate's): a fresh test process may not have one yet.
    assert!(value("process_cpu_seconds_total") >= 0.0);
}

#[tokio::test]
async fn disabled_metrics_open_no_listener() {
    let app = TestApp::spawn_with(|s| s.metrics.enabled = false).await;
    assert!(app.metrics_url.is_none());
    assert_eq!(app.get("/api/").await.status(), 200);
}

#[tokio::test]
async fn the_admin_listener_also_answers_the_probes() {
    let app = TestApp::spawn().await;
    let base = app
        .metrics_url
        .as_deref()
        .unwrap()
        .trim_end_matches("/metrics");
    let live = reqwest::get(format!("{base}/healthz")).await.unwrap();
    assert_eq!(live.status(), 200);
    let ready = reqwest::get(format!("{base}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["checks"][0]["name"], "database");
    // The admin listener serves nothing else (the API stays on its own port).
    let api = reqwest::get(format!("{base}/api/")).await.unwrap();
    assert_eq!(api.status(), 404);
}

#[tokio::test]
async fn uploads_rows_duplicates_and_the_pool_are_counted() {
    let app = TestApp::spawn().await;
    let db = pg(&app).await;
    db.batch_execute(
        "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now());",
    )
    .await
    .unwrap();
    let upload = |cell: i32, ts: i64| {
        serde_json::json!({"type": "teros12", "cellId": cell, "loggerId": 1, "ts": ts,
            "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": 1}})
    };
    let before = scrape(&app).await;
    // Two new rows, one repeat, one upload for a cell that does not exist.
    for body in [
        upload(1, 1_705_176_000),
        upload(1, 1_705_176_060),
        upload(1, 1_705_176_000),
        upload(999, 1_705_176_000),
    ] {
        app.client
            .post(app.url("/api/sensor_json/"))
            .json(&body)
            .send()
            .await
            .unwrap();
    }
    let after = scrape(&app).await;
    let delta = |name: &str, labels: &[&str]| {
        sample(&after, name, labels).unwrap_or(0.0) - sample(&before, name, labels).unwrap_or(0.0)
    };
    let committed = [r#"kind="legacy""#, r#"outcome="committed""#];
    let missing = [r#"kind="legacy""#, r#"outcome="missing_reference""#];
    assert!(delta("ents_uploads_total", &committed) >= 3.0, "{after}");
    assert!(delta("ents_uploads_total", &missing) >= 1.0, "{after}");
    assert!(delta("ents_measurement_rows_stored_total", &[]) >= 2.0);
    assert!(delta("ents_measurement_rows_duplicate_total", &[]) >= 1.0);
    assert!(sample(&after, "ents_db_pool_checkout_seconds_count", &[]).unwrap() >= 4.0);
    let idle = sample(&after, "ents_db_pool_connections", &[r#"state="idle""#]).unwrap();
    let in_use = sample(&after, "ents_db_pool_connections", &[r#"state="in_use""#]).unwrap();
    assert!(idle + in_use >= 1.0);
    assert_eq!(
        sample(&after, "ents_db_pool_max_connections", &[]),
        Some(app.settings.database.pool_max_size as f64)
    );
    assert!(after.contains("# HELP ents_uploads_total"));
}
