//! The rules every upload follows: idempotent, all or nothing, bad input refused without a
//! 500, all 32 generic types stored, content types, sizes, the 308 of `/api/sensor`.

use std::sync::Arc;

use super::support::*;

#[tokio::test]
async fn a_retried_upload_answers_200_every_time_and_stores_one_row() {
    let app = app().await;
    let legacy_body = power_bytes(1, 1, 1_700_000_000, 1.5, 0.0002);
    let generic_body = generic_bytes(&[(1, 1_700_000_000, 1, 1.0), (1, 1_700_000_000, 2, 2.0)]);
    for _ in 0..4 {
        assert_eq!(answer(legacy(&app, legacy_body.clone()).await).await.0, 200);
        assert_eq!(
            answer(generic(&app, generic_body.clone()).await).await.0,
            200
        );
    }
    assert_eq!(count(&app, "power_data").await, 1);
    assert_eq!(count(&app, "data").await, 2);
    assert_eq!(count(&app, "sensor").await, 2);
}

#[tokio::test]
async fn concurrent_retries_store_one_row() {
    let app = Arc::new(app().await);
    let body = generic_bytes(&[(2, 1_700_000_100, 9, 1013.0), (2, 1_700_000_100, 10, 21.5)]);
    let power = power_bytes(2, 1, 1_700_000_100, 3.3, 0.5);
    let tasks: Vec<_> = (0..12)
        .map(|i| {
            let app = app.clone();
            let (b, p) = (body.clone(), power.clone());
            tokio::spawn(async move {
                let response = if i % 2 == 0 {
                    generic(&app, b).await
                } else {
                    legacy(&app, p).await
                };
                response.status().as_u16()
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
    assert_eq!(count(&app, "power_data").await, 1);
    assert_eq!(count(&app, "data").await, 2);
    assert_eq!(count(&app, "sensor").await, 2);
}

#[tokio::test]
async fn all_32_generic_types_are_stored_under_their_upstream_names() {
    let app = app().await;
    let items: Vec<(u32, u32, i32, f64)> = (1..=32)
        .map(|t| (1, 1_700_000_000, t, f64::from(t) + 0.5))
        .collect();
    assert_eq!(
        answer(generic(&app, generic_bytes(&items)).await).await.0,
        200
    );
    let names = lines(&app, "SELECT s.name || '/' || s.measurement || ' ' || s.unit || ' ' || d.float_val FROM data d JOIN sensor s ON s.id = d.sensor_id ORDER BY d.float_val").await;
    assert_eq!(names.len(), 32);
    assert_eq!(names[0], "POWER_VOLTAGE/Voltage mV 1.5");
    assert_eq!(names[31], "ALSMPM2F_VOLTAGE/Voltage V 32.5");
}

#[tokio::test]
async fn an_unknown_cell_stores_nothing_of_the_upload() {
    let app = app().await;
    // Legacy: 501 ERROR; an unknown logger too, for power.
    for body in [
        power_bytes(99, 1, 1, 1.0, 1.0),
        power_bytes(1, 99, 1, 1.0, 1.0),
    ] {
        let (status, ct, bytes) = answer(legacy(&app, body).await).await;
        assert_eq!(
            (status, ct.as_str(), bytes.as_slice()),
            (501, OCTET, &[8u8, 1][..])
        );
    }
    // Generic: one item on an unknown cell refuses the whole batch (upstream kept the items
    // before it).
    let body = generic_bytes(&[(1, 5, 1, 1.0), (2, 5, 2, 2.0), (99, 5, 20, 3.25)]);
    let (status, ct, text) = answer(generic(&app, body).await).await;
    assert_eq!((status, ct.as_str()), (400, HTML));
    assert_eq!(
        String::from_utf8(text).unwrap(),
        "Error adding sensor data for measurement {'type': 'D10_FLOW', 'decimal': 3.25, \
         'meta': {'cellId': 99, 'loggerId': 1, 'ts': 5}, 'name': 'Flow rate', 'unit': 'gal/min'}"
    );
    assert_eq!(measurement_rows(&app).await, 0);
    assert_eq!(count(&app, "sensor").await, 0);
}

#[tokio::test]
async fn a_batch_with_one_bad_item_stores_nothing() {
    let app = app().await;
    let body = generic_bytes(&[(1, 5, 1, 1.0), (1, 5, 2, f64::NAN)]);
    let (status, _, text) = answer(generic(&app, body).await).await;
    assert_eq!(status, 400);
    assert!(
        String::from_utf8(text)
            .unwrap()
            .starts_with("Error parsing sensor measurements: ")
    );
    assert_eq!(measurement_rows(&app).await, 0);
}

#[tokio::test]
async fn other_content_types_get_415_and_parameters_are_ignored() {
    let app = app().await;
    let body = power_bytes(1, 1, 1, 1.0, 1.0);
    for ct in [Some("text/plain"), Some("application/x-protobuf"), None] {
        let response = post(&app, "/api/sensor/", ct, &[], body.clone()).await;
        assert_eq!(response.status(), 415, "{ct:?}");
        let json: serde_json::Value = response.json().await.unwrap();
        assert!(
            json["message"]
                .as_str()
                .unwrap()
                .contains("application/octet-stream")
        );
    }
    let response = post(&app, "/api/sensor_json/", Some(OCTET), &[], b"{}".to_vec()).await;
    assert_eq!(response.status(), 415);
    assert_eq!(measurement_rows(&app).await, 0);
    // Same media type, other spelling or parameters: accepted.
    let response = post(
        &app,
        "/api/sensor/",
        Some("Application/Octet-Stream; charset=binary"),
        &[],
        body,
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(count(&app, "power_data").await, 1);
}

#[tokio::test]
async fn oversize_bodies_get_413_and_the_server_keeps_serving() {
    let app = app_with(|s| s.ingest.body_limit_bytes = 1024).await;
    let big = vec![0u8; 4096];
    for path in ["/api/sensor/", "/api/sensor_json/", "/api/power/"] {
        let ct = if path == "/api/sensor/" {
            OCTET
        } else {
            "application/json"
        };
        let response = post(&app, path, Some(ct), &[], big.clone()).await;
        assert_eq!(response.status(), 413, "{path}");
    }
    assert_eq!(measurement_rows(&app).await, 0);
    assert_eq!(
        answer(legacy(&app, power_bytes(1, 1, 1, 1.0, 1.0)).await)
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn sensor_without_slash_is_a_308_to_the_upload_route() {
    let app = app().await;
    let response = post(
        &app,
        "/api/sensor",
        Some(OCTET),
        &[],
        power_bytes(1, 1, 1, 1.0, 1.0),
    )
    .await;
    assert_eq!(response.status(), 308);
    assert_eq!(response.headers()["location"], "/api/sensor/");
    assert_eq!(measurement_rows(&app).await, 0);
}

#[tokio::test]
async fn sensor_json_teros12_null_ec_is_stored_null_and_read_back_null() {
    let app = app().await;
    let body = serde_json::json!({"type": "teros12", "cellId": 1, "loggerId": 1, "ts": 1_705_176_000,
        "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": null}});
    for _ in 0..2 {
        let (status, _, _) = answer(sensor_json(&app, &body).await).await;
        assert_eq!(status, 200);
    }
    assert_eq!(
        lines(&app, "SELECT coalesce(ec::text, 'NULL') FROM teros_data").await,
        ["NULL"]
    );
    let response = app
        .get(
            "/api/teros/1?startTime=Sat,%2013%20Jan%202024%2000:00:00%20GMT\
             &endTime=Mon,+15+Jan+2024+23:00:00+GMT&resample=none",
        )
        .await;
    assert_eq!(response.status().as_u16(), 200);
    let v: serde_json::Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
    assert_eq!(v["ec"], serde_json::json!([null]));
    assert_eq!(v["temp"], serde_json::json!([3.0]));
}

#[tokio::test]
async fn sensor_json_stores_every_kind_and_refuses_with_the_legacy_error() {
    let app = app().await;
    let kinds = [
        (
            "power",
            serde_json::json!({"voltage": 1.5, "current": 0.0002}),
            "power_data",
        ),
        (
            "teros12",
            serde_json::json!({"vwcRaw": 2500, "vwcAdj": 0.25, "temp": 21.5, "ec": 15}),
            "teros_data",
        ),
        (
            "co2",
            serde_json::json!({"CO2": 415, "state": true, "Photoresistivity": 12.5}),
            "data",
        ),
        ("D10", serde_json::json!({"flow": 1.5}), "data"),
        ("pcap02", serde_json::json!({"Capacitance": 1.125}), "data"),
        (
            "waterLevel",
            serde_json::json!({"meters": 1.25, "voltage": 2.2}),
            "data",
        ),
    ];
    for (i, (kind, data, _)) in kinds.iter().enumerate() {
        let body = serde_json::json!({"type": kind, "cellId": 1, "loggerId": 1, "ts": 1_700_000_000 + i, "data": data});
        let (status, ct, bytes) = answer(sensor_json(&app, &body).await).await;
        assert_eq!(
            (status, ct.as_str(), bytes.len()),
            (200, OCTET, 0),
            "{kind}"
        );
    }
    assert_eq!(count(&app, "power_data").await, 1);
    assert_eq!(count(&app, "teros_data").await, 1);
    assert_eq!(count(&app, "data").await, 3 + 1 + 1 + 2);

    let refusals = [
        serde_json::json!({"type": "unknown", "cellId": 1, "loggerId": 1, "ts": 1, "data": {}}),
        serde_json::json!({"type": "power", "cellId": 99, "loggerId": 1, "ts": 1, "data": {"voltage": 1, "current": 1}}),
    ];
    let before = measurement_rows(&app).await;
    for body in refusals {
        let (status, _, bytes) = answer(sensor_json(&app, &body).await).await;
        assert_eq!((status, bytes.as_slice()), (501, &[8u8, 1][..]), "{body}");
    }
    // A missing or bad field is a JSON 400 naming it (it is a JSON route).
    let bad_fields = [
        (
            "loggerId",
            serde_json::json!({"type": "power", "cellId": 1, "ts": 1, "data": {"voltage": 1, "current": 1}}),
        ),
        (
            "ts",
            serde_json::json!({"type": "yfs210c", "cellId": 1, "ts": "soon", "data": {"flow": 1}}),
        ),
        (
            "type",
            serde_json::json!({"cellId": 1, "ts": 1, "data": {"flow": 1}}),
        ),
        (
            "cellId",
            serde_json::json!({"type": "yfs210c", "ts": 1, "data": {"flow": 1}}),
        ),
        (
            "ts",
            serde_json::json!({"type": "yfs210c", "cellId": 1, "data": {"flow": 1}}),
        ),
        (
            "data",
            serde_json::json!({"type": "yfs210c", "cellId": 1, "ts": 1}),
        ),
        (
            "data.flow",
            serde_json::json!({"type": "yfs210c", "cellId": 1, "ts": 1, "data": {"flow": "fast"}}),
        ),
    ];
    for (field, body) in bad_fields {
        let response = sensor_json(&app, &body).await;
        assert_eq!(response.status(), 400, "{body}");
        let answer: serde_json::Value = response.json().await.unwrap();
        assert!(answer["errors"][field].is_array(), "{field}: {answer}");
    }
    let response = post(
        &app,
        "/api/sensor_json/",
        Some("application/json"),
        &[],
        b"{not json".to_vec(),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(measurement_rows(&app).await, before);
}
