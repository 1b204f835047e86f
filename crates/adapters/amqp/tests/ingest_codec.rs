//! The queued mode's message body carries an upload unchanged: every shared vector, and JSON
//! uploads of every kind, decode back to the very upload that was encoded.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ents_amqp::ingest::codec::{decode, decode_all, encode, encode_packed};
use ents_domain::measurements::Upload;

fn vectors() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../core/wire/tests/vectors");
    let mut all: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    all.sort();
    all
}

fn round_trip(name: &str, upload: Upload) {
    let body = encode(&upload);
    assert_eq!(decode(&body).unwrap(), upload, "{name}");
    assert_eq!(
        upload.live_events(),
        decode(&body).unwrap().live_events(),
        "{name}"
    );
}

#[test]
fn every_decodable_vector_round_trips() {
    let mut n = 0;
    for (name, bytes) in vectors() {
        for upload in [
            ents_wire::decode_measurement(&bytes),
            ents_wire::decode_repeated(&bytes),
        ]
        .into_iter()
        .flatten()
        {
            round_trip(&name, upload);
            n += 1;
        }
    }
    assert!(n > 30, "{n}");
}

#[test]
fn json_uploads_round_trip_with_their_number_types() {
    for body in [
        r#"{"type": "co2", "cellId": 1, "loggerId": 2, "ts": 1700000000, "data": {"CO2": 415, "state": true, "Photoresistivity": 2.0}}"#,
        r#"{"type": "D10", "cellId": 1, "ts": 1700000000.25, "data": {"flow": 3}}"#,
        r#"{"type": "bme280", "cellId": 3, "loggerId": 0, "ts": 0, "data": {"pressure": 1013.25, "temperature": -1, "humidity": 40}}"#,
        r#"{"type": "power", "cellId": 1, "loggerId": 0, "ts": 1, "data": {"voltage": 1, "current": 2}}"#,
        r#"{"type": "teros12", "cellId": 1, "loggerId": 1, "ts": 1705176000, "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": null}}"#,
        r#"{"type": "teros12", "cellId": 1, "loggerId": 1, "ts": 1705176000, "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": 7}}"#,
    ] {
        round_trip(
            body,
            ents_wire::decode_sensor_json(body.as_bytes()).unwrap(),
        );
    }
}

#[test]
fn packed_uploads_round_trip_in_order() {
    let uploads: Vec<Upload> = vectors()
        .iter()
        .filter_map(|(_, bytes)| {
            ents_wire::decode_measurement(bytes)
                .or_else(|_| ents_wire::decode_repeated(bytes))
                .ok()
        })
        .collect();
    assert!(uploads.len() > 10);
    assert_eq!(decode_all(&encode_packed(&uploads)).unwrap(), uploads);
    // One upload is sent as a plain single-upload body, which `decode_all` reads too.
    let one = &uploads[..1];
    assert_eq!(encode_packed(one), encode(&one[0]));
    assert_eq!(decode_all(&encode_packed(one)).unwrap(), one);
}

#[test]
fn other_bodies_are_refused() {
    assert!(decode(b"").is_err());
    assert!(decode(&[9, 1, b'{', b'}']).is_err());
    assert!(decode(&[1, 1, b'x']).is_err());
    // Packed: empty, a truncated length or part, an unreadable part, a part that is packed.
    let good = encode(&ents_wire::decode_sensor_json(
        br#"{"type": "power", "cellId": 1, "loggerId": 0, "ts": 1, "data": {"voltage": 1, "current": 2}}"#,
    )
    .unwrap());
    let part = |body: &[u8]| {
        let mut framed = u32::try_from(body.len()).unwrap().to_be_bytes().to_vec();
        framed.extend(body);
        framed
    };
    let packed = |parts: &[&[u8]]| {
        let mut body = vec![1, 3];
        for p in parts {
            body.extend(part(p));
        }
        body
    };
    assert_eq!(decode_all(&packed(&[&good, &good])).unwrap().len(), 2);
    assert!(decode_all(&[1, 3]).is_err());
    assert!(decode_all(&[1, 3, 0, 0]).is_err());
    let truncated = packed(&[&good]);
    assert!(decode_all(&truncated[..truncated.len() - 1]).is_err());
    assert!(decode_all(&packed(&[&good, &[1, 1, b'x']])).is_err());
    assert!(decode_all(&packed(&[&packed(&[&good])])).is_err());
    assert!(
        decode(&packed(&[&good])).is_err(),
        "decode reads single uploads only"
    );
}
