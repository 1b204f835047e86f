//! The written bodies are byte for byte what serde_json made of the shape structs (the
//! serializer the responses used before `body.rs`), on awkward data.
#![allow(clippy::unwrap_used)]

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use ents_domain::series::{Point, ReadMode, Resample, SensorInfo, SensorSeries, Stats};

use super::body;
use super::shape::{PowerSeries, SensorSeriesBody, TerosSeries};

fn serde_body(value: &impl serde::Serialize) -> Vec<u8> {
    let mut out = serde_json::to_vec(value).unwrap();
    out.push(b'\n');
    out
}

/// Equal bytes; else the first difference with some context (the bodies are long).
fn assert_same(written: &[u8], expected: &[u8], what: &str) {
    if written == expected {
        return;
    }
    let at = written
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(written.len().min(expected.len()));
    let around = |b: &[u8]| {
        String::from_utf8_lossy(&b[at.saturating_sub(60)..(at + 60).min(b.len())]).into_owned()
    };
    panic!(
        "{what}: bodies differ at byte {at} (lengths {} and {})\n written: {}\nexpected: {}",
        written.len(),
        expected.len(),
        around(written),
        around(expected)
    );
}

fn start() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2023, 12, 31)
        .unwrap()
        .and_hms_opt(23, 58, 1)
        .unwrap()
}

/// Awkward values: missing, non-finite, negative zero, tiny, huge, integral, long decimals.
fn value(i: usize, k: usize) -> Option<f64> {
    const VALUES: [Option<f64>; 12] = [
        Some(1.5),
        None,
        Some(f64::NAN),
        Some(-0.0),
        Some(1e-300),
        Some(1.7976931348623157e308),
        Some(f64::INFINITY),
        Some(42.0),
        Some(0.1 + 0.2),
        Some(-1_234.567_890_123_45),
        Some(2411.0),
        Some(f64::NEG_INFINITY),
    ];
    VALUES[(i * 7 + k * 3) % VALUES.len()]
}

fn points(n: usize, fields: usize) -> Vec<Point> {
    (0..n)
        .map(|i| Point {
            // 5.184 s apart, with sub-second parts, across the new year.
            ts: start() + TimeDelta::milliseconds(5_184 * i64::try_from(i).unwrap()),
            fields: (0..fields)
                .map(|k| match i % 3 {
                    0 => Stats::single(value(i, k)),
                    1 => Stats::from_sum(3, value(i, k).unwrap_or(0.0), value(i, k + 1), None),
                    _ => Stats::default(),
                })
                .collect(),
        })
        .collect()
}

fn sensor_info(data_type: &str, unit: Option<&str>) -> SensorInfo {
    SensorInfo {
        id: 7,
        cell_id: 1,
        name: "bme280".to_owned(),
        measurement: "pres\"sure\\ \u{1}é".to_owned(),
        data_type: data_type.to_owned(),
        unit: unit.map(str::to_owned),
    }
}

#[test]
fn power_and_teros_bodies_equal_serde_json() {
    for n in [0, 1, 2, 500] {
        for stats in [false, true] {
            let p = points(n, 3);
            assert_same(
                &body::power(&p, stats),
                &serde_body(&PowerSeries::new(&p, stats)),
                &format!("power, {n} points, stats {stats}"),
            );
            let t = points(n, 4);
            assert_same(
                &body::teros(&t, stats),
                &serde_body(&TerosSeries::new(&t, stats)),
                &format!("teros, {n} points, stats {stats}"),
            );
        }
    }
}

#[test]
fn sensor_bodies_equal_serde_json() {
    let numeric = SensorSeries::Numeric(points(300, 1));
    let text = SensorSeries::Text(
        (0..50)
            .map(|i| {
                let ts = start() + TimeDelta::seconds(i * 17);
                (
                    ts,
                    (i % 4 != 0).then(|| format!("line {i}\n\"quoted\" \u{7f} ü")),
                )
            })
            .collect(),
    );
    let modes = [
        ReadMode::Raw,
        ReadMode::Stream,
        ReadMode::Buckets(Resample::Hour),
    ];
    for data_type in ["float", "int", "text", "unknown"] {
        for unit in [Some("hPa"), None, Some("")] {
            for mode in modes {
                for stats in [false, true] {
                    for series in [&numeric, &text] {
                        let info = sensor_info(data_type, unit);
                        let expected =
                            serde_body(&SensorSeriesBody::new(info.clone(), series, mode, stats));
                        assert_same(
                            &body::sensor(&info, series, mode, stats),
                            &expected,
                            &format!("{data_type} {unit:?} {mode:?} stats {stats}"),
                        );
                    }
                }
            }
        }
    }
}

#[actix_web::test]
async fn a_large_body_is_sent_whole_in_chunks_with_its_content_length() {
    use actix_web::body::{BodySize, MessageBody};
    for len in [0, 1, super::BODY_CHUNK, 100_000] {
        let bytes: Vec<u8> = (0..len).map(|i| u8::try_from(i % 251).unwrap()).collect();
        let response = super::json_body(bytes.clone());
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        let body = response.into_body();
        assert_eq!(body.size(), BodySize::Sized(len as u64), "{len} bytes");
        assert_eq!(actix_web::body::to_bytes(body).await.unwrap(), bytes);
    }
}
