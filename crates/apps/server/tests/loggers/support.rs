//! Helpers of the logger tests: a caller's requests, the fake TTN, SQL reads.
#![allow(dead_code)]

use std::time::Duration;

use ents_runtime::testing::TestApp;
use serde_json::{Value, json};
use wiremock::MockServer;

use crate::common::identity::{bearer, client, seed_user};

pub const KEY_A: &str = "CEC24E6A258B2B20A5A7C05ABD2C1724";
pub const KEY_B: &str = "00112233445566778899AABBCCDDEEFF";

/// How a test request identifies itself.
#[derive(Clone)]
pub enum Who {
    Anonymous,
    Bearer(uuid::Uuid),
    ApiKey(String),
}

/// Every response a test saw, to check that no secret ever appears in one.
pub struct Api<'a> {
    pub app: &'a TestApp,
    pub seen: std::sync::Mutex<Vec<String>>,
}

impl<'a> Api<'a> {
    pub fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            seen: Default::default(),
        }
    }

    pub async fn call(
        &self,
        who: &Who,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut request = client().request(method, self.app.url(path));
        request = match who {
            Who::Anonymous => request,
            Who::Bearer(id) => request.header("authorization", bearer(id)),
            Who::ApiKey(key) => request.header("x-api-key", key),
        };
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        self.seen.lock().unwrap().push(text.clone());
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, who: &Who, path: &str) -> (u16, Value) {
        self.call(who, reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, who: &Who, path: &str, body: Value) -> (u16, Value) {
        self.call(who, reqwest::Method::POST, path, Some(body))
            .await
    }

    pub async fn put(&self, who: &Who, path: &str, body: Value) -> (u16, Value) {
        self.call(who, reqwest::Method::PUT, path, Some(body)).await
    }

    pub async fn delete(&self, who: &Who, path: &str) -> (u16, Value) {
        self.call(who, reqwest::Method::DELETE, path, None).await
    }

    /// The raw text of a GET (for key order).
    pub async fn get_text(&self, who: &Who, path: &str) -> String {
        let Who::Bearer(id) = who else {
            panic!("get_text needs a bearer caller")
        };
        let text = client()
            .get(self.app.url(path))
            .header("authorization", bearer(id))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        self.seen.lock().unwrap().push(text.clone());
        text
    }

    /// Creates a logger as `who`; returns its id.
    pub async fn create(&self, who: &Who, body: Value) -> i32 {
        let (status, created) = self.post(who, "/api/logger/", body).await;
        assert_eq!(status, 201, "{created}");
        created["logger_id"].as_i64().unwrap() as i32
    }

    /// No response seen so far contains `secret`.
    pub fn never_showed(&self, secret: &str) {
        let seen = self.seen.lock().unwrap();
        assert!(
            seen.iter().all(|b| !b.contains(secret)),
            "{secret} in a response"
        );
    }
}

/// A seeded user and a bearer caller for them.
pub async fn user(app: &TestApp) -> (Who, String) {
    let user = seed_user(app, None).await;
    (Who::Bearer(user.id), user.email)
}

/// An API key of `owner` with `scope` (`ingest` or `full`).
pub async fn api_key(api: &Api<'_>, owner: &Who, scope: &str) -> Who {
    let (status, body) = api
        .post(
            owner,
            "/api/keys",
            json!({"name": format!("k-{scope}"), "scope": scope}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    Who::ApiKey(body["api_key"].as_str().unwrap().to_owned())
}

/// An `ents` logger body with valid credentials.
pub fn ents_body(name: &str, app_key: &str) -> Value {
    json!({
        "name": name,
        "type": "ents",
        "description": "node",
        "userEmail": "someone@example.com",
        "device_eui": "0080E1150546D093",
        "dev_eui": "0080E1150546D093",
        "join_eui": "0101010101010101",
        "app_key": app_key,
    })
}

/// A server whose TTN is the fake at `ttn`.
pub async fn app_with_ttn(ttn: &MockServer) -> TestApp {
    app_with_ttn_and(ttn, |_| {}).await
}

/// [`app_with_ttn`], with more settings.
pub async fn app_with_ttn_and(
    ttn: &MockServer,
    customise: impl FnOnce(&mut ents_config::Settings),
) -> TestApp {
    let uri = ttn.uri();
    TestApp::spawn_with(|s| {
        s.ttn.api_key = Some("NNSXS.test-key".to_owned().into());
        s.ttn.app_id = Some("ents-app".into());
        s.ttn.identity_server_url = format!("{uri}/is/api/v3");
        s.ttn.cluster_url = format!("{uri}/api/v3");
        s.ttn.request_timeout_ms = 2_000;
        customise(s);
    })
    .await
}

/// Polls the logger until its registration is no longer pending; returns it.
pub async fn settled(api: &Api<'_>, who: &Who, id: i32) -> Value {
    for _ in 0..150 {
        let (status, logger) = api.get(who, &format!("/api/logger/{id}")).await;
        assert_eq!(status, 200, "{logger}");
        if logger["ttn_registration"]["state"] != "pending" {
            return logger;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("registration of logger {id} still pending");
}

/// Every write the fake TTN received, in order (the `GET`s of `ttn_status`, which every
/// `GET /api/logger/<id>` of an `ents` logger makes, are left out).
pub async fn ttn_writes(ttn: &MockServer) -> Vec<wiremock::Request> {
    ttn.received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.method != wiremock::http::Method::GET)
        .collect()
}

/// `METHOD path` of [`ttn_writes`].
pub async fn ttn_calls(ttn: &MockServer) -> Vec<String> {
    ttn_writes(ttn)
        .await
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

/// Waits until the fake TTN has received `n` requests.
pub async fn ttn_wait_for(ttn: &MockServer, n: usize) -> Vec<String> {
    for _ in 0..150 {
        let calls = ttn_calls(ttn).await;
        if calls.len() >= n {
            return calls;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("TTN saw only {:?}", ttn_calls(ttn).await);
}

/// One text column of every row of `query`.
pub async fn texts(app: &TestApp, query: &str) -> Vec<String> {
    let (client, connection) = tokio_postgres::connect(app.db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
        .query(query, &[])
        .await
        .unwrap_or_else(|e| panic!("`{query}`: {e}"))
        .iter()
        .map(|row| row.get::<_, Option<String>>(0).unwrap_or_default())
        .collect()
}
