//! Helpers of the registry end-to-end tests: callers of every kind, and a snapshot of the
//! registry tables to prove that refused writes change nothing.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use ents_runtime::testing::TestApp;
use serde_json::{Value, json};
use uuid::Uuid;

use super::identity::{bearer, client, refresh_cookie, seed_user};

/// The dashboard's origin in these tests (configured as allowed).
pub const DASHBOARD: &str = "https://dirtviz.example";

/// How a request proves who it is.
#[derive(Debug, Clone)]
pub enum Auth {
    None,
    Bearer(Uuid),
    Key(String),
    /// The refresh cookie, with this `Origin`.
    Cookie {
        cookie: String,
        origin: String,
    },
}

impl Auth {
    pub fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Self::None => request,
            Self::Bearer(uid) => request.header("authorization", bearer(uid)),
            Self::Key(key) => request.header("x-api-key", key),
            Self::Cookie { cookie, origin } => request
                .header("cookie", format!("refresh-token={cookie}"))
                .header("origin", origin),
        }
    }
}

/// A user registered through the API (so it has a refresh cookie) and its id.
pub struct Registered {
    pub id: Uuid,
    pub email: String,
    pub cookie: String,
}

pub async fn register(app: &TestApp) -> Registered {
    let email = format!("owner-{}@example.com", Uuid::new_v4().simple());
    let response = client()
        .post(app.url("/api/auth/register"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = refresh_cookie(&response).unwrap();
    let token = response.text().await.unwrap();
    let user: Value = client()
        .get(app.url("/api/user"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(user["email"], email.as_str());
    let id = user_id_by_email(app, &email).await;
    Registered { id, email, cookie }
}

pub async fn user_id_by_email(app: &TestApp, email: &str) -> Uuid {
    let db = pg(app).await;
    let id: String = db
        .query_one("SELECT id::text FROM \"user\" WHERE email = $1", &[&email])
        .await
        .unwrap()
        .get(0);
    Uuid::parse_str(&id).unwrap()
}

/// A named key of `user` with `scope` (`full` or `ingest`).
pub async fn api_key(app: &TestApp, user: Uuid, scope: &str) -> String {
    let response = client()
        .post(app.url("/api/keys"))
        .header("authorization", bearer(user))
        .json(&json!({"name": format!("key-{}", Uuid::new_v4().simple()), "scope": scope}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["api_key"].as_str().unwrap().to_owned()
}

pub async fn seeded(app: &TestApp) -> (Uuid, String) {
    let user = seed_user(app, None).await;
    (user.id, user.email)
}

pub async fn pg(app: &TestApp) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(app.db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

/// Everything the registry stores, as one comparable text.
pub async fn snapshot(app: &TestApp) -> String {
    let db = pg(app).await;
    let mut parts = Vec::new();
    for query in [
        "SELECT coalesce(json_agg(c ORDER BY c.id), '[]')::text FROM cell c",
        "SELECT coalesce(json_agg(t ORDER BY t.id), '[]')::text FROM tag t",
        "SELECT coalesce(json_agg(ct ORDER BY ct.cell_id, ct.tag_id), '[]')::text FROM cell_tag ct",
        "SELECT coalesce(json_agg(cu ORDER BY cu.cell_id, cu.user_id), '[]')::text FROM cell_user cu",
        "SELECT count(*)::text FROM power_data",
        "SELECT coalesce(json_agg(l ORDER BY l.id), '[]')::text FROM logger l",
    ] {
        let row = db.query_one(query, &[]).await.unwrap();
        parts.push(row.get::<_, String>(0));
    }
    parts.join("\n")
}

/// Sends `method path` with `auth` and an optional JSON body; returns status and body.
pub async fn call(
    app: &TestApp,
    auth: &Auth,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = auth.apply(client().request(method, app.url(path)));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// Creates a cell as `auth` and returns its id.
pub async fn create_cell(app: &TestApp, auth: &Auth, name: &str) -> i32 {
    let (status, body) = call(
        app,
        auth,
        reqwest::Method::POST,
        "/api/cell/",
        Some(json!({"name": name, "location": "bed", "latitude": 1.0, "longitude": 2.0, "archive": false})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    i32::try_from(body["id"].as_i64().unwrap()).unwrap()
}

/// Creates a tag as `auth` and returns its id.
pub async fn create_tag(app: &TestApp, auth: &Auth, name: &str) -> i32 {
    let (status, body) = call(
        app,
        auth,
        reqwest::Method::POST,
        "/api/tag/",
        Some(json!({"name": name})),
    )
    .await;
    assert_eq!(status, 201, "{body}");
    i32::try_from(body["tag"]["id"].as_i64().unwrap()).unwrap()
}
