//! `POST /api/sensor_json/` bodies (docs/wire-format.md#json-uploads).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{events, writes};
use ents_domain::measurements::{IngestError, Upload};
use ents_wire::{WireError, decode_sensor_json};
use serde_json::{Value, json};

fn decode(body: Value) -> Result<Upload, WireError> {
    decode_sensor_json(&serde_json::to_vec(&body).unwrap())
}

fn upload(kind: &str, data: Value) -> Value {
    json!({"type": kind, "cellId": 1, "loggerId": 1, "ts": 1700000000, "data": data})
}

fn err(e: IngestError) -> Result<Upload, WireError> {
    Err(WireError::Invalid(e))
}

const TS: &str = "2023-11-14 22:13:20";

#[test]
fn power_goes_to_power_data() {
    let u = decode(upload("power", json!({"voltage": 1.5, "current": 0.0002}))).unwrap();
    assert_eq!(
        writes(&u),
        json!({"power_data": [{"logger_id": 1, "cell_id": 1, "ts": TS, "voltage": 1.5, "current": 0.0002, "ts_server": "now()"}]})
    );
}

#[test]
fn bme280_is_stored_as_given_without_scaling() {
    let u = decode(upload(
        "bme280",
        json!({"pressure": 1013.2, "temperature": 21.5, "humidity": 40}),
    ))
    .unwrap();
    let rows = writes(&u);
    assert_eq!(rows["sensor+data"][0]["data"]["float_val"], json!(1013.2));
    assert_eq!(rows["sensor+data"][2]["data"]["float_val"], json!(40.0));
}

#[test]
fn co2_keeps_json_number_types_counts_all_rows_and_takes_boolean_state() {
    let u = decode(upload(
        "co2",
        json!({"CO2": 415, "state": true, "Photoresistivity": 12.5}),
    ))
    .unwrap();
    let rows = writes(&u);
    let got: Vec<(Value, Value, Value)> = rows["sensor+data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["sensor"]["measurement"].clone(),
                r["sensor"]["unit"].clone(),
                r["sensor"]["data_type"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!("CO2"), json!("PPM"), json!("int")),
            (json!("state"), json!("Boolean"), json!("int")),
            (json!("Photoresistivity"), json!("Ohms"), json!("float")),
        ]
    );
    // Upstream reported 2 (D-37).
    assert_eq!(events(&u)[0]["obj_count"], json!(3));
    assert_eq!(
        events(&u)[0]["data"],
        json!({"CO2": 415, "state": 1, "Photoresistivity": 12.5})
    );
}

#[test]
fn upper_case_d10_writes_the_flow_series() {
    let u = decode(upload("D10", json!({"flow": 2}))).unwrap();
    assert_eq!(
        writes(&u)["sensor+data"],
        json!([{"sensor": {"cell_id": 1, "name": "D10", "measurement": "flow", "unit": "G/Min", "data_type": "int"},
                "data": {"ts": TS, "int_val": 2}}])
    );
    assert_eq!(events(&u)[0]["type"], json!("D10"));
}

#[test]
fn lower_case_d10_and_other_protobuf_kinds_are_accepted() {
    let u = decode(upload(
        "d10",
        json!({"flow": 0.5, "volumeElapsed": 3, "timeElapsed": 4}),
    ))
    .unwrap();
    assert_eq!(u.stored_rows().len(), 3);
    let u = decode(upload("waterLevel", json!({"meters": 1.0, "voltage": 2.0}))).unwrap();
    assert_eq!(events(&u)[0]["type"], json!("waterLevel"));
}

#[test]
fn pcap02_reads_upstreams_capitalised_key() {
    let u = decode(upload("pcap02", json!({"Capacitance": 1.5}))).unwrap();
    assert_eq!(
        writes(&u)["sensor+data"][0]["sensor"]["measurement"],
        json!("Capacitance")
    );
    assert!(decode(upload("pcap02", json!({"capacitance": 1.5}))).is_ok());
    assert_eq!(
        decode(upload("pcap02", json!({}))).unwrap_err(),
        WireError::Invalid(IngestError::MissingField {
            field: "data.Capacitance".to_owned()
        })
    );
}

#[test]
fn teros12_ec_float_is_rounded_like_postgres() {
    let u = decode(upload(
        "teros12",
        json!({"vwcRaw": 1.0, "vwcAdj": 0.2, "temp": 20.0, "ec": 100.7}),
    ))
    .unwrap();
    assert_eq!(writes(&u)["teros_data"][0]["ec"], json!(101));
}

#[test]
fn teros12_null_ec_is_stored_null_but_a_missing_ec_is_refused() {
    let u = decode(upload(
        "teros12",
        json!({"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": null}),
    ))
    .unwrap();
    assert_eq!(writes(&u)["teros_data"][0]["ec"], Value::Null);
    let Upload::Legacy(m) = &u else {
        panic!("not legacy: {u:?}")
    };
    assert_eq!(serde_json::to_value(m.data()).unwrap()["ec"], Value::Null);
    assert_eq!(
        decode(upload(
            "teros12",
            json!({"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3}),
        )),
        err(IngestError::MissingField {
            field: "data.ec".into()
        })
    );
    assert!(
        decode(upload(
            "teros12",
            json!({"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": "x"}),
        ))
        .is_err()
    );
}

#[test]
fn unknown_types_are_unknown_kinds() {
    assert_eq!(
        decode(upload("sen03808", json!({}))),
        err(IngestError::UnknownKind("sen03808".to_owned()))
    );
}

#[test]
fn envelope_problems_name_the_field() {
    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b.as_object_mut().unwrap().remove("cellId");
    assert_eq!(
        decode(b),
        err(IngestError::MissingField {
            field: "cellId".to_owned()
        })
    );

    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b["cellId"] = json!(0);
    assert_eq!(decode(b), err(IngestError::CellIdZero));

    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b["ts"] = json!("1700000000");
    assert_eq!(
        decode(b),
        err(IngestError::invalid("ts", "expected a number"))
    );

    let b = upload("yfs210c", json!({"flow": "2.5"}));
    assert_eq!(
        decode(b),
        err(IngestError::invalid("data.flow", "expected a number"))
    );

    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b.as_object_mut().unwrap().remove("type");
    assert_eq!(
        decode(b),
        err(IngestError::MissingField {
            field: "type".to_owned()
        })
    );

    assert_eq!(
        decode(json!([1])),
        err(IngestError::invalid("body", "expected a JSON object"))
    );
    assert!(matches!(decode_sensor_json(b"{"), Err(WireError::Json(_))));
}

#[test]
fn logger_is_optional_except_for_power() {
    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b.as_object_mut().unwrap().remove("loggerId");
    let u = decode(b).unwrap();
    assert_eq!(events(&u)[0]["loggerId"], Value::Null);

    let mut b = upload("power", json!({"voltage": 1.0, "current": 1.0}));
    b.as_object_mut().unwrap().remove("loggerId");
    assert_eq!(decode(b), err(IngestError::MissingLoggerId));
}

#[test]
fn fractional_timestamps_are_echoed_and_kept_to_the_microsecond() {
    let mut b = upload("yfs210c", json!({"flow": 1.0}));
    b["ts"] = json!(1700000000.5);
    let u = decode(b).unwrap();
    assert_eq!(events(&u)[0]["timestamp"], json!(1700000000.5));
    assert_eq!(
        writes(&u)["sensor+data"][0]["data"]["ts"],
        json!("2023-11-14 22:13:20.500")
    );
}

#[test]
fn sensor_table_integers_must_fit_postgres_integer() {
    let b = upload("D10", json!({"flow": 3_000_000_000_u64}));
    assert_eq!(decode(b), err(IngestError::out_of_range("data.flow")));
    let b = upload(
        "edu0157",
        json!({"windSpeed": 1.0, "windDirection": 3_000_000_000_u64, "altitude": 1.0,
                                      "pressure": 1.0, "temperature": 1.0, "humidity": 1.0}),
    );
    assert_eq!(
        decode(b),
        err(IngestError::out_of_range("data.windDirection"))
    );
}
