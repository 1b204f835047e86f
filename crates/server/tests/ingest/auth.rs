//! Device authentication options (decisions.md §1): all off by default.

use crate::support::*;

#[tokio::test]
async fn require_api_key_refuses_anonymous_uploads_on_every_route() {
    let app = app_with(|s| s.ingest.require_api_key = true).await;
    let legacy_response = legacy(&app, power_bytes(1, 1, 1, 1.0, 1.0)).await;
    assert_eq!(legacy_response.status(), 401);
    let json = serde_json::json!({"type": "yfs210c", "cellId": 1, "ts": 1, "data": {"flow": 1}});
    let response = post(
        &app,
        "/api/sensor_json/",
        Some("application/json"),
        &[],
        json.to_string().into_bytes(),
    )
    .await;
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
