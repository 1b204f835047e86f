//! Our `alert` event (docs/live-push.md#the-alert-event) end to end: `ents serve`, evaluating
//! the rules on its own schedule, pushes it to the cell's room when a rule fires and when it
//! resolves — on uploads made through the device route — while those uploads'
//! `measurement_received` events keep arriving as before.

use std::time::{SystemTime, UNIX_EPOCH};

use ents_runtime::testing::TestApp;
use serde_json::{Value, json};

use super::clients::{Client, Kind, Mode};

/// Registers a user through the API; its access token.
async fn register(app: &TestApp) -> String {
    let email = format!("alerts-live-{}@example.com", app.port);
    let response = app
        .client
        .post(app.url("/api/auth/register"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    response.text().await.unwrap()
}

/// POSTs `body` to `path` as the token's user; the answer, after checking its status.
async fn create(app: &TestApp, token: &str, path: &str, body: Value, status: u16) -> Value {
    let response = app
        .client
        .post(app.url(path))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let got = response.status().as_u16();
    let answer: Value = response.json().await.unwrap();
    assert_eq!(got, status, "POST {path}: {answer}");
    answer
}

/// A legacy power upload through `/api/sensor/`.
async fn upload(app: &TestApp, cell: u32, logger: u32, ts: u32, voltage: f64) {
    use ents_wire::proto::{Measurement, MeasurementMetadata, PowerMeasurement, measurement};
    use prost::Message as _;
    let body = Measurement {
        meta: Some(MeasurementMetadata {
            cell_id: cell,
            logger_id: logger,
            ts,
        }),
        measurement: Some(measurement::Measurement::Power(PowerMeasurement {
            voltage,
            current: 0.001,
        })),
    }
    .encode_to_vec();
    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

fn unix_now() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    u32::try_from(secs).unwrap()
}

#[tokio::test]
async fn a_rule_firing_and_resolving_reaches_the_dashboard_room() {
    let app = TestApp::spawn_with(|s| {
        s.alerts.enabled = true;
        s.alerts.tick_secs = 1;
    })
    .await;
    let token = register(&app).await;
    let cell = create(
        &app,
        &token,
        "/api/cell/",
        json!({"name": "alerts-live", "location": "bed", "latitude": 1.0, "longitude": 2.0,
               "archive": false}),
        200,
    )
    .await["id"]
        .as_u64()
        .unwrap();
    let logger = create(
        &app,
        &token,
        "/api/logger/",
        json!({"name": "alerts-live-node", "type": "other"}),
        201,
    )
    .await["logger_id"]
        .as_u64()
        .unwrap();
    let rule = create(
        &app,
        &token,
        "/api/alerts/rules",
        json!({"cell_id": cell, "name": "low battery", "kind": "threshold",
               "series": "power.voltage", "direction": "below", "threshold": 3300,
               "for_minutes": 5, "severity": "critical"}),
        201,
    )
    .await["rule"]["id"]
        .as_i64()
        .unwrap();
    let (cell, logger) = (u32::try_from(cell).unwrap(), u32::try_from(logger).unwrap());

    // The dashboard's own client and options.
    let mut dashboard = Client::connect(Kind::Node, Mode::Websocket, &app.address).await;
    dashboard.subscribe(json!([cell])).await;

    // Low for the last ten minutes, one reading a minute: each upload still pushes its
    // measurement, and the rule fires.
    let now = unix_now();
    for minutes_ago in (0..=10).rev() {
        upload(&app, cell, logger, now - minutes_ago * 60, 3.1).await;
    }
    for minutes_ago in (0..=10).rev() {
        let measurement: Value = serde_json::from_str(&dashboard.next_measurement().await).unwrap();
        assert_eq!(measurement["cellId"], cell, "{measurement}");
        assert_eq!(measurement["timestamp"], now - minutes_ago * 60);
        assert_eq!(measurement["data"]["voltage"], 3.1);
    }
    let text = dashboard.next_alert().await;
    // The documented key order, as the client received it.
    let positions: Vec<usize> = [
        "rule_id",
        "rule_name",
        "cell_id",
        "logger_id",
        "kind",
        "severity",
        "state",
        "value",
        "at",
        "event_id",
    ]
    .iter()
    .map(|key| text.find(&format!(r#""{key}":"#)).expect(key))
    .collect();
    assert!(positions.is_sorted(), "{text}");
    let fired: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(fired["rule_id"], rule);
    assert_eq!(fired["rule_name"], "low battery");
    assert_eq!(fired["cell_id"], cell);
    assert_eq!(fired["logger_id"], Value::Null);
    assert_eq!(fired["kind"], "threshold");
    assert_eq!(fired["severity"], "critical");
    assert_eq!(fired["state"], "firing");
    assert_eq!(fired["value"].as_f64(), Some(3100.0), "{fired}");
    assert!(fired["at"].as_str().unwrap().ends_with('Z'), "{fired}");

    // Charged: the next reading clears it (no margin, no clear time). It must be a later
    // second than the last low reading: the same second would be the same reading (the
    // upload's idempotency key), stored once and pushed once.
    let mut charged_at = unix_now();
    while charged_at <= now {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        charged_at = unix_now();
    }
    upload(&app, cell, logger, charged_at, 3.8).await;
    let measurement: Value = serde_json::from_str(&dashboard.next_measurement().await).unwrap();
    assert_eq!(measurement["timestamp"], charged_at);
    let resolved: Value = serde_json::from_str(&dashboard.next_alert().await).unwrap();
    assert_eq!(resolved["state"], "resolved", "{resolved}");
    assert_eq!(resolved["value"].as_f64(), Some(3800.0), "{resolved}");
    assert_eq!(resolved["event_id"], fired["event_id"]);
    assert_eq!(resolved["rule_id"], rule);
}
