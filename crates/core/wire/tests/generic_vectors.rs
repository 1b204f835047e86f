//! Every `generic-*` vector: the upstream rows and one Socket.IO event per item, and upstream's
//! `teros12`-of-zeros outcome when sent down the legacy path.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{bin, events, sidecar, stems, writes};
use ents_domain::measurements::{SensorType, Upload};
use ents_wire::{decode_measurement, decode_repeated};
use serde_json::{Value, json};

#[test]
fn generic_vectors_store_upstream_rows() {
    for stem in stems("generic-") {
        let car = sidecar(&stem);
        let upload = decode_repeated(&bin(&stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        assert_eq!(writes(&upload), car["upstream"]["writes"], "{stem}");
    }
}

#[test]
fn generic_vectors_emit_one_upstream_event_per_item() {
    for stem in stems("generic-") {
        let car = sidecar(&stem);
        let upload = decode_repeated(&bin(&stem)).unwrap();
        let socketio = &car["upstream"]["socketio"];
        assert_eq!(socketio["room"], "cell_1", "{stem}");
        assert_eq!(
            &Value::Array(events(&upload)),
            &socketio["payloads"],
            "{stem}"
        );
    }
}

#[test]
fn generic_vectors_match_the_parsed_items() {
    for stem in stems("generic-") {
        let car = sidecar(&stem);
        let Upload::Generic(items) = decode_repeated(&bin(&stem)).unwrap() else {
            panic!("{stem}")
        };
        let parsed = car["parsed"]["measurements"].as_array().unwrap();
        assert_eq!(items.len(), parsed.len(), "{stem}");
        for (item, want) in items.iter().zip(parsed) {
            assert_eq!(item.sensor().name(), want["type"], "{stem}");
            assert_eq!(item.sensor().measurement(), want["name"], "{stem}");
            assert_eq!(item.sensor().unit(), want["unit"], "{stem}");
            assert_eq!(item.meta().cell_id.get(), want["meta"]["cellId"], "{stem}");
            assert_eq!(
                serde_json::to_value(item.meta().ts).unwrap(),
                want["meta"]["ts"],
                "{stem}"
            );
            let value = ["unsignedInt", "signedInt", "decimal"]
                .iter()
                .find_map(|k| want.get(*k))
                .unwrap();
            assert_eq!(
                &serde_json::to_value(item.value()).unwrap(),
                value,
                "{stem}"
            );
        }
    }
}

#[test]
fn all_32_sensor_types_are_covered() {
    let Upload::Generic(items) = decode_repeated(&bin("generic-all-types")).unwrap() else {
        panic!()
    };
    let types: Vec<SensorType> = items.iter().map(|m| m.sensor()).collect();
    assert_eq!(types, SensorType::ALL);
}

#[test]
fn items_without_meta_inherit_the_top_level_one_whole() {
    let Upload::Generic(items) = decode_repeated(&bin("generic-multi")).unwrap() else {
        panic!()
    };
    let ts: Vec<Value> = items
        .iter()
        .map(|m| serde_json::to_value(m.meta().ts).unwrap())
        .collect();
    assert_eq!(
        ts,
        [json!(1700000023), json!(1700000024), json!(1700000025)]
    );
}

#[test]
fn generic_vectors_sent_without_sensor_version_decode_as_zero_teros12() {
    for stem in stems("generic-") {
        let car = sidecar(&stem);
        let upstream = &car["if_sent_without_SensorVersion"]["legacy_decoder"];
        assert_eq!(upstream["ok"], true, "{stem}");
        let upload = decode_measurement(&bin(&stem)).unwrap_or_else(|e| panic!("{stem}: {e}"));
        let Upload::Legacy(m) = &upload else {
            panic!("{stem}")
        };
        let result = &upstream["result"];
        assert_eq!(m.kind().type_name(), result["type"], "{stem}");
        assert_eq!(
            serde_json::to_value(m.data()).unwrap(),
            result["data"],
            "{stem}"
        );
        assert_eq!(
            serde_json::to_value(m.meta().ts).unwrap(),
            result["ts"],
            "{stem}"
        );
        assert_eq!(m.meta().cell_id.get(), result["cellId"], "{stem}");
    }
}
