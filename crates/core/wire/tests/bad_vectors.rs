//! The malformed and edge-case vectors (`bad-*`) on both paths: what upstream did (sidecar) and
//! what this decoder does instead where that is fixed (docs/compatibility.md#ingestion).
//! Nothing here may panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{bin, sidecar, stems, writes};
use ents_domain::measurements::{IngestError, Upload};
use ents_wire::{WireError, decode_measurement, decode_repeated};
use serde_json::{Value, json};

enum Want {
    /// Decodes; the legacy kind.
    Ok(&'static str),
    Err(WireError),
}

fn malformed(message: &'static str) -> Want {
    Want::Err(WireError::Malformed { message })
}

fn invalid(e: IngestError) -> Want {
    Want::Err(WireError::Invalid(e))
}

fn item0(e: IngestError) -> Want {
    invalid(e.in_item(0))
}

/// (vector, legacy path, generic path).
fn table() -> Vec<(&'static str, Want, Want)> {
    const M: &str = "Measurement";
    const R: &str = "RepeatedSensorMeasurements";
    use IngestError as E;
    vec![
        (
            "bad-empty",
            invalid(E::MissingMeta),
            invalid(E::NoMeasurements),
        ),
        // Upstream: legacy decodes cell 0 then 501 (no cell 0); generic 500. Refused up front.
        (
            "bad-generic-cell-zero",
            invalid(E::CellIdZero),
            item0(E::CellIdZero),
        ),
        // Upstream: generic 500 after creating a `str` sensor row (D-33).
        (
            "bad-generic-nan",
            Want::Ok("teros12"),
            item0(E::not_finite("decimal")),
        ),
        (
            "bad-generic-no-meta",
            invalid(E::MissingMeta),
            item0(E::MissingMeta),
        ),
        // Upstream: generic parses, then 500.
        (
            "bad-generic-no-value",
            Want::Ok("teros12"),
            item0(E::MissingValue),
        ),
        (
            "bad-generic-type-none",
            Want::Ok("teros12"),
            item0(E::MissingSensorType),
        ),
        (
            "bad-generic-unknown-sensortype",
            Want::Ok("teros12"),
            item0(E::UnknownSensorType(99)),
        ),
        // Upstream: the value in undefined field 7 is skipped → no value → 500.
        (
            "bad-generic-unknown-value",
            Want::Ok("teros12"),
            item0(E::MissingValue),
        ),
        (
            "bad-legacy-no-meta",
            invalid(E::MissingMeta),
            invalid(E::NoMeasurements),
        ),
        ("bad-oversized-length", malformed(M), malformed(R)),
        ("bad-oversized-varint", malformed(M), malformed(R)),
        ("bad-random", malformed(M), malformed(R)),
        ("bad-truncated", malformed(M), malformed(R)),
        (
            "bad-uint32-overflow",
            Want::Ok("power"),
            invalid(E::NoMeasurements),
        ),
        // Upstream: 500 `Measurement missing data`; here: an unknown kind.
        (
            "bad-unknown-oneof",
            invalid(E::UnknownKind("Measurement field 16".to_owned())),
            invalid(E::NoMeasurements),
        ),
    ]
}

#[test]
fn every_bad_vector_is_in_the_table() {
    let mut listed: Vec<&str> = table().iter().map(|(stem, _, _)| *stem).collect();
    listed.sort_unstable();
    assert_eq!(listed, stems("bad-"));
}

#[test]
fn legacy_path_outcomes() {
    for (stem, want, _) in table() {
        let car = sidecar(stem);
        let upstream = &car["legacy_decoder"];
        let got = decode_measurement(&bin(stem));
        match want {
            Want::Ok(kind) => {
                let Ok(Upload::Legacy(m)) = &got else {
                    panic!("{stem}: {got:?}")
                };
                let result = &upstream["result"];
                assert_eq!(m.kind().type_name(), kind, "{stem}");
                assert_eq!(result["type"], kind, "{stem}");
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
            Want::Err(err) => {
                assert_eq!(got.as_ref().err(), Some(&err), "{stem}");
                // Same refusal as upstream whenever upstream refused at decode time.
                if upstream["ok"] == false {
                    let text = upstream["str"].as_str().unwrap();
                    match &err {
                        WireError::Malformed { .. } => assert_eq!(err.to_string(), text, "{stem}"),
                        WireError::Invalid(IngestError::MissingMeta) => {
                            assert_eq!(text, "'Measurement missing metadata'", "{stem}")
                        }
                        WireError::Invalid(IngestError::UnknownKind(_)) => {
                            assert_eq!(text, "'Measurement missing data'", "{stem}")
                        }
                        other => panic!("{stem}: unexpected {other:?}"),
                    }
                }
            }
        }
    }
}

#[test]
fn generic_path_outcomes() {
    for (stem, _, want) in table() {
        let car = sidecar(stem);
        let upstream = &car["generic_decoder"];
        let got = decode_repeated(&bin(stem));
        let Want::Err(err) = want else {
            panic!("{stem}: no generic vector decodes")
        };
        assert_eq!(got.as_ref().err(), Some(&err), "{stem}");
        if upstream["ok"] == false {
            // Upstream's 400 body is `Error parsing sensor measurements: <this>`.
            assert_eq!(err.upstream_reason(), upstream["str"], "{stem}");
        }
    }
}

#[test]
fn uint32_overflow_truncates_like_upstream() {
    let upload = decode_measurement(&bin("bad-uint32-overflow")).unwrap();
    assert_eq!(
        writes(&upload),
        json!({ "power_data": [{
            "logger_id": 1, "cell_id": 1, "ts": "2023-11-14 22:14:13",
            "voltage": 1.5, "current": 0.0002, "ts_server": "now()",
        }]})
    );
}

#[test]
fn mis_sent_generic_bodies_store_a_zero_teros_row_like_upstream() {
    let upload = decode_measurement(&bin("bad-generic-no-value")).unwrap();
    let rows = writes(&upload);
    assert_eq!(rows["teros_data"][0]["vwc"], json!(0.0));
    assert_eq!(rows["teros_data"][0]["ec"], json!(0));
    assert_eq!(
        rows["teros_data"][0]["ts"],
        Value::from("2023-11-14 22:14:14")
    );
}
