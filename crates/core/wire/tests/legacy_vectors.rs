//! Every `legacy-*` vector: decoded as upstream decoded it, stored as upstream stored it (or, for
//! the kinds upstream dropped or broke, under the names of docs/wire-format.md), the same
//! Socket.IO payload, and the upstream outcome when sent down the generic path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{bin, events, sidecar, stems, writes};
use ents_domain::measurements::{IngestError, Upload};
use ents_wire::{WireError, decode_measurement, decode_repeated};
use serde_json::{Value, json};

fn sensor(name: &str, measurement: &str, unit: &str, ts: &str, value: Value) -> Value {
    let (data_type, column) = if value.is_f64() {
        ("float", "float_val")
    } else {
        ("int", "int_val")
    };
    json!({
        "sensor": { "cell_id": 1, "name": name, "measurement": measurement, "unit": unit, "data_type": data_type },
        "data": { "ts": ts, column: value },
    })
}

/// What the kinds upstream did not store now write (names: see
/// `ents_domain::measurements` `legacy_layout.rs`).
fn fixed_writes(kind: &str) -> Option<Value> {
    let rows = match kind {
        "pcap02" => vec![sensor(
            "pcap02",
            "Capacitance",
            "Farads",
            "2023-11-14 22:13:28",
            json!(1.125),
        )],
        "d10" => {
            let ts = "2023-11-14 22:13:29";
            vec![
                sensor("D10", "flow", "G/Min", ts, json!(0.75)),
                sensor("D10", "volumeElapsed", "gal", ts, json!(120)),
                sensor("D10", "timeElapsed", "s", ts, json!(60)),
            ]
        }
        "watermark200ss" => vec![sensor(
            "watermark200ss",
            "soilTension",
            "kPa",
            "2023-11-14 22:13:30",
            json!(25.5),
        )],
        "watermark200ts" => vec![sensor(
            "watermark200ts",
            "temperature",
            "C",
            "2023-11-14 22:13:31",
            json!(18.75),
        )],
        "edu0157" => {
            let ts = "2023-11-14 22:13:32";
            vec![
                sensor("edu0157", "windSpeed", "m/s", ts, json!(3.5)),
                sensor("edu0157", "windDirection", "degrees E of N", ts, json!(270)),
                sensor("edu0157", "altitude", "m", ts, json!(120.5)),
                sensor("edu0157", "pressure", "hPa", ts, json!(1013.25)),
                sensor("edu0157", "temperature", "C", ts, json!(15.5)),
                sensor("edu0157", "humidity", "%", ts, json!(60.0)),
            ]
        }
        "waterLevel" => {
            let ts = "2023-11-14 22:13:33";
            vec![
                sensor("waterLevel", "meters", "m", ts, json!(1.25)),
                sensor("waterLevel", "voltage", "V", ts, json!(2.2)),
            ]
        }
        _ => return None,
    };
    Some(json!({ "sensor+data": rows }))
}

#[test]
fn there_is_one_vector_per_oneof_member_plus_negative_bme280() {
    assert_eq!(stems("legacy-").len(), 15);
}

#[test]
fn legacy_vectors_decode_like_upstream() {
    for stem in stems("legacy-") {
        let car = sidecar(&stem);
        let upload = decode_measurement(&bin(&stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let Upload::Legacy(m) = &upload else {
            panic!("{stem}: not legacy")
        };
        let decoded = &car["decoded"];
        assert_eq!(m.kind().type_name(), decoded["type"], "{stem}");
        assert_eq!(m.meta().cell_id.get(), decoded["cellId"], "{stem}");
        assert_eq!(
            m.meta().logger_id,
            decoded["loggerId"].as_u64().map(|l| l as u32),
            "{stem}"
        );
        assert_eq!(
            serde_json::to_value(m.meta().ts).unwrap(),
            decoded["ts"],
            "{stem}"
        );
        assert_eq!(
            serde_json::to_value(m.data()).unwrap(),
            decoded["data"],
            "{stem}"
        );
        for (key, value) in m.data().iter() {
            assert_eq!(
                value.unwrap().data_type(),
                decoded["data_type"][key],
                "{stem} {key}"
            );
        }
    }
}

#[test]
fn legacy_vectors_store_upstream_rows_or_the_fixed_ones() {
    for stem in stems("legacy-") {
        let car = sidecar(&stem);
        let upload = decode_measurement(&bin(&stem)).unwrap();
        let kind = car["kind"].as_str().unwrap();
        let expected = match fixed_writes(kind) {
            Some(fixed) => {
                assert_eq!(
                    car["upstream"]["writes"],
                    json!({}),
                    "{stem}: upstream stored nothing"
                );
                fixed
            }
            None => car["upstream"]["writes"].clone(),
        };
        assert_eq!(writes(&upload), expected, "{stem}");
    }
}

#[test]
fn legacy_vectors_emit_the_upstream_event_with_the_real_row_count() {
    for stem in stems("legacy-") {
        let car = sidecar(&stem);
        let upload = decode_measurement(&bin(&stem)).unwrap();
        let rows = upload.stored_rows().len();
        let mut expected = match &car["upstream"]["socketio"] {
            // pcap02: upstream crashed before emitting; the event is the decoded dict.
            Value::Null => json!({
                "type": car["kind"], "cellId": 1, "loggerId": 1, "timestamp": car["ts"],
                "data": car["decoded"]["data"], "obj_count": 0,
            }),
            socketio => {
                assert_eq!(socketio["room"], "cell_1");
                socketio["payload"].clone()
            }
        };
        expected["obj_count"] = json!(rows);
        assert_eq!(events(&upload), vec![expected], "{stem}");
        assert_eq!(upload.live_events()[0].room(), "cell_1");
    }
}

#[test]
fn legacy_event_keys_are_in_upstream_order() {
    let upload = decode_measurement(&bin("legacy-teros12")).unwrap();
    assert_eq!(
        serde_json::to_string(&upload.live_events()[0]).unwrap(),
        r#"{"type":"teros12","cellId":1,"loggerId":1,"timestamp":1700000001,"data":{"vwcRaw":2500.0,"vwcAdj":0.25,"temp":21.5,"ec":15},"obj_count":1}"#
    );
}

#[test]
fn legacy_vectors_sent_with_sensor_version_2_fail_as_upstream() {
    for stem in stems("legacy-") {
        let car = sidecar(&stem);
        let upstream = &car["if_sent_with_SensorVersion_2"]["generic_decoder"];
        assert_eq!(upstream["ok"], false, "{stem}");
        let err = decode_repeated(&bin(&stem)).expect_err(&stem);
        assert_eq!(err.upstream_reason(), upstream["str"], "{stem}");
        let expected = if stem == "legacy-teros12" {
            IngestError::MissingSensorType
        } else {
            IngestError::NoMeasurements
        };
        assert_eq!(err.ingest_error(), Some(&expected), "{stem}");
    }
}

#[test]
fn unknown_oneof_member_is_an_unknown_kind() {
    let err = decode_measurement(&bin("bad-unknown-oneof")).unwrap_err();
    assert_eq!(
        err,
        WireError::Invalid(IngestError::UnknownKind("Measurement field 16".to_owned()))
    );
}
