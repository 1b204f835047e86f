//! The data reads over real HTTP (docs/compatibility.md#reading-data): shapes and key order,
//! units, VWC normalised once, EC rounded, numbers not strings, time order, RFC 1123 dates,
//! parameter validation, availability, catalog, cell sensors and equation validation.
//! Rows are inserted with SQL: these tests do not depend on the ingestion routes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use ents_runtime::testing::TestApp;
use serde_json::{Value, json};

async fn sql(app: &TestApp, statements: &str) {
    let mut conn = AsyncPgConnection::establish(app.db.url()).await.unwrap();
    conn.batch_execute(statements).await.unwrap();
}

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    sql(
        &app,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'), (2, 'c2'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now()); \
         INSERT INTO power_data (cell_id, logger_id, ts, voltage, current, ts_server) VALUES \
           (1, 1, '2024-01-15 08:00:00', 1, 2, '2024-02-01 00:00:00'), \
           (1, 1, '2024-01-13 20:02:42', 1, 2, '2024-02-03 00:00:00'), \
           (1, 1, '2024-01-14 21:09:50', 1, 2, '2024-02-02 00:00:00'); \
         INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) VALUES \
           (1, '2024-01-13 20:00:00', 0.4, 2, 3, 4), (1, '2024-01-13 20:03:00', 40, 2, 3, 5), \
           (1, '2024-01-13 21:00:00', 1.0, 2, 3, NULL); \
         INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (1, 1, 'Voltage', 'int', 'mV', 'POWER_VOLTAGE'), (2, 1, 'Humidity', 'float', '%', 'SEN0308_HUMIDITY'), \
           (3, 1, 'Note', 'text', NULL, 'notes'); \
         INSERT INTO data (sensor_id, ts, int_val) VALUES \
           (1, '2024-01-13 20:10:00', 2), (1, '2024-01-13 20:05:00', 1); \
         INSERT INTO data (sensor_id, ts, text_val) VALUES (3, '2024-01-13 20:05:00', 'hi')",
    )
    .await;
    app
}

const RANGE: &str =
    "startTime=Sat,%2013%20Jan%202024%2000:00:00%20GMT&endTime=Mon,+15+Jan+2024+23:00:00+GMT";

async fn body(app: &TestApp, path: &str) -> (u16, String) {
    let r = app.get(path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn power_rows_are_sorted_in_upstream_units_with_sorted_keys() {
    let app = seeded().await;
    let (status, text) = body(&app, &format!("/api/power/1?{RANGE}&resample=none")).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        text,
        "{\"i\":[2000000.0,2000000.0,2000000.0],\"p\":[2000000.0,2000000.0,2000000.0],\
         \"timestamp\":[\"Sat, 13 Jan 2024 20:02:42 GMT\",\"Sun, 14 Jan 2024 21:09:50 GMT\",\
         \"Mon, 15 Jan 2024 08:00:00 GMT\"],\"v\":[1000.0,1000.0,1000.0]}\n"
    );
    // `?cellId=` on the root form (upstream's README) reads the same series.
    let (status, by_query) =
        body(&app, &format!("/api/power/?cellId=1&{RANGE}&resample=none")).await;
    assert_eq!((status, by_query), (200, text));
    let (_, teros_path) = body(&app, &format!("/api/teros/1?{RANGE}")).await;
    let (_, teros_query) = body(&app, &format!("/api/teros/?cellId=1&{RANGE}")).await;
    assert_eq!(teros_query, teros_path);
    assert!(teros_path.contains("vwc_unit"));
    let (status, _) = body(&app, "/api/power/?cellId=x").await;
    assert_eq!(status, 400);
    // The default resample is hour; buckets are labelled by their start.
    let v: Value =
        serde_json::from_str(&body(&app, &format!("/api/power/1?{RANGE}")).await.1).unwrap();
    assert_eq!(v["timestamp"][0], "Sat, 13 Jan 2024 20:00:00 GMT");
    // stream: server receive time, in that order.
    let v: Value = serde_json::from_str(
        &body(&app, &format!("/api/power/1?{RANGE}&stream=True"))
            .await
            .1,
    )
    .unwrap();
    assert_eq!(
        v["timestamp"],
        json!([
            "Thu, 01 Feb 2024 00:00:00 GMT",
            "Fri, 02 Feb 2024 00:00:00 GMT",
            "Sat, 03 Feb 2024 00:00:00 GMT"
        ])
    );
    // ISO 8601 is accepted too; /api/power/ is cell 0: empty.
    let (status, _) = body(
        &app,
        "/api/power/1?startTime=2024-01-13T00:00:00Z&endTime=2024-01-16T00:00:00Z",
    )
    .await;
    assert_eq!(status, 200);
    let (_, text) = body(&app, &format!("/api/power/?{RANGE}")).await;
    assert_eq!(text, "{\"i\":[],\"p\":[],\"timestamp\":[],\"v\":[]}\n");
}

#[tokio::test]
async fn teros_normalises_vwc_once_and_rounds_ec() {
    let app = seeded().await;
    let v: Value = serde_json::from_str(
        &body(&app, &format!("/api/teros/1?{RANGE}&resample=hour"))
            .await
            .1,
    )
    .unwrap();
    assert_eq!(v["vwc"], json!([40.0, 100.0]));
    assert_eq!(v["ec"], json!([5, null])); // mean 4.5 rounds to 5 (upstream truncated to 4)
    assert_eq!(v["vwc_unit"], "%");
    assert_eq!(v["raw_vwc_unit"], "raw");
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "ec",
            "raw_vwc",
            "raw_vwc_unit",
            "temp",
            "timestamp",
            "vwc",
            "vwc_unit"
        ]
    );
    let v: Value = serde_json::from_str(
        &body(&app, &format!("/api/teros/1?{RANGE}&resample=none"))
            .await
            .1,
    )
    .unwrap();
    assert_eq!(v["vwc"], json!([40.0, 40.0, 100.0]));
    assert_eq!(v["ec"], json!([4, 5, null]));
}

#[tokio::test]
async fn sensor_values_are_numbers_in_time_order() {
    let app = seeded().await;
    let path = |extra: &str| {
        format!("/api/sensor/?cellId=1&name=POWER_VOLTAGE&measurement=Voltage&{RANGE}{extra}")
    };
    let (status, text) = body(&app, &path("&resample=none")).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        text,
        "{\"data\":[1,2],\"measurement\":\"Voltage\",\"timestamp\":[\"Sat, 13 Jan 2024 20:05:00 GMT\",\
         \"Sat, 13 Jan 2024 20:10:00 GMT\"],\"type\":\"int\",\"unit\":\"mV\"}\n"
    );
    // Averages of int sensors are JSON numbers (D-47), with opt-in statistics.
    let v: Value = serde_json::from_str(&body(&app, &path("&stats=yes")).await.1).unwrap();
    assert_eq!(v["data"], json!([1.5]));
    assert_eq!(
        v["stats"]["data"],
        json!({"count": [2], "max": [2.0], "mean": [1.5], "min": [1.0]})
    );
    // stream: generic sensors are labelled and ordered by the device time (D-48), whatever
    // the server receive time says.
    sql(
        &app,
        "UPDATE data SET ts_server = timestamp '2024-03-01' - int_val * interval '1 day' \
         WHERE sensor_id = 1",
    )
    .await;
    let v: Value = serde_json::from_str(&body(&app, &path("&stream=true")).await.1).unwrap();
    assert_eq!(v["data"], json!([1, 2]));
    assert_eq!(
        v["timestamp"],
        json!([
            "Sat, 13 Jan 2024 20:05:00 GMT",
            "Sat, 13 Jan 2024 20:10:00 GMT"
        ])
    );
    // The twin route, an unknown sensor, a text sensor.
    let (_, twin) = body(
        &app,
        &path("&resample=none").replace("/api/sensor/", "/api/sensor_json/"),
    )
    .await;
    assert_eq!(twin, text);
    let (_, unknown) = body(
        &app,
        &format!("/api/sensor/?cellId=1&name=x&measurement=y&{RANGE}"),
    )
    .await;
    assert_eq!(
        unknown,
        "{\"data\":[],\"measurement\":\"\",\"timestamp\":[],\"type\":\"\",\"unit\":\"\"}\n"
    );
    let v: Value = serde_json::from_str(
        &body(
            &app,
            &format!("/api/sensor/?cellId=1&name=notes&measurement=Note&{RANGE}"),
        )
        .await
        .1,
    )
    .unwrap();
    assert_eq!(v["data"], json!(["hi"]));
}

#[tokio::test]
async fn bad_parameters_are_400_naming_the_field() {
    let app = seeded().await;
    for (path, field) in [
        (format!("/api/power/1?{RANGE}&resample=year"), "resample"),
        (format!("/api/teros/1?{RANGE}&stream=maybe"), "stream"),
        ("/api/power/1?startTime=yesterday".to_owned(), "startTime"),
        (
            format!("/api/sensor/?name=a&measurement=b&{RANGE}"),
            "cellId",
        ),
        (
            format!("/api/sensor/?cellId=x&name=a&measurement=b&{RANGE}"),
            "cellId",
        ),
        (
            format!("/api/sensor/?cellId=1&measurement=b&{RANGE}"),
            "name",
        ),
    ] {
        let r = app.get(&path).await;
        assert_eq!(r.status().as_u16(), 400, "{path}");
        let v: Value = r.json().await.unwrap();
        assert!(v["errors"][field].is_array(), "{path}: {v}");
    }
    // Missing times default to the last 30 days; unknown parameters are ignored.
    let (status, _) = body(&app, "/api/power/1?cellId=1").await;
    assert_eq!(status, 200);
    assert_eq!(app.get("/api/power/+1").await.status().as_u16(), 404);
}

#[tokio::test]
async fn availability_catalog_and_cell_sensors_follow_upstream() {
    let app = seeded().await;
    for (query, message) in [
        ("", "cell_ids parameter is required"),
        ("?cell_ids=invalid", "Invalid cell_ids format"),
        ("?cell_ids=", "At least one valid cell_id is required"),
    ] {
        let r = app.get(&format!("/api/data-availability/{query}")).await;
        assert_eq!(r.status().as_u16(), 400);
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({ "error": message })
        );
    }
    let v: Value = app
        .get("/api/data-availability/?cell_ids=1,%202")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        v,
        json!({"latest_timestamp": "2024-01-15T08:00:00", "earliest_timestamp": "2024-01-13T20:00:00",
               "has_recent_data": false, "message": "success"})
    );
    let v: Value = app
        .get("/api/data-availability/?cell_ids=2")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["message"], "No data found for specified cells");

    let r = app.get("/api/catalog/sensors").await;
    assert_eq!(r.status().as_u16(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"error": "cell_id parameter is required"})
    );
    let v: Value = app
        .get("/api/catalog/sensors?cell_id=1")
        .await
        .json()
        .await
        .unwrap();
    let panels: Vec<&str> = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["panel_id"].as_str().unwrap())
        .collect();
    // Sensor 2 has no data rows: not offered. Sensors by name in the database's collation
    // (upstream's rule; the dashboard re-sorts).
    assert_eq!(&panels[..4], ["power-vi", "power-p", "teros", "temp"]);
    let mut sensors = panels[4..].to_vec();
    sensors.sort_unstable();
    assert_eq!(sensors, ["s:1", "s:3"]);
    let voltage = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["panel_id"] == "s:1")
        .unwrap();
    assert_eq!(voltage["description"], "POWER_VOLTAGE · Voltage · mV");

    let v: Value = app.get("/api/cell/1/sensors").await.json().await.unwrap();
    assert_eq!(
        v[0],
        json!({"id": 1, "cell_id": 1, "measurement": "Voltage", "data_type": "int", "unit": "mV", "name": "POWER_VOLTAGE"})
    );
    assert_eq!(v.as_array().unwrap().len(), 3);
    assert_eq!(app.get("/api/cell/99/sensors").await.status().as_u16(), 404);
}

#[tokio::test]
async fn equations_are_validated_with_upstream_messages() {
    let app = TestApp::spawn().await;
    let post = |body: Value| {
        let client = app.client.clone();
        let url = app.url("/api/equations/validate");
        async move { client.post(url).json(&body).send().await.unwrap() }
    };
    let r =
        post(json!({"expression": " 10:vwc + 9:vwc + 2:temp ", "cell_ids": [10, "9", 2]})).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"ok": true, "refs": ["10:vwc", "2:temp", "9:vwc"], "expression": "10:vwc + 9:vwc + 2:temp"})
    );
    for (body, message) in [
        (
            json!({"expression": "eval(1)", "cell_ids": [1]}),
            "Use cell:stream tokens like 1:vwc (not bare names)",
        ),
        (
            json!({"expression": "2:vwc / 2:temp", "cell_ids": [1]}),
            "Reference 2:temp uses cell 2 which is not selected",
        ),
        (
            json!({"expression": "1:vwc", "cell_ids": "1"}),
            "cell_ids must be an array of integers",
        ),
        (json!({}), "Expression is required"),
        (json!({"expression": "(1"}), "Missing closing parenthesis"),
    ] {
        let r = post(body.clone()).await;
        assert_eq!(r.status().as_u16(), 400, "{body}");
        assert_eq!(
            r.json::<Value>().await.unwrap(),
            json!({ "error": message }),
            "{body}"
        );
    }
}
