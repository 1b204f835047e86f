//! TTN registration as a job, against a fake TTN (wiremock): the call sequence and bodies,
//! the logger's recorded outcome, deregistration on delete, rename, and no AppKey anywhere
//! it should not be.

use serde_json::json;
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::support::*;

async fn answer_all(ttn: &MockServer, status: u16) {
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(json!({})))
        .mount(ttn)
        .await;
}

const REGISTER: [&str; 4] = [
    "POST /is/api/v3/applications/ents-app/devices",
    "PUT /api/v3/ns/applications/ents-app/devices/dirtviz-{id}",
    "POST /api/v3/as/applications/ents-app/devices",
    "POST /api/v3/js/applications/ents-app/devices",
];

const DEREGISTER: [&str; 4] = [
    "DELETE /api/v3/ns/applications/ents-app/devices/dirtviz-{id}",
    "DELETE /api/v3/as/applications/ents-app/devices/dirtviz-{id}",
    "DELETE /api/v3/js/applications/ents-app/devices/dirtviz-{id}",
    "DELETE /is/api/v3/applications/ents-app/devices/dirtviz-{id}",
];

fn with_id(calls: &[&str], id: i32) -> Vec<String> {
    calls
        .iter()
        .map(|c| c.replace("{id}", &id.to_string()))
        .collect()
}

#[tokio::test]
async fn registration_runs_as_a_job_and_the_logger_shows_it() {
    let ttn = MockServer::start().await;
    answer_all(&ttn, 200).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;

    let (status, created) = api
        .post(&owner, "/api/logger/", ents_body("node-a", KEY_A))
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["logger_id"].as_i64().unwrap() as i32;
    assert_eq!(
        created,
        json!({
            "message": "Successfully added logger, TTN registration pending",
            "logger_id": id,
            "ttn_device_id": format!("dirtviz-{id}"),
            "ttn_registered": false,
            "ttn_registration": "pending",
        })
    );

    let logger = settled(&api, &owner, id).await;
    assert_eq!(logger["ttn_registration"], json!({"state": "registered"}));
    assert_eq!(ttn_calls(&ttn).await, with_id(&REGISTER, id));
    let requests = ttn_writes(&ttn).await;
    assert!(
        ttn.received_requests().await.unwrap().iter().all(|r| r
            .headers
            .get("authorization")
            .unwrap()
            == "Bearer NNSXS.test-key")
    );
    let join: serde_json::Value = serde_json::from_slice(&requests[3].body).unwrap();
    assert_eq!(join["end_device"]["root_keys"]["app_key"]["key"], KEY_A);
    assert_eq!(join["end_device"]["name"], "node-a");

    // The key is gone from the database once the job has finished, and never was in a job.
    assert_eq!(
        texts(&app, "SELECT coalesce(ttn_app_key, '-') FROM logger").await,
        ["-"]
    );
    assert_eq!(
        texts(&app, &format!("SELECT count(*)::text FROM job WHERE payload::text || coalesce(result::text, '') || coalesce(error, '') ILIKE '%{KEY_A}%'")).await,
        ["0"]
    );
    let (_, list) = api.get(&owner, "/api/logger/").await;
    assert_eq!(list[0].as_object().unwrap().len(), 6);
    api.never_showed(KEY_A);
}

#[tokio::test]
async fn a_refused_registration_leaves_the_logger_failed_with_the_reason() {
    let ttn = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/js/applications/ents-app/devices"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&ttn)
        .await;
    answer_all(&ttn, 200).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-f", KEY_A)).await;

    let logger = settled(&api, &owner, id).await;
    assert_eq!(logger["ttn_registration"]["state"], "failed");
    let error = logger["ttn_registration"]["error"].as_str().unwrap();
    assert!(
        error.contains("join server") && error.contains("403") && error.contains("removed"),
        "{error}"
    );
    // What the IS/NS/AS had was removed again, in TTN's order.
    let mut expected = with_id(&REGISTER, id);
    expected.extend(with_id(&DEREGISTER, id));
    assert_eq!(ttn_calls(&ttn).await, expected);
    assert_eq!(
        texts(&app, "SELECT coalesce(ttn_app_key, '-') FROM logger").await,
        ["-"]
    );
    api.never_showed(KEY_A);
}

#[tokio::test]
async fn an_unreachable_ttn_is_retried_then_marked_failed() {
    let ttn = MockServer::start().await;
    answer_all(&ttn, 503).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-r", KEY_A)).await;
    let logger = settled(&api, &owner, id).await;
    assert_eq!(logger["ttn_registration"]["state"], "failed");
    let attempts = texts(
        &app,
        "SELECT attempts::text FROM job WHERE kind = 'ttn.register'",
    )
    .await;
    assert_eq!(attempts, [app.settings.jobs.max_attempts.to_string()]);
}

#[tokio::test]
async fn deleting_a_registered_logger_deregisters_it_in_ttns_order() {
    let ttn = MockServer::start().await;
    answer_all(&ttn, 200).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-d", KEY_A)).await;
    settled(&api, &owner, id).await;

    assert_eq!(
        api.delete(&owner, &format!("/api/logger/{id}")).await,
        (200, json!({"message": "Logger deleted successfully"}))
    );
    let calls = ttn_wait_for(&ttn, 8).await;
    assert_eq!(calls[4..], with_id(&DEREGISTER, id)[..]);
}

#[tokio::test]
async fn renaming_a_registered_logger_renames_the_device_with_a_field_mask() {
    let ttn = MockServer::start().await;
    answer_all(&ttn, 200).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-n", KEY_A)).await;
    settled(&api, &owner, id).await;
    assert_eq!(
        api.put(
            &owner,
            &format!("/api/logger/{id}"),
            json!({"name": "renamed"})
        )
        .await
        .0,
        200
    );
    let calls = ttn_wait_for(&ttn, 5).await;
    assert_eq!(
        calls[4],
        format!("PUT /is/api/v3/applications/ents-app/devices/dirtviz-{id}")
    );
    let body: serde_json::Value = serde_json::from_slice(&ttn_writes(&ttn).await[4].body).unwrap();
    assert_eq!(body["end_device"]["name"], "renamed");
    assert_eq!(body["field_mask"], json!({"paths": ["name"]}));
    assert!(!body.to_string().contains(KEY_A));
}

#[tokio::test]
async fn two_devices_never_see_each_others_app_key() {
    let ttn = MockServer::start().await;
    answer_all(&ttn, 200).await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let a = api.create(&owner, ents_body("node-1", KEY_A)).await;
    settled(&api, &owner, a).await;
    let b = api.create(&owner, ents_body("node-2", KEY_B)).await;
    settled(&api, &owner, b).await;
    for id in [a, b] {
        let (_, got) = api.get(&owner, &format!("/api/logger/{id}")).await;
        assert_eq!(got["ttn_registration"]["state"], "registered");
    }
    let requests = ttn_writes(&ttn).await;
    let second: Vec<String> = requests[4..]
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(second.iter().all(|b| !b.contains(KEY_A)), "{second:#?}");
    assert!(second[3].contains(KEY_B));
    api.never_showed(KEY_A);
    api.never_showed(KEY_B);
}

/// `GET /api/logger/<id>` of an `ents` logger adds the device as TTN has it (`ttn_status`),
/// never its keys; a device TTN does not know, a TTN that fails, or another type of logger
/// gives the plain logger.
#[tokio::test]
async fn an_ents_logger_shows_its_live_ttn_status_without_keys() {
    let ttn = MockServer::start().await;
    let app = app_with_ttn(&ttn).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-s", KEY_A)).await;
    let plain = api
        .create(&owner, json!({"name": "plain", "type": "other"}))
        .await;
    let device = format!("/is/api/v3/applications/ents-app/devices/dirtviz-{id}");

    // TTN knows the device (and, as a stand-in for upstream's leak, sends keys along).
    Mock::given(method("GET"))
        .and(path(device.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ids": {"device_id": format!("dirtviz-{id}"), "application_ids": {"application_id": "ents-app"}},
            "created_at": "2026-11-29T10:00:00Z",
            "root_keys": {"app_key": {"key": KEY_A}},
        })))
        .up_to_n_times(1)
        .mount(&ttn)
        .await;
    let (status, logger) = api.get(&owner, &format!("/api/logger/{id}")).await;
    assert_eq!(status, 200, "{logger}");
    assert_eq!(
        logger["ttn_status"],
        json!({
            "ids": {"device_id": format!("dirtviz-{id}"), "application_ids": {"application_id": "ents-app"}},
            "created_at": "2026-11-29T10:00:00Z",
        })
    );
    assert!(!logger.to_string().contains(KEY_A));
    assert_eq!(logger["name"], "node-s");

    // Unknown to TTN, then TTN failing: the plain logger.
    Mock::given(method("GET"))
        .and(path(device.clone()))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({})))
        .up_to_n_times(1)
        .mount(&ttn)
        .await;
    let (status, logger) = api.get(&owner, &format!("/api/logger/{id}")).await;
    assert_eq!((status, logger.get("ttn_status")), (200, None));
    Mock::given(method("GET"))
        .and(path(device))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({})))
        .mount(&ttn)
        .await;
    let (status, logger) = api.get(&owner, &format!("/api/logger/{id}")).await;
    assert_eq!((status, logger.get("ttn_status")), (200, None));

    // Another type: TTN is not asked.
    let before = ttn.received_requests().await.unwrap().len();
    let (status, logger) = api.get(&owner, &format!("/api/logger/{plain}")).await;
    assert_eq!((status, logger.get("ttn_status")), (200, None));
    assert_eq!(ttn.received_requests().await.unwrap().len(), before);
}

/// With a broker, the API only publishes the registration job to RabbitMQ; a worker wired as
/// the `ents-worker` binary wires it (`with_ttn_handlers` over the same settings) runs it.
#[tokio::test]
async fn with_rabbitmq_the_worker_registers_the_device() {
    use std::sync::Arc;

    use ents_persistence::PgLoggerRepository;
    use ents_runtime::testing::RabbitWorker;

    let ttn = MockServer::start().await;
    answer_all(&ttn, 200).await;
    let queue = ents_test_support::unique_name("ents_ttn_jobs");
    let q = queue.clone();
    let app = app_with_ttn_and(&ttn, move |s| {
        s.amqp.url = Some(ents_test_support::amqp_url().into());
        s.amqp.queue = q;
    })
    .await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, ents_body("node-q", KEY_A)).await;

    // Queued in the broker; nothing has reached TTN while no worker runs.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (_, logger) = api.get(&owner, &format!("/api/logger/{id}")).await;
    assert_eq!(logger["ttn_registration"]["state"], "pending");
    assert_eq!(ttn_calls(&ttn).await, Vec::<String>::new());

    let handlers = ents_runtime::jobs::with_ttn_handlers(
        ents_runtime::jobs::builtin_handlers(),
        &app.settings,
        Arc::new(PgLoggerRepository::new(app.db.db())),
    )
    .unwrap();
    let worker = RabbitWorker::start(&app, handlers);

    let logger = settled(&api, &owner, id).await;
    assert_eq!(logger["ttn_registration"], json!({"state": "registered"}));
    assert_eq!(ttn_calls(&ttn).await, with_id(&REGISTER, id));
    assert_eq!(
        texts(&app, "SELECT coalesce(ttn_app_key, '-') FROM logger").await,
        ["-"]
    );
    api.never_showed(KEY_A);

    worker.stop().await;
    ents_test_support::delete_queues(&queue).await;
}
