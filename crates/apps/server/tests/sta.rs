//! The read-only SensorThings API over real HTTP (docs/sensorthings.md). Tests are named
//! after the OGC STA 1.1 Part 1 Abstract Test Suite classes the root document claims:
//! `datamodel`, `resource_path` (resource-path-to-entities) and `request_data` (query
//! options and `$filter`). Rows are inserted with SQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use ents_runtime::testing::TestApp;
use serde_json::{Value, json};

use crate::common::identity::sql;

const BASE: &str = "/sta/v1.1";

/// Datastream ids: `key * 16 + slot` (ents_domain::sta::ids).
const CELL1_VOLTAGE: i64 = 16 + 1;
const CELL1_VWC: i64 = 16 + 4;
const SENSOR1: i64 = 16;

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    sql(
        &app,
        "INSERT INTO cell (id, name, location, latitude, longitude, archive) VALUES \
           (1, 'c1', 'Field A', 36.9, -122.0, false), (2, 'c2', NULL, NULL, NULL, true); \
         INSERT INTO tag (id, name) VALUES (1, 'soil'); INSERT INTO cell_tag VALUES (1, 1); \
         INSERT INTO power_data (id, cell_id, ts, voltage, current, ts_server) VALUES \
           (1, 1, '2024-01-13 20:00:00', 1, 2, '2024-01-13 20:00:05'), \
           (2, 1, '2024-01-13 20:01:00', 2, 2, NULL), \
           (3, 1, '2024-01-13 20:02:00', 3, NULL, NULL); \
         INSERT INTO teros_data (id, cell_id, ts, vwc, raw_vwc, temp, ec) VALUES \
           (1, 1, '2024-01-13 20:00:00', 0.4, 2, 3, 4); \
         INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (1, 1, 'Humidity', 'float', '%', 'SEN0308'), (2, 2, 'Humidity', 'int', '%', 'BME280'), \
           (3, 1, 'Note', 'text', NULL, 'notes'); \
         INSERT INTO data (id, sensor_id, ts, float_val) VALUES (1, 1, '2024-01-13 20:05:00', 55.5); \
         INSERT INTO data (id, sensor_id, ts, int_val) VALUES (2, 2, '2024-01-13 20:05:00', 7)",
    )
    .await;
    app
}

async fn get(app: &TestApp, path: &str) -> (u16, Value) {
    let r = app.get(&format!("{BASE}{path}")).await;
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    let body = serde_json::from_str(&text);
    (status, body.unwrap_or(Value::String(text)))
}

async fn ok(app: &TestApp, path: &str) -> Value {
    let (status, body) = get(app, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

fn ids(body: &Value) -> Vec<i64> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["@iot.id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn datamodel_root_document_lists_the_sets_and_the_claimed_classes() {
    let app = seeded().await;
    let root = ok(&app, "/").await;
    let names: Vec<&str> = root["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 8);
    assert!(names.contains(&"Things") && names.contains(&"FeaturesOfInterest"));
    assert_eq!(
        root["value"][0]["url"],
        format!("{}{BASE}/Things", app.address)
    );
    let classes = root["serverSettings"]["conformance"].as_array().unwrap();
    assert!(classes.contains(&json!(
        "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data"
    )));
    // The root without its slash redirects to it (the fallback's 308, as everywhere).
    assert_eq!(get(&app, "").await.0, 308);
}

#[tokio::test]
async fn datamodel_entities_map_cells_series_and_rows() {
    let app = seeded().await;
    let thing = ok(&app, "/Things(1)").await;
    assert_eq!(thing["name"], "c1");
    assert_eq!(thing["description"], "Field A");
    assert_eq!(thing["properties"]["tags"], json!(["soil"]));
    assert_eq!(
        thing["@iot.selfLink"],
        format!("{}{BASE}/Things(1)", app.address)
    );
    assert_eq!(
        thing["Datastreams@iot.navigationLink"],
        format!("{}{BASE}/Things(1)/Datastreams", app.address)
    );
    let location = ok(&app, "/Locations(1)").await;
    assert_eq!(
        location["location"],
        json!({"type": "Point", "coordinates": [-122.0, 36.9]})
    );
    // Cell 2 has no coordinates: no Location.
    assert_eq!(ids(&ok(&app, "/Locations").await), [1]);
    assert_eq!(
        ids(&ok(&app, "/HistoricalLocations").await),
        Vec::<i64>::new()
    );

    // Power (3) + TEROS (4) of cell 1, sensor 1 of cell 1, sensor 2 of cell 2; never the
    // text sensor.
    let streams = ok(&app, "/Datastreams").await;
    assert_eq!(ids(&streams), [SENSOR1, 17, 18, 19, 20, 21, 22, 23, 32]);
    let voltage = ok(&app, &format!("/Datastreams({CELL1_VOLTAGE})")).await;
    assert_eq!(voltage["unitOfMeasurement"]["symbol"], "mV");
    assert_eq!(
        voltage["phenomenonTime"],
        "2024-01-13T20:00:00.000Z/2024-01-13T20:02:00.000Z"
    );
    assert!(
        voltage["observationType"]
            .as_str()
            .unwrap()
            .ends_with("OM_Measurement")
    );
    // Sensors and ObservedProperties are shared between series.
    assert_eq!(ids(&ok(&app, "/Sensors").await), [1, 2, SENSOR1, 32]);
    let properties = ok(&app, "/ObservedProperties").await;
    assert_eq!(ids(&properties), [1, 2, 3, 4, 5, 6, 7, SENSOR1]);
    assert_eq!(
        ids(&ok(&app, &format!("/ObservedProperties({SENSOR1})/Datastreams")).await),
        [SENSOR1, 32]
    );

    // Observations: values in the series API's units, times in UTC.
    let obs = ok(&app, &format!("/Datastreams({CELL1_VOLTAGE})/Observations")).await;
    let results: Vec<f64> = obs["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["result"].as_f64().unwrap())
        .collect();
    assert_eq!(results, [1000.0, 2000.0, 3000.0]);
    assert_eq!(
        obs["value"][0]["phenomenonTime"],
        "2024-01-13T20:00:00.000Z"
    );
    assert_eq!(obs["value"][0]["resultTime"], "2024-01-13T20:00:05.000Z");
    assert_eq!(obs["value"][1]["resultTime"], Value::Null);
    // Row 3 has no current: two current Observations.
    let current = ok(&app, "/Datastreams(18)/Observations").await;
    assert_eq!(current["value"].as_array().unwrap().len(), 2);
    let vwc = ok(&app, &format!("/Datastreams({CELL1_VWC})/Observations")).await;
    assert_eq!(vwc["value"][0]["result"], 40.0);
}

#[tokio::test]
async fn resource_path_entities_navigation_properties_and_values() {
    let app = seeded().await;
    let obs = ok(&app, &format!("/Datastreams({CELL1_VOLTAGE})/Observations")).await;
    let first = obs["value"][0]["@iot.id"].as_i64().unwrap();
    let one = ok(&app, &format!("/Observations({first})")).await;
    assert_eq!(one["result"], 1000.0);
    assert_eq!(
        ok(&app, &format!("/Observations({first})/Datastream")).await["@iot.id"],
        CELL1_VOLTAGE
    );
    assert_eq!(
        ok(&app, &format!("/Observations({first})/FeatureOfInterest")).await["@iot.id"],
        1
    );
    assert_eq!(
        ids(&ok(&app, "/FeaturesOfInterest(1)/Observations?$top=1000").await).len(),
        3 + 2 + 2 + 4 + 1 // row 3 has no current, hence no power
    );
    assert_eq!(
        ok(&app, &format!("/Datastreams({CELL1_VOLTAGE})/Thing")).await["name"],
        "c1"
    );
    assert_eq!(ok(&app, "/Datastreams(17)/Sensor").await["name"], "power");
    assert_eq!(
        ok(&app, "/Things(1)/Locations").await["value"][0]["@iot.id"],
        1
    );
    assert_eq!(
        ok(&app, "/Locations(1)/Things").await["value"][0]["@iot.id"],
        1
    );
    assert_eq!(ok(&app, "/Things(1)/name").await, json!({"name": "c1"}));
    assert_eq!(ok(&app, "/Things(1)/name/$value").await, json!("c1"));

    // Errors: STA-shaped, with the right status.
    for (path, status) in [
        ("/Things(99)", 404),
        ("/Observations(999999)", 404),
        ("/Observations(-5)", 404),
        ("/Widgets", 404),
        ("/Things(1)/Widgets", 404),
        ("/Things(abc)", 400),
    ] {
        let (got, body) = get(&app, path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["code"], status, "{path}: {body}");
        assert_eq!(body["type"], "error");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn request_data_top_skip_count_and_next_links() {
    let app = seeded().await;
    let page = ok(&app, "/Datastreams?$top=4&$count=true").await;
    assert_eq!(page["@iot.count"], 9);
    assert_eq!(ids(&page), [SENSOR1, 17, 18, 19]);
    let mut next = page["@iot.nextLink"].as_str().unwrap().to_owned();
    let mut all = ids(&page);
    while !next.is_empty() {
        let path = next
            .strip_prefix(&format!("{}{BASE}", app.address))
            .unwrap();
        let page = ok(&app, path).await;
        all.extend(ids(&page));
        next = page["@iot.nextLink"].as_str().unwrap_or("").to_owned();
    }
    assert_eq!(all, ids(&ok(&app, "/Datastreams").await));
    assert_eq!(ids(&ok(&app, "/Datastreams?$skip=7").await), [23, 32]);
    assert_eq!(
        ok(&app, "/Things?$top=0&$count=true").await,
        json!({"@iot.count": 2, "value": []})
    );
    for bad in [
        "$top=1001",
        "$top=-1",
        "$skip=x",
        "$count=maybe",
        "$nonsense=1",
    ] {
        let (status, body) = get(&app, &format!("/Things?{bad}")).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["type"], "error");
    }
}
