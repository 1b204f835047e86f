#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP skeleton's contract on the real app: health bytes, probes (and what happens when
//! the database goes away and comes back), slashes, errors, CORS, request ids, OpenAPI, the
//! dashboard.

use std::time::Duration;

use ents_persistence::testing::{TestDb, with_database};
use ents_runtime::testing::{TestApp, test_settings};
use ents_test_support::{ChaosProxy, postgres_admin_url};

#[tokio::test]
async fn health_check_answers_upstreams_exact_bytes() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.text().await.unwrap(),
        "{\"hello\": \"I'm alive and healthy! Super healthy :D\"}\n"
    );
}

#[tokio::test]
async fn slashes_404s_and_request_ids() {
    let app = TestApp::spawn().await;

    // A missing trailing slash is a 308 to the canonical path.
    let response = app.get("/api?x=1").await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/api/?x=1");

    // Doubled slashes reach the route.
    assert_eq!(app.get("//api//").await.status(), 200);

    // Unknown paths get a JSON 404.
    let response = app.get("/api/nonexistent").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Not Found");

    // Every response carries its own request id.
    let first = app.get("/api/").await;
    let second = app.get("/api/").await;
    let a = first.headers()["x-request-id"].to_str().unwrap().to_owned();
    let b = second.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!a.is_empty());
    assert_ne!(a, b);
}

/// A broker nobody listens on: readiness names it as down, liveness does not care.
#[tokio::test]
async fn readiness_reports_each_dependency_and_liveness_none() {
    let app = TestApp::spawn_with(|s| {
        s.amqp.url = Some("amqp://guest:guest@127.0.0.1:1/%2f".into());
        s.amqp.queue = ents_test_support::unique_name("ents_skeleton_jobs");
    })
    .await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"][0]["name"], "database");
    assert_eq!(body["checks"][0]["ok"], true);
    assert_eq!(body["checks"][1]["name"], "broker");
    assert_eq!(body["checks"][1]["ok"], false);
    assert_eq!(app.get("/healthz").await.status(), 200);
}

/// The database behind a proxy the test can cut: requests fail fast with a 503 JSON body
/// instead of hanging, and the service heals by itself when the database returns.
#[tokio::test]
async fn database_outage_gives_503_then_recovers_by_itself() {
    let db = TestDb::new().await;
    let (proxy, admin) = ChaosProxy::in_front_of(&postgres_admin_url())
        .await
        .unwrap();
    let proxied = with_database(&admin, db.name());
    let mut settings = test_settings(&proxied);
    settings.database.pool_wait_timeout_ms = 500;
    settings.database.pool_create_timeout_ms = 500;
    settings.database.connect_timeout_ms = 500;
    let app = TestApp::start(db, settings).await;
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.cut();
    let down = app.get("/readyz").await;
    assert_eq!(down.status(), 503);
    let body: serde_json::Value = down.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"][0]["ok"], false);
    // The process itself is alive.
    assert_eq!(app.get("/healthz").await.status(), 200);

    proxy.restore();
    let mut healed = false;
    for _ in 0..100 {
        if app.get("/readyz").await.status() == 200 {
            healed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healed, "the pool reconnects once the database is back");
}

#[tokio::test]
async fn cors_preflight_lists_methods_and_headers_for_allowed_origins() {
    let app = TestApp::spawn_with(|s| {
        s.http.cors_allowed_origins = vec!["http://localhost:5173".into()];
    })
    .await;
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/"))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "PUT")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, x-api-key",
        )
        .send()
        .await
        .unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    let headers = response.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "http://localhost:5173"
    );
    let methods = headers["access-control-allow-methods"].to_str().unwrap();
    assert!(
        methods.contains("PUT") && methods.contains("DELETE"),
        "{methods}"
    );
    let allowed = headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-api-key"),
        "{allowed}"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");

    let foreign = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/"))
        .header("Origin", "http://evil.example")
        .header("Access-Control-Request-Method", "PUT")
        .send()
        .await
        .unwrap();
    assert!(
        foreign
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn openapi_and_its_offline_ui_are_served() {
    let app = TestApp::spawn().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/"].is_object());
    assert!(doc["paths"]["/readyz"].is_object());
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn the_dashboard_is_served_with_a_client_route_fallback() {
    let dir = std::env::temp_dir().join(ents_test_support::unique_name("ents-spa"));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<html>dashboard</html>").unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").unwrap();
    let static_dir = dir.clone();
    let app = TestApp::spawn_with(move |s| s.web.static_dir = Some(static_dir)).await;

    assert_eq!(
        app.get("/assets/app.js").await.text().await.unwrap(),
        "console.log(1)"
    );
    let client_route = app.get("/profile/cells").await;
    assert_eq!(client_route.status(), 200);
    assert!(client_route.text().await.unwrap().contains("dashboard"));
    // The API keeps its JSON 404s.
    assert_eq!(app.get("/api/nonexistent").await.status(), 404);
    let _ = std::fs::remove_dir_all(dir);
}
