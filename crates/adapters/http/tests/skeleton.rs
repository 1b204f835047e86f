#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The HTTP skeleton's contract: health bytes, probes, slashes, errors, CORS, request ids.

mod common;

use common::{TestServer, state_with};
use ents_http::HttpSettings;

async fn server() -> TestServer {
    TestServer::start(state_with(&[("database", true)]), HttpSettings::default()).await
}

#[tokio::test]
async fn health_check_answers_upstreams_exact_bytes() {
    let app = server().await;
    let response = app.get("/api/").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(
        response.text().await.unwrap(),
        "{\"hello\": \"I'm alive and healthy! Super healthy :D\"}\n"
    );
}

#[tokio::test]
async fn a_missing_trailing_slash_is_a_308_to_the_canonical_path() {
    let app = server().await;
    let response = app.get("/api?x=1").await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/api/?x=1");
}

#[tokio::test]
async fn doubled_slashes_reach_the_route() {
    let app = server().await;
    assert_eq!(app.get("//api//").await.status(), 200);
}

#[tokio::test]
async fn unknown_paths_get_a_json_404() {
    let app = server().await;
    let response = app.get("/api/nonexistent").await;
    assert_eq!(response.status(), 404);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["message"], "Not Found");
}

#[tokio::test]
async fn liveness_never_depends_on_dependencies() {
    let app = TestServer::start(state_with(&[("database", false)]), HttpSettings::default()).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn readiness_reports_each_dependency() {
    let app = server().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
    assert_eq!(body["checks"][0]["name"], "database");

    let down = TestServer::start(
        state_with(&[("database", true), ("broker", false)]),
        HttpSettings::default(),
    )
    .await;
    let response = down.get("/readyz").await;
    assert_eq!(response.status(), 503);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "unavailable");
    assert_eq!(body["checks"][1]["ok"], false);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = server().await;
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

#[tokio::test]
async fn cors_preflight_lists_methods_and_headers_for_allowed_origins() {
    let settings = HttpSettings {
        allowed_origins: vec!["http://localhost:5173".into()],
        ..HttpSettings::default()
    };
    let app = TestServer::start(state_with(&[]), settings).await;
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
    let app = server().await;
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    let doc: serde_json::Value = response.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    assert!(doc["paths"]["/api/"].is_object());
    let ui = app.get("/api/docs/").await;
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
}

#[tokio::test]
async fn the_dashboard_is_served_with_a_client_route_fallback() {
    let dir = std::env::temp_dir().join(format!("ents-spa-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), "<html>dashboard</html>").unwrap();
    std::fs::write(dir.join("assets/app.js"), "console.log(1)").unwrap();
    let settings = HttpSettings {
        static_dir: Some(dir.clone()),
        ..HttpSettings::default()
    };
    let app = TestServer::start(state_with(&[]), settings).await;

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
