//! Every decoder on thousands of deterministic hostile inputs: pseudo-random bytes, mutated
//! vectors, random field soups and hostile JSON. Passing means no panic, and every accepted
//! upload maps to rows and events that serialize (no NaN reaches JSON). Bounded and seeded, so
//! it is fast and reproducible; `fuzz/` goes further.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use base64::Engine as _;
use common::{stems, vectors_dir};
use ents_domain::measurements::Upload;
use ents_wire::{
    TtnUplink, decode_measurement, decode_repeated, decode_sensor_json, parse_ttn_uplink,
    queued_ingest,
};

/// xorshift64* — enough randomness for coverage, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
    fn bytes(&mut self, max_len: usize) -> Vec<u8> {
        let len = self.below(max_len + 1);
        (0..len).map(|_| self.byte()).collect()
    }
    fn fixed(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.byte()).collect()
    }
}

fn check(upload: &Upload) {
    let rows = upload.stored_rows();
    let events = upload.live_events();
    assert!(!events.is_empty());
    if let Upload::Legacy(_) = upload {
        assert_eq!(events[0].obj_count, rows.len());
    }
    for event in &events {
        serde_json::to_string(event).expect("event serializes");
    }
}

fn feed_protobuf(bytes: &[u8]) {
    if let Ok(u) = decode_measurement(bytes) {
        check(&u);
    }
    if let Ok(u) = decode_repeated(bytes) {
        check(&u);
    }
}

fn feed_json(bytes: &[u8]) {
    if let Ok(u) = decode_sensor_json(bytes) {
        check(&u);
    }
    if let Ok(TtnUplink::Measurement(p) | TtnUplink::RepeatedMeasurements(p)) =
        parse_ttn_uplink(bytes)
    {
        feed_protobuf(&p);
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = at.min(out.len() - 1);
                out[i] ^= 1 << rng.below(8);
            }
            1 => out.insert(at, rng.byte()),
            2 if at < out.len() => {
                out.remove(at);
            }
            3 => out.truncate(at),
            4 => out
                .splice(at..at, [0xff, 0xff, 0xff, 0xff, 0x0f])
                .for_each(drop),
            _ => {
                let from = rng.below(out.len() + 1);
                let chunk: Vec<u8> = out[from..].iter().take(rng.below(16)).copied().collect();
                out.splice(at..at, chunk).for_each(drop);
            }
        }
    }
    out
}

/// Random but well-framed protobuf: random field numbers and wire types, nested messages.
fn soup(rng: &mut Rng, depth: u32) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..=rng.below(6) {
        let number = 1 + rng.below(if depth == 0 { 16 } else { 7 }) as u64;
        let wire = if rng.below(4) == 0 {
            rng.below(6)
        } else {
            rng.below(3)
        };
        field(rng, &mut out, number, wire as u64, depth);
    }
    out
}

fn field(rng: &mut Rng, out: &mut Vec<u8>, number: u64, wire: u64, depth: u32) {
    put_varint(out, (number << 3) | wire);
    match wire {
        0 => {
            let v = if rng.below(2) == 0 {
                rng.next() >> rng.below(64)
            } else {
                rng.below(40) as u64
            };
            put_varint(out, v);
        }
        1 => out.extend(rng.fixed(8)),
        2 => {
            let body = if depth < 3 && rng.below(8) != 0 {
                soup(rng, depth + 1)
            } else {
                rng.bytes(12)
            };
            put_len(out, &body);
        }
        5 => out.extend(rng.fixed(4)),
        _ => {}
    }
}

fn put_len(out: &mut Vec<u8>, body: &[u8]) {
    put_varint(out, body.len() as u64);
    out.extend_from_slice(body);
}

/// A metadata block with small, sometimes zero, ids.
fn meta(rng: &mut Rng) -> Vec<u8> {
    let mut m = Vec::new();
    for number in 1..=3u64 {
        if rng.below(5) != 0 {
            put_varint(&mut m, number << 3);
            put_varint(
                &mut m,
                if number == 3 {
                    rng.next() >> 30
                } else {
                    rng.below(3) as u64
                },
            );
        }
    }
    m
}

/// Shaped like a `Measurement`: meta plus one (sometimes two, or an undefined) oneof member
/// whose fields are random varints and doubles (NaN and huge values included).
fn legacy_soup(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.below(8) != 0 {
        out.push(0x0a);
        put_len(&mut out, &meta(rng));
    }
    for _ in 0..=rng.below(2) {
        let mut body = Vec::new();
        for _ in 0..rng.below(7) {
            let (number, wire) = (1 + rng.below(6) as u64, rng.below(2) as u64);
            field(rng, &mut body, number, wire, 3);
        }
        put_varint(&mut out, ((2 + rng.below(15) as u64) << 3) | 2);
        put_len(&mut out, &body);
    }
    out
}

/// Shaped like a `RepeatedSensorMeasurements`: optional top meta, items with optional meta,
/// random `type` (including NONE and undefined numbers) and a random or missing value.
fn generic_soup(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    if rng.below(6) != 0 {
        out.push(0x0a);
        put_len(&mut out, &meta(rng));
    }
    for _ in 0..=rng.below(4) {
        let mut item = Vec::new();
        if rng.below(3) == 0 {
            item.push(0x0a);
            put_len(&mut item, &meta(rng));
        }
        item.push(0x10);
        put_varint(
            &mut item,
            if rng.below(10) == 0 {
                rng.next()
            } else {
                rng.below(35) as u64
            },
        );
        match rng.below(5) {
            0 => field(rng, &mut item, 3, 0, 3),
            1 => field(rng, &mut item, 4, 0, 3),
            2 | 3 => field(rng, &mut item, 5, 1, 3),
            _ => {}
        }
        out.push(0x1a);
        put_len(&mut out, &item);
    }
    out
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push(v as u8 | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[test]
fn random_bytes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..4000 {
        let bytes = rng.bytes(96);
        feed_protobuf(&bytes);
        feed_json(&bytes);
    }
}

#[test]
fn mutated_vectors() {
    let mut rng = Rng(1_700_000_000);
    let seeds: Vec<Vec<u8>> = ["legacy-", "generic-", "bad-"]
        .iter()
        .flat_map(|p| stems(p))
        .map(|s| std::fs::read(vectors_dir().join(format!("{s}.bin"))).unwrap())
        .collect();
    for seed in &seeds {
        for _ in 0..300 {
            feed_protobuf(&mutate(&mut rng, seed));
        }
    }
}

/// The worker reads queued-ingest bodies from the broker: single and packed bodies, mutated.
#[test]
fn mutated_queued_ingest_bodies() {
    let mut rng = Rng(5);
    let uploads: Vec<Upload> = stems("")
        .iter()
        .filter_map(|s| {
            let bytes = common::bin(s);
            decode_measurement(&bytes)
                .or_else(|_| decode_repeated(&bytes))
                .ok()
        })
        .collect();
    let mut seeds: Vec<Vec<u8>> = uploads.iter().map(queued_ingest::encode).collect();
    seeds.push(queued_ingest::encode_packed(&uploads[..3]));
    for seed in &seeds {
        for _ in 0..200 {
            let body = mutate(&mut rng, seed);
            for upload in queued_ingest::decode_all(&body).into_iter().flatten() {
                check(&upload);
            }
        }
    }
}

#[test]
fn random_field_soups() {
    let mut rng = Rng(42);
    let mut accepted = 0;
    for _ in 0..3000 {
        feed_protobuf(&soup(&mut rng, 0));
        let legacy = legacy_soup(&mut rng);
        feed_protobuf(&legacy);
        accepted += usize::from(decode_measurement(&legacy).is_ok());
        let generic = generic_soup(&mut rng);
        feed_protobuf(&generic);
        accepted += usize::from(decode_repeated(&generic).is_ok());
    }
    // The shaped soups must reach the mapping, not just the error paths.
    assert!(accepted > 500, "only {accepted} shaped soups decoded");
}

#[test]
fn hostile_json() {
    let mut rng = Rng(7);
    let ttn: Vec<Vec<u8>> = ["ttn-fport1", "ttn-fport2", "ttn-fport202"]
        .iter()
        .map(|s| std::fs::read(vectors_dir().join(format!("{s}.json"))).unwrap())
        .collect();
    for body in &ttn {
        for _ in 0..300 {
            feed_json(&mutate(&mut rng, body));
        }
    }
    // Valid uplinks whose payload is random or a mutated vector.
    let seeds: Vec<Vec<u8>> = stems("").iter().map(|s| common::bin(s)).collect();
    assert!(!seeds.is_empty());
    for i in 0..2000 {
        let payload = if i % 2 == 0 {
            rng.bytes(64)
        } else {
            let seed = rng.below(seeds.len());
            mutate(&mut rng, &seeds[seed])
        };
        let port = [1, 2][i % 2];
        let b64 = base64::engine::general_purpose::STANDARD.encode(&payload);
        let body = format!(r#"{{"uplink_message": {{"f_port": {port}, "frm_payload": "{b64}"}}}}"#);
        feed_json(body.as_bytes());
    }
    // Legacy JSON dicts with odd values.
    let values = [
        "0",
        "-1",
        "1e308",
        "-1e308",
        "1.5",
        "4294967296",
        "2147483648",
        "true",
        "null",
        "\"x\"",
        "[]",
        "{}",
    ];
    let kinds = [
        "power", "teros12", "bme280", "co2", "D10", "d10", "edu0157", "pcap02", "nope",
    ];
    let keys = [
        "voltage",
        "current",
        "vwcRaw",
        "vwcAdj",
        "temp",
        "ec",
        "pressure",
        "temperature",
        "humidity",
        "CO2",
        "state",
        "Photoresistivity",
        "flow",
        "volumeElapsed",
        "timeElapsed",
        "windSpeed",
        "windDirection",
        "altitude",
        "Capacitance",
    ];
    for _ in 0..3000 {
        let mut data = String::new();
        for k in keys {
            if rng.below(4) != 0 {
                data.push_str(&format!(r#""{k}": {},"#, values[rng.below(values.len())]));
            }
        }
        data.pop();
        let body = format!(
            r#"{{"type": "{}", "cellId": {}, "loggerId": {}, "ts": {}, "data": {{{data}}}}}"#,
            kinds[rng.below(kinds.len())],
            values[rng.below(values.len())],
            values[rng.below(values.len())],
            values[rng.below(values.len())],
        );
        feed_json(body.as_bytes());
    }
}
