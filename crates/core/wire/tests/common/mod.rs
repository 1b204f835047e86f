//! Shared helpers of the vector tests: loading the vectors and rendering what a decoded upload
//! stores in the shape of the sidecars' `upstream.writes`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

use ents_domain::measurements::{SensorValue, StoredRow, Upload};
use serde_json::{Map, Value, json};

/// The crate's copy of the test vectors (see `tests/vectors/ORIGIN.md`).
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/vectors")
}

pub fn bin(stem: &str) -> Vec<u8> {
    std::fs::read(vectors_dir().join(format!("{stem}.bin"))).expect(stem)
}

pub fn sidecar(stem: &str) -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(format!("{stem}.json"))).expect(stem);
    serde_json::from_str(&text).expect(stem)
}

/// Stems of the `.bin` vectors whose name starts with `prefix`, sorted.
pub fn stems(prefix: &str) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(vectors_dir())
        .expect("vectors dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(prefix) && name.ends_with(".bin"))
        .map(|name| name.trim_end_matches(".bin").to_owned())
        .collect();
    stems.sort();
    stems
}

/// Naive UTC, as the sidecars write `ts` columns (`DateTime<Utc>` displays with a ` UTC`
/// suffix; chrono is not a dependency of this crate).
pub fn ts_text(ts: impl std::fmt::Display) -> String {
    ts.to_string().trim_end_matches(" UTC").to_owned()
}

/// The rows of `upload` in the sidecar `writes` layout; tables without rows are left out.
pub fn writes(upload: &Upload) -> Value {
    let mut power = Vec::new();
    let mut teros = Vec::new();
    let mut sensor = Vec::new();
    for row in upload.stored_rows() {
        match row {
            StoredRow::Power(r) => power.push(json!({
                "logger_id": r.logger_id,
                "cell_id": r.cell_id.get(),
                "ts": ts_text(r.ts),
                "voltage": r.voltage,
                "current": r.current,
                "ts_server": "now()",
            })),
            StoredRow::Teros(r) => teros.push(json!({
                "cell_id": r.cell_id.get(),
                "ts": ts_text(r.ts),
                "vwc": r.vwc,
                "raw_vwc": r.raw_vwc,
                "temp": r.temp,
                "ec": r.ec,
                "water_pot": null,
                "ts_server": "now()",
            })),
            StoredRow::Sensor(r) => {
                let column = match r.value {
                    SensorValue::Float(_) => "float_val",
                    SensorValue::Int(_) => "int_val",
                };
                sensor.push(json!({
                    "sensor": {
                        "cell_id": r.cell_id.get(),
                        "name": r.name,
                        "measurement": r.measurement,
                        "unit": r.unit,
                        "data_type": r.value.data_type(),
                    },
                    "data": { "ts": ts_text(r.ts), column: r.value },
                }));
            }
        }
    }
    let mut out = Map::new();
    for (table, rows) in [
        ("power_data", power),
        ("teros_data", teros),
        ("sensor+data", sensor),
    ] {
        if !rows.is_empty() {
            out.insert(table.to_owned(), Value::Array(rows));
        }
    }
    Value::Object(out)
}

/// The Socket.IO payloads of `upload`, as JSON values.
pub fn events(upload: &Upload) -> Vec<Value> {
    upload
        .live_events()
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect()
}

pub fn hex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}
