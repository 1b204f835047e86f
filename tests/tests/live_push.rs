//! The live push end to end (docs/live-push.md), with the real clients: npm `socket.io-client` (the
//! dashboard's) and `python-socketio`, on every transport, through the API's own port; and across
//! two API instances on one database; and our `alert` event (`live_push/alerts.rs`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "live_push/clients.rs"]
mod clients;

#[path = "live_push/alerts.rs"]
mod alerts;

use clients::{Client, Kind, Mode};
use ents_domain::measurements::{
    LegacyKind, LegacyMeasurement, MeasurementReceived, Meta, Power, RawMeta,
};
use ents_e2e::seed_cell_and_logger;
use ents_runtime::Application;
use ents_runtime::testing::TestApp;
use serde_json::json;

fn power(cell_id: u32, voltage: f64) -> MeasurementReceived {
    let meta = Meta::legacy(RawMeta {
        cell_id,
        logger_id: 3,
        ts: 1_705_176_162,
    })
    .unwrap();
    LegacyMeasurement::new(
        meta,
        LegacyKind::Power(Power {
            voltage,
            current: 0.5,
        }),
    )
    .unwrap()
    .live_event()
}

/// Upstream's payload, keys in upstream's order (docs/live-push.md#the-event), as the server sends
/// it and as both clients re-serialize it. Voltages are not whole numbers: JavaScript would print
/// `2.0` as `2`.
fn expected(cell_id: u32, voltage: f64) -> String {
    let text = format!(
        r#"{{"type":"power","cellId":{cell_id},"loggerId":3,"timestamp":1705176162,"data":{{"voltage":{voltage},"current":0.5}},"obj_count":1}}"#
    );
    assert_eq!(
        serde_json::to_string(&power(cell_id, voltage)).unwrap(),
        text
    );
    text
}

/// Subscribe, receive exactly the subscribed cells' events, survive a non-object payload,
/// unsubscribe. Events are published in an order that makes "not received" observable
/// without waiting: one socket receives in emission order, so an event that should not
/// arrive would show up before the next expected one.
async fn room_semantics(kind: Kind, mode: Mode) {
    let app = TestApp::spawn().await;
    let mut client = Client::connect(kind, mode, &app.address).await;
    match mode {
        Mode::Websocket => assert_eq!(client.status().await["transport"], "websocket"),
        Mode::Polling => assert_eq!(client.status().await["transport"], "polling"),
        Mode::Default => client.wait_for_websocket().await,
    }

    // 7 as a number and 8 as a string: both name their room as upstream did.
    client.subscribe(json!([7, "8"])).await;
    app.live_feed
        .publish(&[power(9, 1.0), power(7, 3.3), power(8, 1.25)])
        .await
        .unwrap();
    assert_eq!(client.next_measurement().await, expected(7, 3.3));
    assert_eq!(client.next_measurement().await, expected(8, 1.25));

    // A list instead of an object: ignored, no acknowledgement, the connection stays.
    client.emit("subscribe_cells", json!([9]), false).await;
    client.emit("subscribe_cells", json!("9"), false).await;
    assert_eq!(client.status().await["connected"], true);

    client.unsubscribe(json!(["7"])).await;
    app.live_feed
        .publish(&[power(9, 2.5), power(7, 2.5), power(8, 2.5)])
        .await
        .unwrap();
    assert_eq!(client.next_measurement().await, expected(8, 2.5));
    assert_eq!(client.status().await["connected"], true);
}

#[tokio::test]
async fn dashboard_client_over_websocket_only() {
    room_semantics(Kind::Node, Mode::Websocket).await;
}

#[tokio::test]
async fn node_client_over_polling_only() {
    room_semantics(Kind::Node, Mode::Polling).await;
}

#[tokio::test]
async fn node_client_upgrading_from_polling() {
    room_semantics(Kind::Node, Mode::Default).await;
}

#[tokio::test]
async fn python_client_over_websocket_only() {
    room_semantics(Kind::Python, Mode::Websocket).await;
}

#[tokio::test]
async fn python_client_over_polling_only() {
    room_semantics(Kind::Python, Mode::Polling).await;
}

#[tokio::test]
async fn python_client_upgrading_from_polling() {
    room_semantics(Kind::Python, Mode::Default).await;
}

/// The dashboard subscribes without asking for an acknowledgement (docs/compatibility.md#clients).
#[tokio::test]
async fn dashboard_subscription_without_ack_receives_events() {
    let app = TestApp::spawn().await;
    let mut client = Client::connect(Kind::Node, Mode::Websocket, &app.address).await;
    client
        .emit("subscribe_cells", json!({"cellIds": [1, 2]}), false)
        .await;
    // Without an acknowledgement nothing says when the rooms are joined: publish until an
    // event arrives (bounded).
    let got = tokio::time::timeout(ents_e2e::PATIENCE, async {
        loop {
            app.live_feed.publish(&[power(2, 1.5)]).await.unwrap();
            if let Ok(json) = tokio::time::timeout(
                std::time::Duration::from_millis(500),
                client.next_measurement(),
            )
            .await
            {
                return json;
            }
        }
    })
    .await
    .expect("an event after subscribing without ack");
    assert_eq!(got, expected(2, 1.5));
}

/// A measurement published through one instance reaches the subscribers of the other
/// (PostgreSQL LISTEN/NOTIFY), both ways.
#[tokio::test]
async fn two_instances_share_the_live_push() {
    let first = TestApp::spawn().await;
    let second = Application::build(&first.settings).await.unwrap();
    let second_address = format!("http://127.0.0.1:{}", second.port());
    let second_feed = second.live_feed();
    let second_server = tokio::spawn(second.run_until_stopped());

    let mut on_second = Client::connect(Kind::Node, Mode::Websocket, &second_address).await;
    let mut on_first = Client::connect(Kind::Python, Mode::Websocket, &first.address).await;
    on_second.subscribe(json!([41])).await;
    on_first.subscribe(json!([42])).await;

    first.live_feed.publish(&[power(41, 4.1)]).await.unwrap();
    assert_eq!(on_second.next_measurement().await, expected(41, 4.1));

    second_feed.publish(&[power(42, 4.2)]).await.unwrap();
    assert_eq!(on_first.next_measurement().await, expected(42, 4.2));

    second_server.abort();
}

/// A real upload, stored through one instance, reaches the dashboard connected to the other:
/// the device vector `legacy-power` and its expected event (`upstream.socketio`).
#[tokio::test]
async fn an_upload_to_one_instance_reaches_the_dashboard_on_the_other() {
    let first = TestApp::spawn().await;
    seed_cell_and_logger(&first).await;
    let second = Application::build(&first.settings).await.unwrap();
    let second_address = format!("http://127.0.0.1:{}", second.port());
    let second_server = tokio::spawn(second.run_until_stopped());

    let mut dashboard = Client::connect(Kind::Node, Mode::Websocket, &second_address).await;
    dashboard.subscribe(json!([1])).await;
    upload(&first, "legacy-power.bin", false).await;

    assert_eq!(
        dashboard.next_measurement().await,
        r#"{"type":"power","cellId":1,"loggerId":1,"timestamp":1700000000,"data":{"voltage":1.5,"current":0.0002},"obj_count":1}"#
    );
    second_server.abort();
}

/// A generic upload pushes one event per measurement, in order (vector `generic-multi`).
/// python-socketio re-serializes floats as Python does (`151.0`), like the server.
#[tokio::test]
async fn a_generic_upload_pushes_one_event_per_measurement() {
    let app = TestApp::spawn().await;
    seed_cell_and_logger(&app).await;
    let mut client = Client::connect(Kind::Python, Mode::Polling, &app.address).await;
    client.subscribe(json!(["1"])).await;
    upload(&app, "generic-multi.bin", true).await;

    for (ts, current) in [(23, "150.5"), (24, "151.0"), (25, "149.75")] {
        assert_eq!(
            client.next_measurement().await,
            format!(
                r#"{{"type":"POWER_CURRENT","cellId":1,"loggerId":1,"timestamp":17000000{ts},"data":{{"Current":{current}}},"obj_count":1}}"#
            )
        );
    }
}

/// POSTs a device vector to `/api/sensor/` (with `SensorVersion: 2` for generic ones).
async fn upload(app: &TestApp, vector: &str, generic: bool) {
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/core/wire/tests/vectors")
        .join(vector);
    let body = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut request = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(body);
    if generic {
        request = request.header("SensorVersion", "2");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200, "upload of {vector}");
}
