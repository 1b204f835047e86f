//! The Things Network v3 webhook on `POST /api/sensor/` (docs/wire-format.md#ttn-webhooks).

use serde_json::{Value, json};

use super::support::*;

const JSON: &str = "application/json";

fn uplink(file: &str) -> Value {
    serde_json::from_slice(&vector(file)).unwrap()
}

async fn send(app: &ents_runtime::testing::TestApp, body: &Value) -> (u16, String, String) {
    let (status, ct, bytes) = answer(
        post(
            app,
            "/api/sensor/",
            Some(JSON),
            &[],
            body.to_string().into_bytes(),
        )
        .await,
    )
    .await;
    (status, ct, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn f_port_1_and_2_store_like_their_protobuf_paths_and_202_is_ignored() {
    let app = app().await;
    let (status, ct, body) = send(&app, &uplink("ttn-fport1.json")).await;
    assert_eq!((status, ct.as_str(), body.as_str()), (200, OCTET, ""));
    assert_eq!(
        lines(&app, "SELECT format('%s %s %s %s %s', cell_id, logger_id, ts, voltage, current) FROM power_data").await,
        ["1 1 2023-11-14 22:14:00 3.3 0.0005"]
    );
    let (status, ct, body) = send(&app, &uplink("ttn-fport2.json")).await;
    assert_eq!((status, ct.as_str(), body.as_str()), (200, HTML, ""));
    assert_eq!(
        lines(&app, "SELECT s.name || ' ' || d.float_val FROM data d JOIN sensor s ON s.id = d.sensor_id ORDER BY 1").await,
        ["POWER_CURRENT 500", "POWER_VOLTAGE 3.3"]
    );
    let rows = measurement_rows(&app).await;
    let (status, ct, body) = send(&app, &uplink("ttn-fport202.json")).await;
    assert_eq!(
        (status, ct.as_str(), body.as_str()),
        (200, HTML, "Ignoring timesync request.")
    );
    // Retried webhooks (TTN retries on timeouts) store nothing twice.
    send(&app, &uplink("ttn-fport1.json")).await;
    send(&app, &uplink("ttn-fport2.json")).await;
    assert_eq!(measurement_rows(&app).await, rows);
}

#[tokio::test]
async fn other_ports_and_non_uplinks_are_answered_as_upstream() {
    let app = app().await;
    for port in [json!(7), json!("1"), json!(null)] {
        let mut body = uplink("ttn-fport1.json");
        body["uplink_message"]["f_port"] = port.clone();
        let (status, ct, text) = send(&app, &body).await;
        assert_eq!(
            (status, ct.as_str(), text.as_str()),
            (404, HTML, "f_port not recognized."),
            "{port}"
        );
    }
    let mut no_port = uplink("ttn-fport1.json");
    no_port["uplink_message"]
        .as_object_mut()
        .unwrap()
        .remove("f_port");
    for body in [
        json!({"end_device_ids": {}}),
        no_port,
        json!([1, 2]),
        json!("x"),
    ] {
        let (status, ct, text) = send(&app, &body).await;
        assert_eq!(
            (status, ct.as_str(), text.as_str()),
            (200, HTML, "Missing uplink_message or f_port.")
        );
    }
    assert_eq!(measurement_rows(&app).await, 0);
}

#[tokio::test]
async fn unusable_payloads_are_refused_by_their_ports_path_and_bad_json_is_400() {
    let app = app().await;
    for (file, expected_status) in [("ttn-fport1.json", 501), ("ttn-fport2.json", 400)] {
        let mut missing = uplink(file);
        missing["uplink_message"]
            .as_object_mut()
            .unwrap()
            .remove("frm_payload");
        let mut garbage = uplink(file);
        garbage["uplink_message"]["frm_payload"] = json!("*** not base64 ***");
        for body in [missing, garbage] {
            assert_eq!(send(&app, &body).await.0, expected_status, "{file}");
        }
    }
    let response = post(
        &app,
        "/api/sensor/",
        Some(JSON),
        &[],
        b"{\"uplink_message\": ".to_vec(),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(measurement_rows(&app).await, 0);
}
