//! TTN v3 uplinks (docs/wire-format.md#ttn-webhooks) and the legacy `Response` bodies.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{bin, hex, vectors_dir, writes};
use ents_domain::measurements::Upload;
use ents_wire::{
    TtnUplink, WireError, decode_measurement, decode_repeated, encode_response, parse_ttn_uplink,
};
use serde_json::{Value, json};

fn body(name: &str) -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(format!("{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn parse(value: &Value) -> Result<TtnUplink, WireError> {
    parse_ttn_uplink(&serde_json::to_vec(value).unwrap())
}

#[test]
fn response_bodies_are_byte_identical() {
    assert_eq!(encode_response(true), bin("response-success"));
    assert!(encode_response(true).is_empty());
    assert_eq!(encode_response(false), bin("response-error"));
    assert_eq!(encode_response(false), [0x08, 0x01]);
}

#[test]
fn fport_1_carries_a_legacy_measurement() {
    let raw = std::fs::read(vectors_dir().join("ttn-fport1.json")).unwrap();
    let uplink = parse_ttn_uplink(&raw).unwrap();
    assert_eq!(uplink.f_port(), Some(1));
    let TtnUplink::Measurement(payload) = uplink else {
        panic!("{uplink:?}")
    };
    assert_eq!(
        payload,
        hex("0a0a0801100118a8e2cfaa061212116666666666660a4019fca9f1d24d62403f")
    );
    let upload = decode_measurement(&payload).unwrap();
    assert_eq!(
        writes(&upload),
        json!({ "power_data": [{
            "logger_id": 1, "cell_id": 1, "ts": "2023-11-14 22:14:00",
            "voltage": 3.3, "current": 0.0005, "ts_server": "now()",
        }]})
    );
}

#[test]
fn fport_2_carries_generic_measurements() {
    let uplink = parse(&body("ttn-fport2")).unwrap();
    let TtnUplink::RepeatedMeasurements(payload) = uplink else {
        panic!("{uplink:?}")
    };
    assert_eq!(
        payload,
        hex("0a0a0801100118a9e2cfaa061a0b1001296666666666660a401a0b1002290000000000407f40")
    );
    let Upload::Generic(items) = decode_repeated(&payload).unwrap() else {
        panic!()
    };
    let stored: Vec<(&str, f64)> = items
        .iter()
        .map(|m| {
            (
                m.sensor().name(),
                serde_json::to_value(m.value()).unwrap().as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(stored, [("POWER_VOLTAGE", 3.3), ("POWER_CURRENT", 500.0)]);
}

#[test]
fn fport_202_is_time_sync_whatever_the_payload() {
    let mut b = body("ttn-fport202");
    assert_eq!(parse(&b), Ok(TtnUplink::TimeSync));
    b["uplink_message"]["frm_payload"] = json!("not base64!");
    assert_eq!(parse(&b), Ok(TtnUplink::TimeSync));
}

#[test]
fn f_port_is_compared_as_a_number() {
    let mut b = body("ttn-fport1");
    b["uplink_message"]["f_port"] = json!(1.0);
    assert!(matches!(parse(&b), Ok(TtnUplink::Measurement(_))));
    b["uplink_message"]["f_port"] = json!("1");
    assert_eq!(parse(&b), Ok(TtnUplink::UnknownPort("\"1\"".to_owned())));
    b["uplink_message"]["f_port"] = json!(3);
    assert_eq!(parse(&b), Ok(TtnUplink::UnknownPort("3".to_owned())));
    b["uplink_message"]["f_port"] = json!(null);
    assert_eq!(parse(&b), Ok(TtnUplink::UnknownPort("null".to_owned())));
    b["uplink_message"]["f_port"] = json!(true);
    assert_eq!(parse(&b), Ok(TtnUplink::UnknownPort("true".to_owned())));
}

#[test]
fn bodies_without_uplink_or_port_are_not_uplinks() {
    let mut b = body("ttn-fport1");
    b["uplink_message"]
        .as_object_mut()
        .unwrap()
        .remove("f_port");
    assert_eq!(parse(&b), Ok(TtnUplink::NotUplink));
    let mut b = body("ttn-fport1");
    b.as_object_mut().unwrap().remove("uplink_message");
    assert_eq!(parse(&b), Ok(TtnUplink::NotUplink));
    for other in [
        json!([1, 2]),
        json!(1),
        json!("x"),
        json!({"uplink_message": "f_port"}),
    ] {
        assert_eq!(parse(&other), Ok(TtnUplink::NotUplink), "{other}");
    }
    // The README's "direct JSON" format is not an uplink either.
    let direct = json!({"type": "power", "cellId": 1, "loggerId": 1, "ts": 1, "data": {}});
    assert_eq!(parse(&direct), Ok(TtnUplink::NotUplink));
}

#[test]
fn payload_problems_on_ports_1_and_2_are_errors() {
    for port in [1, 2] {
        let mut b = body("ttn-fport1");
        b["uplink_message"]["f_port"] = json!(port);
        b["uplink_message"]
            .as_object_mut()
            .unwrap()
            .remove("frm_payload");
        assert_eq!(parse(&b), Err(WireError::MissingPayload));
        b["uplink_message"]["frm_payload"] = json!("%%%");
        assert_eq!(parse(&b), Err(WireError::BadBase64));
        b["uplink_message"]["frm_payload"] = json!(42);
        assert_eq!(parse(&b), Err(WireError::BadBase64));
    }
}

#[test]
fn unpadded_base64_is_accepted() {
    let mut b = body("ttn-fport1");
    let padded = b["uplink_message"]["frm_payload"]
        .as_str()
        .unwrap()
        .to_owned();
    b["uplink_message"]["frm_payload"] = json!(padded.trim_end_matches('='));
    assert!(matches!(parse(&b), Ok(TtnUplink::Measurement(p)) if p.len() == 32));
}

#[test]
fn malformed_json_is_a_json_error() {
    assert!(matches!(
        parse_ttn_uplink(b"{\"uplink_message\": "),
        Err(WireError::Json(_))
    ));
    assert!(matches!(parse_ttn_uplink(b""), Err(WireError::Json(_))));
}
