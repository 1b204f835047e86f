//! Exports through the worker over real HTTP, PostgreSQL and (where it says so) RabbitMQ:
//! the seed-era pair, the export API with exact file contents, resampling, bad input,
//! unknown cells, private reads, an unfinished download, and a worker that crashed
//! mid-export (`docs/exports.md`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use common::identity::{bearer, seed_user, sql};
use ents_domain::jobs::{Claim, JobId, JobRepository, JobState};
use ents_persistence::PgJobRepository;
use ents_runtime::testing::TestApp;
use ents_test_support::{amqp_url, unique_name};
use secrecy::SecretString;
use serde_json::{Value, json};

const SEED: &str = "INSERT INTO cell (id, name) VALUES (1, 'c1'), (2, 'c2'); \
     INSERT INTO power_data (cell_id, ts, voltage, current) VALUES \
       (1, '2024-01-01 10:00:00', 2, NULL), (1, '2024-01-01 10:30:00', 1, 0.002); \
     INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
       (7, 1, 'pressure', 'float', 'kPa', 'bme280'); \
     INSERT INTO data (sensor_id, ts, float_val) VALUES \
       (7, '2024-01-01 05:10:00', 100), (7, '2024-01-01 05:50:00', 101), \
       (7, '2024-01-04 00:00:00', 999)";

const HEADER: &str = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value,logger\n";

const RAW_ROWS: &str = "1,c1,power,power,voltage,mV,2024-01-01T10:00:00Z,2000,\n\
    1,c1,power,power,voltage,mV,2024-01-01T10:30:00Z,1000,\n\
    1,c1,power,power,current,µA,2024-01-01T10:30:00Z,2000,\n\
    1,c1,power,power,power,µW,2024-01-01T10:30:00Z,2000,\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100,\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:50:00Z,101,\n";

fn raw_csv() -> String {
    format!("{HEADER}{RAW_ROWS}")
}

fn body(cells: Value, resample: &str) -> Value {
    json!({
        "cell_ids": cells,
        "start": "2024-01-01T00:00:00Z",
        "end": "Wed, 03 Jan 2024 00:00:00 GMT",
        "resample": resample,
        "format": "csv",
    })
}

async fn seeded(customise: impl FnOnce(&mut ents_config::Settings)) -> TestApp {
    let app = TestApp::spawn_with(customise).await;
    sql(&app, SEED).await;
    app
}

async fn post(app: &TestApp, body: &Value, auth: Option<&str>) -> reqwest::Response {
    let mut request = app.client.post(app.url("/api/exports")).json(body);
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

async fn get(app: &TestApp, path: &str, auth: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    request.send().await.unwrap()
}

/// Polls the export until it is finished; its last status.
async fn finished(app: &TestApp, id: &str, auth: Option<&str>) -> Value {
    for _ in 0..1200 {
        let status: Value = get(app, &format!("/api/exports/{id}"), auth)
            .await
            .json()
            .await
            .unwrap();
        if matches!(status["state"].as_str(), Some("succeeded" | "failed")) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("export {id} did not finish");
}

/// Creates an export and waits for it; its id and final status.
async fn export(app: &TestApp, body: &Value, auth: Option<&str>) -> (String, Value) {
    let response = post(app, body, auth).await;
    assert_eq!(response.status(), 202);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    (id.clone(), finished(app, &id, auth).await)
}

async fn download(app: &TestApp, id: &str, auth: Option<&str>) -> (u16, String) {
    let response = get(app, &format!("/api/exports/{id}/download"), auth).await;
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn seed_era_pair_answers_a_result_id_then_the_whole_csv() {
    let app = seeded(|_| {}).await;
    // The seed's generic column: phytos31 voltage (other sensors are not in its layout).
    sql(
        &app,
        "INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (8, 2, 'voltage', 'float', 'V', 'phytos31'); \
         INSERT INTO data (sensor_id, ts, float_val) VALUES (8, '2024-01-01 10:00:00', 0.25)",
    )
    .await;
    let response = get(
        &app,
        "/api/cell/datas?cellIds=1,2&resample=none&startTime=Mon,%2001%20Jan%202024%2000:00:00%20GMT\
         &endTime=2024-01-03T00:00:00Z",
        None,
    )
    .await;
    assert_eq!(response.status(), 200);
    let created: Value = response.json().await.unwrap();
    let id = created["result_id"].as_str().unwrap().to_owned();

    let mut last = Value::Null;
    for _ in 0..1200 {
        let response = get(&app, &format!("/api/status/{id}"), None).await;
        assert_eq!(response.status(), 200);
        last = response.json().await.unwrap();
        if last["state"] != "PENDING" {
            break;
        }
        assert_eq!(last["status"], "Pending...");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The seed's layout (upstream-contract.md §8), every requested cell one after the other.
    let seed_csv = "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n\
        2024-01-01 10:00:00,void,void,void,void,2000.0,void,void,void,void,void,void\n\
        2024-01-01 10:30:00,void,void,void,void,1000.0,2000.0,2000.0,void,void,void,void\n\
        2024-01-01 10:00:00,void,void,void,void,void,void,void,0.25,voltage,V,float\n";
    assert_eq!(last, json!({"state": "SUCCESS", "status": seed_csv}));

    // Unknown ids are PENDING, as Celery answered.
    for unknown in [JobId::new().to_string(), "not-a-uuid".into()] {
        let response = get(&app, &format!("/api/status/{unknown}"), None).await;
        assert_eq!(response.status(), 200);
        let text = response.text().await.unwrap();
        assert_eq!(text, "{\"state\":\"PENDING\",\"status\":\"Pending...\"}\n");
    }

    // Validated at the edge (upstream failed the task instead).
    let response = get(&app, "/api/cell/datas?resample=year", None).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    let fields: Vec<&str> = error["errors"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, ["cellIds", "endTime", "resample", "startTime"]);
}

#[tokio::test]
async fn an_export_is_queued_then_downloaded_as_the_exact_csv() {
    let app = seeded(|_| {}).await;
    let response = post(&app, &body(json!([1, 2]), "none"), None).await;
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(location, format!("/api/exports/{id}"));
    assert_eq!(created["state"], "queued");

    let status = finished(&app, &id, None).await;
    let csv = raw_csv();
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(status["progress"], 1.0);
    assert_eq!(status["rows"], 6);
    assert_eq!(status["bytes"], csv.len());
    assert_eq!(status["download"], format!("/api/exports/{id}/download"));

    let response = get(&app, &format!("/api/exports/{id}/download"), None).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"ents-export-{id}.csv\"").as_str()
    );
    assert_eq!(response.text().await.unwrap(), csv);
}

#[tokio::test]
async fn a_resampled_export_has_the_bucket_means() {
    let app = seeded(|_| {}).await;
    let (id, status) = export(&app, &body(json!([1]), "hour"), None).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    let (code, text) = download(&app, &id, None).await;
    assert_eq!(code, 200);
    assert_eq!(
        text,
        format!(
            "{HEADER}1,c1,power,power,voltage,mV,2024-01-01T10:00:00Z,1500,\n\
             1,c1,power,power,current,µA,2024-01-01T10:00:00Z,2000,\n\
             1,c1,power,power,power,µW,2024-01-01T10:00:00Z,2000,\n\
             1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:00:00Z,100.5,\n"
        )
    );
}

#[tokio::test]
async fn bad_input_names_the_fields_and_unknown_cells_are_404() {
    let app = seeded(|_| {}).await;
    let bad = json!({"cell_ids": "1", "start": "yesterday", "resample": "year", "format": "xlsx"});
    let response = post(&app, &bad, None).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    let fields: Vec<&str> = error["errors"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(fields, ["cell_ids", "format", "resample", "start"]);

    let backwards = json!({"cell_ids": [1], "start": "2024-02-01", "end": "2024-01-01"});
    let response = post(&app, &backwards, None).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert!(error["errors"]["end"].is_array(), "{error}");

    let response = post(&app, &body(json!([1, 42]), "none"), None).await;
    assert_eq!(response.status(), 404);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["message"], "Cell not found");

    let unknown = JobId::new();
    for path in [
        format!("/api/exports/{unknown}"),
        format!("/api/exports/{unknown}/download"),
        "/api/exports/nope".to_owned(),
    ] {
        assert_eq!(get(&app, &path, None).await.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn with_private_reads_only_members_export_and_only_the_creator_sees_it() {
    let app = seeded(|settings| settings.access.public_read = false).await;
    let owner = seed_user(&app, None).await;
    let member = seed_user(&app, None).await;
    let stranger = seed_user(&app, None).await;
    sql(
        &app,
        &format!(
            "UPDATE cell SET user_id = '{}' WHERE id = 1; \
             INSERT INTO cell_user (cell_id, user_id) VALUES (1, '{}')",
            owner.id, member.id
        ),
    )
    .await;
    let (owner_auth, member_auth, stranger_auth) =
        (bearer(owner.id), bearer(member.id), bearer(stranger.id));

    let request = body(json!([1]), "none");
    assert_eq!(post(&app, &request, None).await.status(), 401);
    assert_eq!(
        post(&app, &request, Some(&stranger_auth)).await.status(),
        403
    );
    let legacy = "/api/cell/datas?cellIds=1&startTime=2024-01-01&endTime=2024-01-03";
    assert_eq!(get(&app, legacy, Some(&stranger_auth)).await.status(), 403);

    let (id, status) = export(&app, &request, Some(&owner_auth)).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    assert_eq!(
        download(&app, &id, Some(&owner_auth)).await,
        (200, raw_csv())
    );
    // Someone else's export is unknown to them, even a member of the cell.
    for auth in [
        Some(member_auth.as_str()),
        Some(stranger_auth.as_str()),
        None,
    ] {
        let path = format!("/api/exports/{id}");
        assert_eq!(get(&app, &path, auth).await.status(), 404);
        assert_eq!(download(&app, &id, auth).await.0, 404);
        let status: Value = get(&app, &format!("/api/status/{id}"), auth)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(status["state"], "PENDING");
    }
    let (_, status) = export(&app, &request, Some(&member_auth)).await;
    assert_eq!(status["state"], "succeeded");
}

/// Files of export `id` in the server's export directory.
fn files_of(app: &TestApp, id: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&app.settings.exports.directory)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|name| name.starts_with(id))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[tokio::test]
async fn with_rabbitmq_a_worker_that_died_mid_export_is_replaced_by_one_complete_file() {
    let queue = unique_name("ents_exports");
    let app = seeded(|settings| {
        settings.amqp.url = Some(SecretString::from(amqp_url()));
        settings.amqp.queue = queue.clone();
    })
    .await;

    // Published to the broker; no worker runs yet.
    let response = post(&app, &body(json!([1]), "none"), None).await;
    assert_eq!(response.status(), 202);
    let created: Value = response.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let (code, text) = download(&app, &id, None).await;
    assert_eq!(code, 409, "{text}");

    // A first worker claimed it, wrote half a file, and died (its lease runs out).
    let repo: Arc<dyn JobRepository> = Arc::new(PgJobRepository::new(app.db.db()));
    let job_id: JobId = id.parse().unwrap();
    let claim = repo.claim(job_id, Duration::from_millis(1)).await.unwrap();
    assert!(
        matches!(claim, Claim::Run(ref job) if job.attempts == 1),
        "{claim:?}"
    );
    std::fs::create_dir_all(&app.settings.exports.directory).unwrap();
    let part = app
        .settings
        .exports
        .directory
        .join(format!("{id}.1.csv.part"));
    std::fs::write(&part, "cell_id,cell_na").unwrap();
    let status: Value = get(&app, &format!("/api/exports/{id}"), None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["state"], "running");
    assert_eq!(download(&app, &id, None).await.0, 409);
    tokio::time::sleep(Duration::from_millis(20)).await;

    // The replacement worker gets the message that was never acknowledged.
    let db = app.db.db();
    let handlers = ents_runtime::jobs::builtin_handlers()
        .with(ents_runtime::exports::export_handler(&app.settings, &db));
    let worker = ents_runtime::testing::RabbitWorker::start(&app, handlers);

    let status = finished(&app, &id, None).await;
    assert_eq!(status["state"], "succeeded", "{status}");
    let job = app.jobs.get(job_id).await.unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Succeeded, 2));
    // One file, complete: the crashed attempt's leftovers are gone.
    assert_eq!(files_of(&app, &id), [format!("{id}.2.csv")]);
    assert_eq!(download(&app, &id, None).await, (200, raw_csv()));

    worker.stop().await;
    ents_test_support::delete_queues(&queue).await;
}
