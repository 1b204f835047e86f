#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The Prometheus exposition on the admin listener (`metrics.listen`): HTTP requests by route
//! template, method and status, and the process's own metrics. The recorder is global to the
//! test process (other tests' servers count into it too), so counts are checked as lower
//! bounds or as differences.

use ents_runtime::testing::TestApp;

/// The value of the first sample named `name` whose labels include every one of `labels`.
pub fn sample(exposition: &str, name: &str, labels: &[&str]) -> Option<f64> {
    exposition.lines().find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let matches = series == name
            || (series.starts_with(&format!("{name}{{"))
                && labels.iter().all(|l| series.contains(l)));
        matches.then(|| value.parse().ok()).flatten()
    })
}

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

#[tokio::test]
async fn requests_are_counted_by_route_template_method_and_status() {
    let app = TestApp::spawn().await;
    let before = scrape(&app).await;
    let count = |text: &str, labels: &[&str]| {
        sample(text, "http_server_request_duration_seconds_count", labels).unwrap_or(0.0)
    };
    let health = [r#"route="/api/""#, r#"method="GET""#, r#"status="200""#];
    for _ in 0..3 {
        assert_eq!(app.get("/api/").await.status(), 200);
    }
    // A path with an id is recorded under its template, an unknown path under one label.
    app.get("/api/cell/987654/").await;
    app.get("/no/such/path/5f1c").await;

    let after = scrape(&app).await;
    assert!(
        count(&after, &health) - count(&before, &health) >= 3.0,
        "{after}"
    );
    assert!(after.contains("http_server_request_duration_seconds_bucket{"));
    assert!(after.contains(r#"route="unmatched""#), "{after}");
    assert!(!after.contains("987654"), "raw ids never become labels");
    assert!(!after.contains("5f1c"), "raw paths never become labels");
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
    let base = app.metrics_url.as_deref().unwrap().trim_end_matches("/metrics");
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
