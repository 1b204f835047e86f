//! The queued mode's message body carries an upload unchanged: every shared vector, and JSON
//! uploads of every kind, decode back to the very upload that was encoded; and the bytes of
//! earlier releases are still written and read the same.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{bin, hex, stems};
use ents_domain::measurements::Upload;
use ents_wire::queued_ingest::{decode, decode_all, encode, encode_packed};

/// Every `.bin` vector, by name.
fn vectors() -> Vec<(String, Vec<u8>)> {
    stems("")
        .into_iter()
        .map(|stem| {
            let bytes = bin(&stem);
            (stem, bytes)
        })
        .collect()
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

/// Bodies as the encoder wrote them when the queued mode shipped, byte for byte: messages like
/// these may be waiting in a production queue, so every later encoder must write the same
/// bytes and every later decoder must read them back to the same uploads.
#[test]
fn bodies_of_earlier_releases_are_written_and_read_unchanged() {
    let json = |body: &str| ents_wire::decode_sensor_json(body.as_bytes()).unwrap();
    let vector = |stem: &str| {
        if stem.starts_with("legacy") {
            ents_wire::decode_measurement(&bin(stem)).unwrap()
        } else {
            ents_wire::decode_repeated(&bin(stem)).unwrap()
        }
    };
    let co2 = json(
        r#"{"type": "co2", "cellId": 1, "loggerId": 2, "ts": 1700000000, "data": {"CO2": 415, "state": true, "Photoresistivity": 2.0}}"#,
    );
    let d10 = json(r#"{"type": "D10", "cellId": 1, "ts": 1700000000.25, "data": {"flow": 3}}"#);
    let teros = json(
        r#"{"type": "teros12", "cellId": 1, "loggerId": 1, "ts": 1705176000, "data": {"vwcAdj": 0.45, "vwcRaw": 2, "temp": 3, "ec": null}}"#,
    );
    let pinned: [(Vec<Upload>, Vec<u8>); 8] = [
        (
            vec![co2],
            framed(
                1,
                br#"{"cellId":1,"data":{"CO2":415,"Photoresistivity":2.0,"state":1},"loggerId":2,"ts":1700000000,"type":"co2"}"#,
            ),
        ),
        (
            vec![d10],
            framed(
                1,
                br#"{"cellId":1,"data":{"flow":3},"loggerId":null,"ts":1700000000.25,"type":"D10"}"#,
            ),
        ),
        (
            vec![teros],
            framed(
                1,
                br#"{"cellId":1,"data":{"ec":null,"temp":3.0,"vwcAdj":0.45,"vwcRaw":2.0},"loggerId":1,"ts":1705176000,"type":"teros12"}"#,
            ),
        ),
        (
            vec![vector("legacy-bme280-negtemp")],
            framed(
                1,
                br#"{"cellId":1,"data":{"humidity":43.6,"pressure":9847.3,"temperature":-12.5},"loggerId":1,"ts":1700000014,"type":"bme280"}"#,
            ),
        ),
        (
            vec![vector("legacy-power")],
            framed(
                1,
                br#"{"cellId":1,"data":{"current":0.0002,"voltage":1.5},"loggerId":1,"ts":1700000000,"type":"power"}"#,
            ),
        ),
        (
            vec![vector("generic-multi")],
            hex(
                "01021a170a0a080110011897e2cfaa061002290000000000d062401a170a0a080110011898e2cfaa\
                 061002290000000000e062401a170a0a080110011899e2cfaa061002290000000000b86240",
            ),
        ),
        (
            vec![vector("generic-multitype")],
            hex(
                "01021a170a0a08011001189ae2cfaa06100129000000000000f43f1a170a0a08011001189ae2cfaa\
                 061002290000000000d062401a100a0a08011001189ae2cfaa061006180c1a190a0a08011001189a\
                 e2cfaa06100a20fdffffffffffffffff011a170a0a08011001189ae2cfaa061008290000000000002940",
            ),
        ),
        (
            vec![vector("legacy-power"), vector("generic-signed")],
            hex(
                "01030000006201017b2263656c6c4964223a312c2264617461223a7b2263757272656e74223a302e\
                 303030322c22766f6c74616765223a312e357d2c226c6f676765724964223a312c227473223a3137\
                 30303030303030302c2274797065223a22706f776572227d0000001d01021a190a0a080110011895\
                 e2cfaa06100a20fbffffffffffffffff01",
            ),
        ),
    ];
    for (uploads, body) in pinned {
        assert_eq!(
            encode_packed(&uploads),
            body,
            "{}",
            String::from_utf8_lossy(&body)
        );
        assert_eq!(decode_all(&body).unwrap(), uploads);
    }
}

/// A single-upload body: version 1, `format`, then `rest`.
fn framed(format: u8, rest: &[u8]) -> Vec<u8> {
    let mut body = vec![1, format];
    body.extend(rest);
    body
}
