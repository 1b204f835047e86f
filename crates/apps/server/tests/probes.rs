#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The real server against a real database: health, readiness, OpenAPI, and what happens
//! when the database goes away and comes back.

use std::time::Duration;

use ents_persistence::testing::{TestDb, with_database};
use ents_runtime::testing::{TestApp, test_settings};
use ents_test_support::{ChaosProxy, postgres_admin_url};

#[tokio::test]
async fn a_fresh_server_answers_health_readiness_and_openapi() {
    let app = TestApp::spawn().await;

    let health = app.get("/api/").await;
    assert_eq!(health.status(), 200);
    assert_eq!(
        health.json::<serde_json::Value>().await.unwrap(),
        serde_json::json!({"hello": "I'm alive and healthy! Super healthy :D"})
    );

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["checks"][0]["name"], "database");
    assert_eq!(body["checks"][0]["ok"], true);

    let doc: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/readyz"].is_object());
    assert_eq!(app.get("/api").await.status(), 308);
}

/// The database behind a proxy the test can cut: requests fail fast with a 503 JSON body
/// instead of hanging, and the service heals by itself when the database returns.
#[tokio::test]
async fn database_outage_gives_503_then_recovers_by_itself() {
    let db = TestDb::new().await;
    let admin = postgres_admin_url();
    let target = admin
        .split('@')
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or("127.0.0.1:5432")
        .to_owned();
    let proxy = ChaosProxy::start(&target).await.unwrap();
    let proxied = with_database(
        &admin.replace(&target, &proxy.addr().to_string()),
        db.name(),
    );
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
