//! Device authentication options (docs/compatibility.md#ingestion): all off by default.

use super::support::*;
use ents_runtime::testing::TestApp;

#[tokio::test]
async fn require_api_key_refuses_anonymous_uploads_on_every_route() {
    let app = app_with(|s| s.ingest.require_api_key = true).await;
    let legacy_response = legacy(&app, power_bytes(1, 1, 1, 1.0, 1.0)).await;
    assert_eq!(legacy_response.status(), 401);
    let json = serde_json::json!({"type": "yfs210c", "cellId": 1, "ts": 1, "data": {"flow": 1}});
    let response = sensor_json(&app, &json).await;
    assert_eq!(response.status(), 401);
    let body = serde_json::json!({"logger": "l", "cell": "c", "ts": 1, "v": 1, "i": 2});
    let response = post(
        &app,
        "/api/power/",
        Some("application/json"),
        &[],
        body.to_string().into_bytes(),
    )
    .await;
    assert_eq!(response.status(), 401);
    assert_eq!(measurement_rows(&app).await, 0);
    assert_eq!(count(&app, "cell").await, 2, "no cell created");
}

#[tokio::test]
async fn a_presented_key_that_cannot_be_validated_is_refused() {
    let app = app().await;
    let response = post(
        &app,
        "/api/sensor/",
        Some(OCTET),
        &[("X-API-Key", "ents_not_a_key")],
        power_bytes(1, 1, 1, 1.0, 1.0),
    )
    .await;
    assert_eq!(response.status(), 401);
    let body: serde_json::Value = response.json().await.unwrap();
    assert!(body["msg"].is_string());
    assert_eq!(measurement_rows(&app).await, 0);
    // Without a key, the same upload is stored (deployed firmware sends none).
    assert_eq!(
        legacy(&app, power_bytes(1, 1, 1, 1.0, 1.0)).await.status(),
        200
    );
}

#[tokio::test]
async fn the_ttn_webhook_can_require_a_shared_secret() {
    let app = app_with(|s| {
        s.ttn.webhook_secret = Some(secrecy::SecretString::from("hook-secret"));
        s.ttn.webhook_secret_header = "X-Ents-Webhook".into();
    })
    .await;
    let body = vector("ttn-fport1.json");
    for headers in [vec![], vec![("X-Ents-Webhook", "wrong")]] {
        let response = post(
            &app,
            "/api/sensor/",
            Some("application/json"),
            &headers,
            body.clone(),
        )
        .await;
        assert_eq!(response.status(), 401);
    }
    assert_eq!(measurement_rows(&app).await, 0);
    let response = post(
        &app,
        "/api/sensor/",
        Some("application/json"),
        &[("X-Ents-Webhook", "hook-secret")],
        body,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&app, "power_data").await, 1);
    // Direct protobuf uploads do not need it.
    assert_eq!(
        legacy(&app, power_bytes(1, 1, 2, 1.0, 1.0)).await.status(),
        200
    );
}

/// A user owning cell 1, with a key of `scope`; returns (user id, key).
async fn owner_of_cell_1(app: &TestApp, scope: &str) -> (uuid::Uuid, String) {
    let user = uuid::Uuid::new_v4();
    sql(
        app,
        &format!(
            "INSERT INTO \"user\" (id, email, password) VALUES ('{user}', '{user}@example.com', '');
             UPDATE cell SET user_id = '{user}' WHERE id = 1;
             INSERT INTO cell_user (cell_id, user_id) VALUES (1, '{user}');"
        ),
    )
    .await;
    (user, key_of(app, user, scope).await)
}

async fn key_of(app: &TestApp, user: uuid::Uuid, scope: &str) -> String {
    let exp = chrono::Utc::now().timestamp() + 600;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &serde_json::json!({"uid": user.to_string(), "exp": exp}),
        &jsonwebtoken::EncodingKey::from_secret(ents_runtime::testing::ACCESS_SECRET.as_bytes())
            .unwrap(),
    )
    .unwrap();
    let response = reqwest::Client::new()
        .post(app.url("/api/keys"))
        .bearer_auth(token)
        .json(&serde_json::json!({"name": format!("node-{scope}"), "scope": scope}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: serde_json::Value = response.json().await.unwrap();
    body["api_key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_key_uploads_only_to_cells_its_owner_may_write() {
    let app = app().await;
    let (_, ingest_key) = owner_of_cell_1(&app, "ingest").await;
    let stranger = uuid::Uuid::new_v4();
    sql(
        &app,
        &format!(
            "INSERT INTO \"user\" (id, email, password) VALUES ('{stranger}', 's@example.com', '')"
        ),
    )
    .await;
    let stranger_key = key_of(&app, stranger, "full").await;

    let upload = |key: String, ts: u32| {
        let app = &app;
        async move {
            post(
                app,
                "/api/sensor/",
                Some(OCTET),
                &[("X-API-Key", key.as_str())],
                power_bytes(1, 1, ts, 1.0, 1.0),
            )
            .await
            .status()
        }
    };
    // The owner's ingest-only key may upload to the owner's cell.
    assert_eq!(upload(ingest_key.clone(), 10).await, 200);
    assert_eq!(count(&app, "power_data").await, 1);
    // Another user's valid key may not, and nothing is stored.
    assert_eq!(upload(stranger_key, 11).await, 403);
    assert_eq!(count(&app, "power_data").await, 1);
}
