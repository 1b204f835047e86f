//! Helpers: a server with cell 1 and logger 1, raw uploads, and the stored rows rendered like
//! the vectors' `upstream.writes`.

use std::path::PathBuf;

use ents_runtime::testing::TestApp;
use serde_json::Value;
use tokio_postgres::NoTls;

pub const OCTET: &str = "application/octet-stream";
pub const HTML: &str = "text/html; charset=utf-8";

/// A server whose database has cells 1 and 2 and logger 1 (the vectors use cell 1, logger 1).
pub async fn app() -> TestApp {
    app_with(|_| {}).await
}

pub async fn app_with(customise: impl FnOnce(&mut ents_config::Settings)) -> TestApp {
    let app = TestApp::spawn_with(customise).await;
    sql(
        &app,
        "INSERT INTO cell (id, name) VALUES (1, 'cell-1'), (2, 'cell-2'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'logger-1', gen_random_uuid(), now()); \
         SELECT setval('cell_id_seq', 2); SELECT setval('logger_id_seq', 1);",
    )
    .await;
    app
}

async fn client(app: &TestApp) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(app.db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

/// Runs statements.
pub async fn sql(app: &TestApp, statements: &str) {
    client(app).await.batch_execute(statements).await.unwrap();
}

/// The first column of every row, as text.
pub async fn lines(app: &TestApp, query: &str) -> Vec<String> {
    client(app)
        .await
        .query(query, &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<_, String>(0))
        .collect()
}

pub async fn count(app: &TestApp, table: &str) -> usize {
    lines(app, &format!("SELECT count(*)::text FROM {table}")).await[0]
        .parse()
        .unwrap()
}

/// Rows of the measurement tables (`power_data`, `teros_data`, sensor+data pairs) in the
/// layout of the sidecars' `upstream.writes`, each table sorted (ids follow key order, not
/// upload order), numbers as f64.
pub async fn stored(app: &TestApp) -> Value {
    let power = lines(
        app,
        "SELECT json_build_object('logger_id', logger_id, 'cell_id', cell_id, \
           'ts', to_char(ts, 'YYYY-MM-DD HH24:MI:SS'), 'voltage', voltage, 'current', current, \
           'ts_server', 'now()')::text FROM power_data",
    )
    .await;
    let teros = lines(
        app,
        "SELECT json_build_object('cell_id', cell_id, 'ts', to_char(ts, 'YYYY-MM-DD HH24:MI:SS'), \
           'vwc', vwc, 'raw_vwc', raw_vwc, 'temp', temp, 'ec', ec, 'water_pot', water_pot, \
           'ts_server', 'now()')::text FROM teros_data",
    )
    .await;
    let sensor = lines(
        app,
        "SELECT json_build_object('sensor', json_build_object('cell_id', s.cell_id, 'name', s.name, \
           'measurement', s.measurement, 'unit', s.unit, 'data_type', s.data_type), \
           'data', json_strip_nulls(json_build_object('ts', to_char(d.ts, 'YYYY-MM-DD HH24:MI:SS'), \
           'float_val', d.float_val, 'int_val', d.int_val)))::text \
         FROM data d JOIN sensor s ON s.id = d.sensor_id",
    )
    .await;
    let mut out = serde_json::Map::new();
    for (name, rows) in [
        ("power_data", power),
        ("teros_data", teros),
        ("sensor+data", sensor),
    ] {
        if !rows.is_empty() {
            let rows: Vec<Value> = rows
                .iter()
                .map(|r| serde_json::from_str(r).unwrap())
                .collect();
            out.insert(name.to_owned(), sorted(rows));
        }
    }
    normalize(Value::Object(out))
}

/// A `writes` object with every table sorted and numbers as f64, for comparisons.
pub fn canonical(writes: &Value) -> Value {
    let Value::Object(tables) = writes else {
        return normalize(writes.clone());
    };
    let mut out = serde_json::Map::new();
    for (name, rows) in tables {
        out.insert(
            name.clone(),
            sorted(rows.as_array().cloned().unwrap_or_default()),
        );
    }
    normalize(Value::Object(out))
}

fn sorted(mut rows: Vec<Value>) -> Value {
    let mut rows: Vec<Value> = rows.drain(..).map(normalize).collect();
    rows.sort_by_key(|r| r.to_string());
    Value::Array(rows)
}

fn normalize(value: Value) -> Value {
    match value {
        Value::Number(n) => serde_json::json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.into_iter().map(normalize).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../core/wire/tests/vectors")
}

pub fn vector(name: &str) -> Vec<u8> {
    std::fs::read(vectors_dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

pub fn sidecar(stem: &str) -> Value {
    serde_json::from_slice(&vector(&format!("{stem}.json"))).unwrap()
}

pub fn stems(prefix: &str) -> Vec<String> {
    let mut stems: Vec<String> = std::fs::read_dir(vectors_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix) && n.ends_with(".bin"))
        .map(|n| n.trim_end_matches(".bin").to_owned())
        .collect();
    stems.sort();
    stems
}

/// `POST /api/sensor/` with a body, a content type and optional extra headers.
pub async fn post(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> reqwest::Response {
    let mut request = app.client.post(app.url(path)).body(body);
    if let Some(ct) = content_type {
        request = request.header("Content-Type", ct);
    }
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    request.send().await.unwrap()
}

pub async fn legacy(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    post(app, "/api/sensor/", Some(OCTET), &[], body).await
}

pub async fn generic(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    post(
        app,
        "/api/sensor/",
        Some(OCTET),
        &[("SensorVersion", "2")],
        body,
    )
    .await
}

/// `POST /api/sensor_json/` with `body` as JSON.
pub async fn sensor_json(app: &TestApp, body: &Value) -> reqwest::Response {
    post(
        app,
        "/api/sensor_json/",
        Some("application/json"),
        &[],
        body.to_string().into_bytes(),
    )
    .await
}

/// Status, content type and body of a response.
pub async fn answer(response: reqwest::Response) -> (u16, String, Vec<u8>) {
    let status = response.status().as_u16();
    let ct = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, response.bytes().await.unwrap().to_vec())
}

/// The total number of measurement rows (nothing-stored checks).
pub async fn measurement_rows(app: &TestApp) -> usize {
    count(app, "power_data").await + count(app, "teros_data").await + count(app, "data").await
}

/// A protobuf legacy `power` measurement.
pub fn power_bytes(cell: u32, logger: u32, ts: u32, voltage: f64, current: f64) -> Vec<u8> {
    use ents_wire::proto::{Measurement, MeasurementMetadata, PowerMeasurement, measurement};
    use prost::Message as _;
    Measurement {
        meta: Some(MeasurementMetadata {
            cell_id: cell,
            logger_id: logger,
            ts,
        }),
        measurement: Some(measurement::Measurement::Power(PowerMeasurement {
            voltage,
            current,
        })),
    }
    .encode_to_vec()
}

/// A protobuf `RepeatedSensorMeasurements`, one decimal item per `(cell, ts, type, value)`,
/// each with its own metadata (logger 1).
pub fn generic_bytes(items: &[(u32, u32, i32, f64)]) -> Vec<u8> {
    use ents_wire::proto::{
        Metadata, RepeatedSensorMeasurements, SensorMeasurement, sensor_measurement,
    };
    use prost::Message as _;
    RepeatedSensorMeasurements {
        meta: None,
        r#type: 0,
        measurements: items
            .iter()
            .map(|(cell, ts, t, v)| SensorMeasurement {
                meta: Some(Metadata {
                    cell_id: *cell,
                    logger_id: 1,
                    ts: *ts,
                }),
                r#type: *t,
                idx: 0,
                value: Some(sensor_measurement::Value::Decimal(*v)),
            })
            .collect(),
    }
    .encode_to_vec()
}
