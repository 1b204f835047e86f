//! CSV imports over HTTP (`POST /api/cells/<id>/imports`, docs/import-export.md#over-http)
//! on real PostgreSQL: jobs in-process, and once through RabbitMQ with a separate worker.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::time::Duration;

use common::identity::{bearer, seed_user, sql};
use ents_runtime::testing::TestApp;
use ents_test_support::{amqp_url, unique_name};
use secrecy::SecretString;
use serde_json::Value;

const HEADER: &str = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n";

/// Four rows: power (voltage + current), one TEROS (vwc + temp), two generic values; line 5
/// is bad (its time does not parse).
const EXPORT_BODY: &str = "9,elsewhere,power,power,voltage,mV,2024-01-01T10:00:00Z,1000\n\
    9,elsewhere,power,power,current,µA,2024-01-01T10:00:00Z,2000\n\
    9,elsewhere,power,power,power,µW,2024-01-01T10:00:00Z,2000\n\
    9,elsewhere,sensor,bme280,pressure,kPa,yesterday,100\n\
    9,elsewhere,teros,teros12,vwc,%,2024-01-02T00:00:00Z,25\n\
    9,elsewhere,teros,teros12,temp,°C,2024-01-02T00:00:00Z,21.5\n\
    9,elsewhere,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100\n\
    9,elsewhere,sensor,bme280,pressure,kPa,2024-01-01T05:50:00Z,101\n";

fn export_csv() -> String {
    format!("{HEADER}{EXPORT_BODY}")
}

/// An owner with a cell (id 1), and a stranger.
struct Fixture {
    app: TestApp,
    owner: String,
    stranger: String,
}

async fn fixture(customise: impl FnOnce(&mut ents_config::Settings)) -> Fixture {
    let app = TestApp::spawn_with(customise).await;
    let owner = seed_user(&app, None).await;
    let stranger = seed_user(&app, None).await;
    sql(
        &app,
        &format!(
            "INSERT INTO cell (id, name, user_id) VALUES (1, 'c1', '{}'); \
             SELECT setval('cell_id_seq', 1)",
            owner.id
        ),
    )
    .await;
    Fixture {
        app,
        owner: bearer(owner.id),
        stranger: bearer(stranger.id),
    }
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    auth: Option<&str>,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut request = app
        .client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, auth: &str) -> reqwest::Response {
    app.client
        .get(app.url(path))
        .header("authorization", auth)
        .send()
        .await
        .unwrap()
}

/// Polls the import until it is finished; its last status.
async fn finished(app: &TestApp, location: &str, auth: &str) -> Value {
    for _ in 0..1200 {
        let status: Value = get(app, location, auth).await.json().await.unwrap();
        if matches!(status["state"].as_str(), Some("succeeded" | "failed")) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("import {location} did not finish");
}

/// Posts `body` as `text/csv` into cell 1 and waits for the job; its final status.
async fn import(f: &Fixture, body: &str) -> Value {
    let response = post_raw(
        &f.app,
        "/api/cells/1/imports",
        Some(&f.owner),
        "text/csv",
        body.to_owned(),
    )
    .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/cells/1/imports/{}", created["id"].as_str().unwrap())
    );
    finished(&f.app, &location, &f.owner).await
}

async fn count(app: &TestApp, query: &str) -> i64 {
    let db = common::registry::pg(app).await;
    db.query_one(query, &[]).await.unwrap().get(0)
}

async fn stored_rows(app: &TestApp) -> (i64, i64, i64) {
    (
        count(app, "SELECT count(*) FROM power_data WHERE cell_id = 1").await,
        count(app, "SELECT count(*) FROM teros_data WHERE cell_id = 1").await,
        count(
            app,
            "SELECT count(*) FROM data d JOIN sensor s ON s.id = d.sensor_id WHERE s.cell_id = 1",
        )
        .await,
    )
}

#[tokio::test]
async fn an_uploaded_export_csv_is_stored_in_the_cell_with_its_error_report() {
    let f = fixture(|_| {}).await;
    let status = import(&f, &export_csv()).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["format"], "csv");
    assert_eq!(status["progress"], 1.0);
    let summary = &status["summary"];
    assert_eq!(summary["read"], 8, "{summary}");
    assert_eq!(summary["rows"], 4, "{summary}");
    assert_eq!(summary["stored"], 4, "{summary}");
    assert_eq!(summary["duplicates"], 0);
    assert_eq!(summary["bad_lines"], 1);
    assert_eq!(summary["per_kind"]["power"], 1);
    assert_eq!(summary["per_kind"]["teros"], 1);
    assert_eq!(summary["per_kind"]["sensor/bme280/pressure"], 2);
    // Every row went to the cell of the path (the file says cell 9).
    assert_eq!(stored_rows(&f.app).await, (1, 1, 2));
    let voltage: f64 = common::registry::pg(&f.app)
        .await
        .query_one("SELECT voltage FROM power_data WHERE cell_id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert!((voltage - 1.0).abs() < 1e-12, "{voltage}");

    // The error report names the bad line (the header is line 1).
    let errors = status["errors"].as_str().unwrap();
    let response = get(&f.app, errors, &f.owner).await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(
        response.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("attachment")
    );
    let report = response.text().await.unwrap();
    let lines: Vec<&str> = report.lines().collect();
    assert_eq!(lines.len(), 2, "{report}");
    assert_eq!(lines[0], "line,reason");
    assert!(lines[1].starts_with("5,"), "{report}");
    assert!(lines[1].contains("timestamp"), "{report}");
}

#[tokio::test]
async fn posting_the_same_file_again_stores_nothing_twice() {
    let f = fixture(|_| {}).await;
    let first = import(&f, &export_csv()).await;
    assert_eq!(first["summary"]["stored"], 4, "{first}");
    let again = import(&f, &export_csv()).await;
    assert_eq!(again["state"], "succeeded", "{again}");
    assert_eq!(again["summary"]["stored"], 0, "{again}");
    assert_eq!(again["summary"]["duplicates"], 4, "{again}");
    assert_eq!(stored_rows(&f.app).await, (1, 1, 2));
}

#[tokio::test]
async fn a_multipart_upload_of_a_seed_era_csv_is_detected_and_stored() {
    let f = fixture(|_| {}).await;
    let csv = "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n\
        2024-01-01 10:00:00,void,void,void,void,2000.0,void,void,void,void,void,void\n\
        2024-01-01 10:30:00,30.0,20.0,118,1999.0,1000.0,2000.0,2000.0,0.25,voltage,V,float\n";
    let body = format!(
        "--B0undary\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nfrom the lab\r\n\
         --B0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"cell.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n--B0undary--\r\n"
    );
    let response = post_raw(
        &f.app,
        "/api/cells/1/imports",
        Some(&f.owner),
        "multipart/form-data; boundary=B0undary",
        body,
    )
    .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let status = finished(&f.app, &location, &f.owner).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["format"], "seed-csv");
    assert_eq!(status["summary"]["stored"], 4, "{status}");
    assert_eq!(status["summary"]["bad_lines"], 0);
    assert_eq!(stored_rows(&f.app).await, (2, 1, 1));
}

#[tokio::test]
async fn bad_requests_are_refused_before_anything_is_queued() {
    let f = fixture(|settings| settings.http.body_limit_bytes = 4096).await;
    let post = async |auth: Option<&str>, content_type: &str, body: String| {
        post_raw(&f.app, "/api/cells/1/imports", auth, content_type, body).await
    };
    // Anonymous: 401; a stranger: 403; an unknown cell: 404.
    let response = post(None, "text/csv", export_csv()).await;
    assert_eq!(response.status(), 401);
    let response = post(Some(&f.stranger), "text/csv", export_csv()).await;
    assert_eq!(response.status(), 403);
    let response = post_raw(
        &f.app,
        "/api/cells/77/imports",
        Some(&f.owner),
        "text/csv",
        export_csv(),
    )
    .await;
    assert_eq!(response.status(), 404);
    // Not CSV: 415.
    let response = post(Some(&f.owner), "application/json", "{}".to_owned()).await;
    assert_eq!(response.status(), 415);
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("text/csv"));
    // Larger than http.body_limit_bytes: 413.
    let big = format!("{HEADER}{}", EXPORT_BODY.repeat(20));
    assert!(big.len() > 4096);
    let response = post(Some(&f.owner), "text/csv", big).await;
    assert_eq!(response.status(), 413);
    // A header of no known layout, an unknown format, a format that does not match: 400.
    let response = post(Some(&f.owner), "text/csv", "a,b\n1,2\n".to_owned()).await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert!(body["errors"]["body"].is_array(), "{body}");
    let response = post_raw(
        &f.app,
        "/api/cells/1/imports?format=xml",
        Some(&f.owner),
        "text/csv",
        export_csv(),
    )
    .await;
    assert_eq!(response.status(), 400);
    let response = post_raw(
        &f.app,
        "/api/cells/1/imports?format=seed-csv",
        Some(&f.owner),
        "text/csv",
        export_csv(),
    )
    .await;
    assert_eq!(response.status(), 400);
    let response = post(Some(&f.owner), "text/csv", String::new()).await;
    assert_eq!(response.status(), 400);
    // A multipart body without a file part: 400.
    let response = post(
        Some(&f.owner),
        "multipart/form-data; boundary=XY",
        "--XY\r\nContent-Disposition: form-data; name=\"n\"\r\n\r\nv\r\n--XY--\r\n".to_owned(),
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(count(&f.app, "SELECT count(*) FROM job").await, 0);
    assert_eq!(count(&f.app, "SELECT count(*) FROM import_upload").await, 0);
}

#[tokio::test]
async fn only_writers_of_the_cell_see_an_import_and_its_report() {
    let f = fixture(|_| {}).await;
    let status = import(&f, &export_csv()).await;
    let id = status["id"].as_str().unwrap();
    let own = format!("/api/cells/1/imports/{id}");
    assert_eq!(get(&f.app, &own, &f.owner).await.status(), 200);
    assert_eq!(get(&f.app, &own, &f.stranger).await.status(), 403);
    let errors = format!("{own}/errors");
    assert_eq!(get(&f.app, &errors, &f.stranger).await.status(), 403);
    // Through another cell of the owner: unknown.
    sql(
        &f.app,
        "INSERT INTO cell (id, name, user_id) SELECT 2, 'c2', user_id FROM cell WHERE id = 1",
    )
    .await;
    let other = format!("/api/cells/2/imports/{id}");
    assert_eq!(get(&f.app, &other, &f.owner).await.status(), 404);
    let unknown = "/api/cells/1/imports/0190a0a0-0000-7000-8000-000000000000";
    assert_eq!(get(&f.app, unknown, &f.owner).await.status(), 404);
    assert_eq!(
        get(&f.app, "/api/cells/1/imports/not-a-uuid", &f.owner)
            .await
            .status(),
        404
    );
    let anonymous = f.app.client.get(f.app.url(&own)).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn with_rabbitmq_a_separate_worker_imports_the_stored_upload() {
    let queue = unique_name("ents_imports");
    let f = fixture(|settings| {
        settings.amqp.url = Some(SecretString::from(amqp_url()));
        settings.amqp.queue = queue.clone();
    })
    .await;
    let response = post_raw(
        &f.app,
        "/api/cells/1/imports",
        Some(&f.owner),
        "text/csv",
        export_csv(),
    )
    .await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    // No worker yet: queued, the body waiting in the database.
    let status: Value = get(&f.app, &location, &f.owner).await.json().await.unwrap();
    assert_eq!(status["state"], "queued");
    assert_eq!(
        count(
            &f.app,
            "SELECT count(*) FROM import_upload WHERE body IS NOT NULL"
        )
        .await,
        1
    );

    let db = f.app.db.db();
    let handlers = ents_runtime::jobs::builtin_handlers()
        .with(ents_runtime::imports::import_handler(&f.app.settings, &db));
    let worker = ents_runtime::testing::RabbitWorker::start(&f.app, handlers);
    let status = finished(&f.app, &location, &f.owner).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["summary"]["stored"], 4, "{status}");
    assert_eq!(stored_rows(&f.app).await, (1, 1, 2));
    // The body is dropped once imported; the report stays.
    assert_eq!(
        count(
            &f.app,
            "SELECT count(*) FROM import_upload WHERE body IS NOT NULL"
        )
        .await,
        0
    );
    assert_eq!(
        get(&f.app, &format!("{location}/errors"), &f.owner)
            .await
            .status(),
        200
    );
    worker.stop().await;
    ents_test_support::delete_queues(&queue).await;
}
