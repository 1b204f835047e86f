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
         INSERT INTO data (id, sensor_id, ts, int_val) VALUES (2, 2, '2024-01-13 20:05:00', 7); \
         SELECT setval(pg_get_serial_sequence('data', 'id'), 100); \
         SELECT setval(pg_get_serial_sequence('power_data', 'id'), 100)",
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

fn results(body: &Value) -> Vec<f64> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["result"].as_f64().unwrap())
        .collect()
}

#[tokio::test]
async fn request_data_expand_select_and_orderby() {
    let app = seeded().await;
    let things = ok(&app, "/Things?$expand=Datastreams,Locations").await;
    let streams = things["value"][0]["Datastreams"].as_array().unwrap();
    assert_eq!(streams.len(), 8);
    assert_eq!(things["value"][0]["Locations"][0]["@iot.id"], 1);
    assert_eq!(things["value"][1]["Datastreams"][0]["@iot.id"], 32);
    let stream = ok(
        &app,
        "/Datastreams(17)?$expand=Thing,Sensor,ObservedProperty",
    )
    .await;
    assert_eq!(stream["Thing"]["name"], "c1");
    assert_eq!(stream["Sensor"]["name"], "power");
    assert_eq!(stream["ObservedProperty"]["name"], "voltage");
    // An expanded Observations list is paged like a collection.
    let stream = ok(&app, "/Datastreams(17)?$expand=Observations").await;
    assert_eq!(stream["Observations"].as_array().unwrap().len(), 3);

    let selected = ok(&app, "/Things(1)?$select=name").await;
    assert_eq!(selected, json!({"name": "c1"}));
    let selected = ok(&app, "/Things?$select=id,Datastreams").await;
    let keys: Vec<&String> = selected["value"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{keys:?}"); // @iot.id, @iot.selfLink, the navigation link

    assert_eq!(ids(&ok(&app, "/Things?$orderby=name desc").await), [2, 1]);
    assert_eq!(ids(&ok(&app, "/Things?$orderby=id desc").await), [2, 1]);
    assert_eq!(
        results(
            &ok(
                &app,
                "/Datastreams(17)/Observations?$orderby=phenomenonTime desc"
            )
            .await
        ),
        [3000.0, 2000.0, 1000.0]
    );
    for bad in [
        "/Things?$expand=Observations",
        "/Things?$expand=Datastreams/Observations",
        "/Things?$select=colour",
        "/Things?$orderby=description",
        "/Observations?$orderby=phenomenonTime",
        "/Datastreams(17)/Observations?$orderby=result",
    ] {
        let (status, body) = get(&app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["code"], 400);
    }
}

#[tokio::test]
async fn request_data_filter_comparison_and_logical_operators() {
    let app = seeded().await;
    let cases: [(&str, Vec<i64>); 6] = [
        ("/Things?$filter=name eq 'c2'", vec![2]),
        ("/Things?$filter=id ne 2", vec![1]),
        ("/Things?$filter=not (name eq 'c2') or id ge 2", vec![1, 2]),
        (
            "/Datastreams?$filter=id gt 20 and id le 23",
            vec![21, 22, 23],
        ),
        ("/Sensors?$filter=name eq 'power'", vec![1]),
        (
            "/Datastreams?$filter=phenomenonTime ge 2024-01-13T20:05:00Z",
            vec![SENSOR1, 32],
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(ids(&ok(&app, path).await), expected, "{path}");
    }
    // Observations: the filter runs in SQL.
    let obs = "/Datastreams(17)/Observations";
    for (filter, expected) in [
        ("result gt 1500", vec![2000.0, 3000.0]),
        ("result ge 1000 and result lt 3000", vec![1000.0, 2000.0]),
        (
            "phenomenonTime gt 2024-01-13T20:00:00Z and phenomenonTime le 2024-01-13T20:01:00Z",
            vec![2000.0],
        ),
        ("resultTime eq null", vec![2000.0, 3000.0]),
        ("resultTime ne 2024-01-13T20:00:05Z", vec![2000.0, 3000.0]),
        (
            "not (result eq 2000) or result eq 2000",
            vec![1000.0, 2000.0, 3000.0],
        ),
        ("1500 gt result", vec![1000.0]),
    ] {
        let body = ok(&app, &format!("{obs}?$filter={filter}&$count=true")).await;
        assert_eq!(results(&body), expected, "{filter}");
        assert_eq!(body["@iot.count"], expected.len(), "{filter}");
    }
    let first = ok(&app, obs).await["value"][0]["@iot.id"].as_i64().unwrap();
    assert_eq!(
        results(&ok(&app, &format!("{obs}?$filter=id eq {first}")).await),
        [1000.0]
    );
    for bad in [
        "/Things?$filter=substringof('c', name)",
        "/Things?$filter=name eq 1",
        "/Things?$filter=description eq 'x'",
        "/Observations?$filter=result add 1 gt 2",
        "/Observations?$filter=result gt",
        "/Observations?$filter=phenomenonTime gt 'yesterday'",
    ] {
        let (status, body) = get(&app, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("$filter"),
            "{body}"
        );
    }
}

/// Follows `@iot.nextLink` from `path` to the end; every page's values.
async fn all_pages(app: &TestApp, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut next = Some(format!("{}{BASE}{path}", app.address));
    while let Some(url) = next {
        let r = app.client.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let body: Value = r.json().await.unwrap();
        out.extend(body["value"].as_array().unwrap().iter().cloned());
        next = body["@iot.nextLink"].as_str().map(str::to_owned);
    }
    out
}

#[tokio::test]
async fn request_data_next_links_page_a_large_series_by_keyset_while_rows_arrive() {
    let app = seeded().await;
    // 2500 one-minute rows of a sensor, and one stored later between two of them.
    sql(
        &app,
        "INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (10, 2, 'Pressure', 'float', 'kPa', 'MS5803'); \
         INSERT INTO data (sensor_id, ts, float_val) \
           SELECT 10, timestamp '2024-02-01' + i * interval '1 minute', i \
           FROM generate_series(1, 2500) i; \
         INSERT INTO data (sensor_id, ts, float_val) VALUES (10, '2024-02-01 00:10:30', 10.5)",
    )
    .await;
    let stream = 10 * 16;
    let path = format!("/Datastreams({stream})/Observations?$top=700&$count=true");
    let first: Value = ok(&app, &path).await;
    assert_eq!(first["@iot.count"], 2501);
    // Rows arriving before the current position (an old backlog) and after it, mid-paging.
    sql(
        &app,
        "INSERT INTO data (sensor_id, ts, float_val) VALUES \
           (10, '2024-01-01', -1), (10, '2024-03-01', 9999)",
    )
    .await;
    let mut values = first["value"].as_array().unwrap().clone();
    let next = first["@iot.nextLink"].as_str().unwrap();
    let rest = all_pages(
        &app,
        next.strip_prefix(&format!("{}{BASE}", app.address))
            .unwrap(),
    )
    .await;
    values.extend(rest);
    let got: Vec<f64> = values
        .iter()
        .map(|o| o["result"].as_f64().unwrap())
        .collect();
    let mut expected: Vec<f64> = (1..=2500).map(f64::from).collect();
    expected.insert(10, 10.5); // in time order, not insertion order
    expected.push(9999.0); // the late row after the cursor is seen; the old one is not
    assert_eq!(got.len(), expected.len());
    assert_eq!(got, expected);
    let ids: std::collections::HashSet<i64> = values
        .iter()
        .map(|o| o["@iot.id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), values.len(), "every row once");
    // Paging by $skip (offset) reaches the same rows.
    let skipped = ok(
        &app,
        &format!("/Datastreams({stream})/Observations?$skip=2500&$top=5"),
    )
    .await;
    assert_eq!(results(&skipped), [2499.0, 2500.0, 9999.0]);
    // A bad token is an STA error, not a 500.
    let (status, _) = get(
        &app,
        &format!("/Datastreams({stream})/Observations?$skiptoken=x"),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn private_mode_shows_owners_and_members_their_cells_and_anonymous_callers_nothing() {
    let app = TestApp::spawn_with(|s| s.access.public_read = false).await;
    let owner = crate::common::identity::seed_user(&app, None).await;
    let member = crate::common::identity::seed_user(&app, None).await;
    let stranger = crate::common::identity::seed_user(&app, None).await;
    sql(
        &app,
        &format!(
            "INSERT INTO cell (id, name, user_id) VALUES (1, 'mine', '{}'), (2, 'other', NULL); \
             INSERT INTO cell_user VALUES (1, '{}'); \
             INSERT INTO power_data (cell_id, ts, voltage, current) VALUES \
               (1, '2024-01-01', 1, 1), (2, '2024-01-01', 1, 1)",
            owner.id, member.id
        ),
    )
    .await;
    let as_user = |uid: uuid::Uuid, path: &str| {
        let request = app
            .client
            .get(app.url(&format!("{BASE}{path}")))
            .header("Authorization", crate::common::identity::bearer(uid));
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(ids(&as_user(owner.id, "/Things").await), [1]);
    assert_eq!(ids(&as_user(member.id, "/Things").await), [1]);
    assert_eq!(ids(&as_user(member.id, "/Datastreams").await), [17, 18, 19]);
    assert_eq!(
        ids(&as_user(stranger.id, "/Things").await),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&ok(&app, "/Things").await), Vec::<i64>::new());
    assert_eq!(ids(&ok(&app, "/Observations").await), Vec::<i64>::new());
    assert_eq!(get(&app, "/Things(1)").await.0, 404);
    assert_eq!(get(&app, "/Datastreams(17)/Observations").await.0, 404);
    // Another cell's Observation by id is not visible to the member.
    let other = ok(&app, "/").await; // root stays public: it lists no data
    assert!(other["value"].is_array());
    let obs = as_user(owner.id, "/Datastreams(17)/Observations").await;
    let id = obs["value"][0]["@iot.id"].as_i64().unwrap();
    assert_eq!(
        as_user(stranger.id, &format!("/Observations({id})")).await["code"],
        404
    );
}

#[tokio::test]
async fn sta_enabled_false_serves_nothing_under_the_prefix() {
    let app = TestApp::spawn_with(|s| {
        s.sta.enabled = false;
    })
    .await;
    assert_eq!(app.get(&format!("{BASE}/Things")).await.status(), 404);
    let document: serde_json::Value = app.get("/api/openapi.json").await.json().await.unwrap();
    assert!(
        document["paths"].get(format!("{BASE}/")).is_none(),
        "not advertised"
    );
    let moved = TestApp::spawn_with(|s| s.sta.prefix = "/open/sta".into()).await;
    assert_eq!(moved.get("/open/sta/Things").await.status(), 200);
    // The document and the 405 answers follow the prefix.
    let document: serde_json::Value = moved.get("/api/openapi.json").await.json().await.unwrap();
    assert!(document["paths"].get("/open/sta/{entitySet}").is_some());
    let post = moved
        .client
        .post(moved.url("/open/sta/Things"))
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 405);
}
