//! Every device vector (`crates/core/wire/tests/vectors`) through `POST /api/sensor/`, down its own
//! path and down the other one: the exact answer, and exactly the rows it stores.

use ents_domain::measurements::{SensorValue, StoredRow, Upload};
use ents_runtime::testing::TestApp;
use serde_json::{Value, json};

use super::support::*;

/// What `upload` stores, in the sidecars' `writes` layout.
fn writes(upload: &Upload) -> Value {
    let (mut power, mut teros, mut sensor) = (vec![], vec![], vec![]);
    let ts = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M:%S").to_string();
    for row in upload.stored_rows() {
        match row {
            StoredRow::Power(r) => power
                .push(json!({"logger_id": r.logger_id, "cell_id": r.cell_id.get(),
                "ts": ts(r.ts), "voltage": r.voltage, "current": r.current, "ts_server": "now()"})),
            StoredRow::Teros(r) => teros.push(json!({"cell_id": r.cell_id.get(), "ts": ts(r.ts),
                "vwc": r.vwc, "raw_vwc": r.raw_vwc, "temp": r.temp, "ec": r.ec, "water_pot": null,
                "ts_server": "now()"})),
            StoredRow::Sensor(r) => {
                let (key, value) = match r.value {
                    SensorValue::Float(f) => ("float_val", json!(f)),
                    SensorValue::Int(i) => ("int_val", json!(i)),
                };
                sensor.push(json!({
                    "sensor": {"cell_id": r.cell_id.get(), "name": r.name, "measurement": r.measurement,
                               "unit": r.unit, "data_type": r.value.data_type()},
                    "data": {"ts": ts(r.ts), key: value},
                }));
            }
        }
    }
    let mut out = serde_json::Map::new();
    for (name, rows) in [
        ("power_data", power),
        ("teros_data", teros),
        ("sensor+data", sensor),
    ] {
        if !rows.is_empty() {
            out.insert(name.to_owned(), Value::Array(rows));
        }
    }
    canonical(&Value::Object(out))
}

/// Forgets every stored measurement, so each vector is checked on its own (sensor rows are
/// typed by their first value, D-34); the sensors of the previous vector are gone, which the
/// store's fast path must notice.
async fn reset(app: &TestApp) {
    sql(
        app,
        "DELETE FROM data; DELETE FROM sensor; DELETE FROM power_data; DELETE FROM teros_data;",
    )
    .await;
}

#[tokio::test]
async fn every_legacy_vector_is_answered_and_stored_as_the_contract_says() {
    let app = app().await;
    let stems = stems("legacy-");
    assert_eq!(stems.len(), 15, "14 oneof kinds + negative bme280");
    for stem in stems {
        reset(&app).await;
        let body = vector(&format!("{stem}.bin"));
        let (status, ct, bytes) = answer(legacy(&app, body.clone()).await).await;
        // Every kind is stored: upstream's 500 (pcap02) and silent 200s are fixed (D-35, D-36, D-38).
        assert_eq!(
            (status, ct.as_str(), bytes.as_slice()),
            (200, OCTET, &[][..]),
            "{stem}"
        );
        let upload = ents_wire::decode_measurement(&body).unwrap();
        assert!(!upload.stored_rows().is_empty(), "{stem} stores rows");
        let side = sidecar(&stem);
        let upstream = &side["upstream"];
        if upstream["response"]["status"] == 200
            && upstream["writes"]
                .as_object()
                .is_some_and(|w| !w.is_empty())
        {
            assert_eq!(
                canonical(&upstream["writes"]),
                writes(&upload),
                "{stem}: upstream's rows"
            );
        }
        assert_eq!(
            stored(&app).await,
            writes(&upload),
            "{stem}: rows in the database"
        );

        // The same bytes sent as a generic upload fail in the generic parser, as upstream.
        let (status, ct, text) = answer(generic(&app, body).await).await;
        let expected = format!(
            "Error parsing sensor measurements: {}",
            side["if_sent_with_SensorVersion_2"]["generic_decoder"]["str"]
                .as_str()
                .unwrap()
        );
        assert_eq!(
            (status, ct.as_str(), String::from_utf8(text).unwrap()),
            (400, HTML, expected),
            "{stem}"
        );
    }
}

#[tokio::test]
async fn every_generic_vector_is_answered_and_stored_as_the_contract_says() {
    let app = app().await;
    let stems = stems("generic-");
    assert_eq!(stems.len(), 6);
    for stem in stems {
        reset(&app).await;
        let body = vector(&format!("{stem}.bin"));
        let (status, ct, bytes) = answer(generic(&app, body.clone()).await).await;
        assert_eq!((status, ct.as_str(), bytes.len()), (200, HTML, 0), "{stem}");
        let upload = ents_wire::decode_repeated(&body).unwrap();
        let side = sidecar(&stem);
        assert_eq!(
            canonical(&side["upstream"]["writes"]),
            writes(&upload),
            "{stem}: upstream's rows"
        );
        assert_eq!(
            stored(&app).await,
            writes(&upload),
            "{stem}: rows in the database"
        );

        // Without the header the bytes decode as a teros12 of zeros, stored as upstream did.
        reset(&app).await;
        let (status, _, bytes) = answer(legacy(&app, body.clone()).await).await;
        assert_eq!((status, bytes.len()), (200, 0), "{stem} on the legacy path");
        assert_eq!(
            stored(&app).await,
            writes(&ents_wire::decode_measurement(&body).unwrap()),
            "{stem} on the legacy path"
        );
    }
}

#[tokio::test]
async fn every_malformed_vector_is_refused_without_a_500_and_stores_nothing() {
    let app = app().await;
    for stem in stems("bad-") {
        reset(&app).await;
        let body = vector(&format!("{stem}.bin"));
        let side = sidecar(&stem);

        // Generic path: 400 text, upstream's own reason where upstream answered 400.
        let (status, ct, text) = answer(generic(&app, body.clone()).await).await;
        let text = String::from_utf8(text).unwrap();
        assert_eq!(
            (status, ct.as_str()),
            (400, HTML),
            "{stem} (generic): {text}"
        );
        match side["generic_decoder"]["str"].as_str() {
            Some(reason) => assert_eq!(
                text,
                format!("Error parsing sensor measurements: {reason}"),
                "{stem}"
            ),
            None => assert!(
                text.starts_with("Error parsing sensor measurements: "),
                "{stem}: {text}"
            ),
        }
        assert_eq!(
            measurement_rows(&app).await,
            0,
            "{stem} (generic) stored nothing"
        );

        // Legacy path: what decodes with a real cell is stored as upstream did (e.g. the
        // uint32 overflow, or generic bytes read as a teros12 of zeros); the rest is 501 ERROR.
        let decoded = &side["legacy_decoder"];
        let storable = decoded["ok"] == true && decoded["result"]["cellId"] != 0;
        let (status, ct, bytes) = answer(legacy(&app, body).await).await;
        if storable {
            assert_eq!((status, bytes.len()), (200, 0), "{stem} (legacy)");
            assert!(measurement_rows(&app).await > 0, "{stem} (legacy)");
        } else {
            assert_eq!(
                (status, ct.as_str(), bytes.as_slice()),
                (501, OCTET, &[8u8, 1][..]),
                "{stem} (legacy)"
            );
            assert_eq!(
                measurement_rows(&app).await,
                0,
                "{stem} (legacy) stored nothing"
            );
        }
    }
    // The server keeps serving.
    assert_eq!(app.get("/api/").await.status(), 200);
}

#[tokio::test]
async fn the_response_vectors_are_the_legacy_bodies() {
    let app = app().await;
    let (_, _, ok) = answer(legacy(&app, vector("legacy-power.bin")).await).await;
    assert_eq!(ok, vector("response-success.bin"));
    sql(
        &app,
        "DELETE FROM power_data; DELETE FROM cell WHERE id = 1",
    )
    .await;
    let (status, _, error) = answer(legacy(&app, vector("legacy-power.bin")).await).await;
    assert_eq!((status, error), (501, vector("response-error.bin")));
}
