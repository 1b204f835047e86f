//! Helpers of the identity end-to-end tests: users seeded with SQL (as the conformance
//! suite does), tokens minted like a client library would, cookies read from responses.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use ents_runtime::testing::{ACCESS_SECRET, TestApp};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;
use uuid::Uuid;

/// A client that neither follows redirects nor keeps cookies: each test says exactly which
/// cookie it sends.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
}

pub async fn sql(app: &TestApp, statement: &str) {
    let mut conn = AsyncPgConnection::establish(app.db.url()).await.unwrap();
    conn.batch_execute(statement)
        .await
        .unwrap_or_else(|e| panic!("`{statement}`: {e}"));
}

/// A user row inserted with SQL, as the conformance suite seeds them.
pub struct SeededUser {
    pub id: Uuid,
    pub email: String,
}

pub async fn seed_user(app: &TestApp, api_key: Option<&str>) -> SeededUser {
    let id = Uuid::new_v4();
    let email = format!("user-{}@example.com", id.simple());
    let key = api_key.map_or("NULL".to_owned(), |k| format!("'{k}'"));
    sql(
        app,
        &format!(
            "INSERT INTO \"user\" (id, first_name, last_name, email, password, api_key) \
             VALUES ('{id}', 'Ada', 'Lovelace', '{email}', '', {key})"
        ),
    )
    .await;
    SeededUser { id, email }
}

/// HS256 with the test server's access secret (or `secret`).
pub fn sign(claims: serde_json::Value, secret: &str) -> String {
    let key = EncodingKey::from_secret(secret.as_bytes()).unwrap();
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &key).unwrap()
}

pub fn access_token(uid: impl std::fmt::Display) -> String {
    let exp = chrono::Utc::now().timestamp() + 900;
    sign(json!({"uid": uid.to_string(), "exp": exp}), ACCESS_SECRET)
}

pub fn bearer(uid: impl std::fmt::Display) -> String {
    format!("Bearer {}", access_token(uid))
}

/// Every `Set-Cookie` of a response.
pub fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

/// The value of the `refresh-token` cookie a response sets.
pub fn refresh_cookie(response: &reqwest::Response) -> Option<String> {
    set_cookies(response).iter().find_map(|c| {
        let value = c.strip_prefix("refresh-token=")?;
        Some(value.split(';').next()?.to_owned())
    })
}

/// `GET /api/auth/refresh` with `cookie`.
pub async fn refresh(app: &TestApp, cookie: &str) -> reqwest::Response {
    client()
        .get(app.url("/api/auth/refresh"))
        .header("cookie", format!("refresh-token={cookie}"))
        .send()
        .await
        .unwrap()
}

/// `{"msg": …}` of an error response.
pub async fn msg(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["msg"].as_str().unwrap_or_default().to_owned())
}
