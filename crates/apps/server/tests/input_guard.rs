#![allow(clippy::unwrap_used, clippy::expect_used)]
//! No 500 from any input (issue 11): a NUL character in any text is refused at the edge with
//! a 400 naming the field, on every documented route; every JSON body obeys
//! `http.json_limit_bytes`.

use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::identity::{client, seed_user};
use crate::common::registry::{Auth, call, snapshot};

/// Every documented operation, with its path parameters filled in.
async fn operations(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut operations = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        let path: String = template
            .split('/')
            .map(|segment| {
                if segment.starts_with('{') {
                    "1"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().unwrap().keys() {
            if let Ok(method) = method.to_uppercase().parse::<Method>()
                && method != Method::OPTIONS
            {
                operations.push((method, path.clone()));
            }
        }
    }
    operations
}

async fn errors_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    (status, body["errors"].clone())
}

#[tokio::test]
async fn a_nul_anywhere_is_a_400_naming_the_field_on_every_route() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let token = crate::common::identity::bearer(user.id);
    let before = snapshot(&app).await;
    for (method, path) in operations(&app).await {
        // In a query parameter.
        let response = client()
            .request(method.clone(), app.url(&format!("{path}?name=a%00b")))
            .header("authorization", &token)
            .send()
            .await
            .unwrap();
        let (status, errors) = errors_of(response).await;
        assert_eq!(status, 400, "{method} {path}?name=…");
        assert!(errors["name"].is_array(), "{method} {path}: {errors}");
        // In a JSON body, nested or not, value or key.
        for (body, field) in [
            (json!({"name": "a\u{0}b"}), "name"),
            (
                json!({"data": {"notes": ["ok", "x\u{0}"]}}),
                "data.notes[1]",
            ),
            (json!({"e\u{0}mail": "x"}), "e\\u0000mail"),
        ] {
            let response = client()
                .request(method.clone(), app.url(&path))
                .header("authorization", &token)
                .json(&body)
                .send()
                .await
                .unwrap();
            let (status, errors) = errors_of(response).await;
            assert_eq!(status, 400, "{method} {path} {body}");
            assert!(errors[field].is_array(), "{method} {path}: {errors}");
        }
    }
    // In the path.
    let response = client()
        .get(app.url("/api/users/a%00b/cells"))
        .header("authorization", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(errors_of(response).await.0, 400);
    // Nothing was stored on the way.
    assert_eq!(snapshot(&app).await, before);
}

/// The routes that store text, with the real field names: refused, nothing stored.
#[tokio::test]
async fn text_fields_holding_a_nul_are_refused_by_name_and_nothing_is_stored() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let auth = Auth::Bearer(user.id);
    let before = snapshot(&app).await;
    let nul = "bad\u{0}name";
    for (method, path, body, field) in [
        (Method::POST, "/api/cell/", json!({"name": nul}), "name"),
        (Method::POST, "/api/tag/", json!({"name": nul}), "name"),
        (
            Method::POST,
            "/api/logger/",
            json!({"name": nul, "type": "other"}),
            "name",
        ),
        (
            Method::PUT,
            "/api/user",
            json!({"first_name": nul}),
            "first_name",
        ),
        (
            Method::POST,
            "/api/keys",
            json!({"name": nul, "scope": "full"}),
            "name",
        ),
        (
            Method::POST,
            "/api/auth/login",
            json!({"email": nul, "password": "x"}),
            "email",
        ),
        (
            Method::POST,
            "/api/auth/register",
            json!({"email": "a@b.c", "password": nul}),
            "password",
        ),
        (
            Method::POST,
            "/api/power/",
            json!({"logger": nul, "cell": "c", "ts": 1, "v": 1, "i": 1}),
            "logger",
        ),
        (
            Method::POST,
            "/api/sensor_json/",
            json!({"type": nul, "cellId": 1, "ts": 1, "data": {}}),
            "type",
        ),
    ] {
        let (status, body) = call(&app, &auth, method.clone(), path, Some(body)).await;
        assert_eq!(status, 400, "{method} {path}: {body}");
        assert_eq!(
            body["errors"][field],
            json!(["must not contain a NUL character"]),
            "{method} {path}: {body}"
        );
    }
    assert_eq!(snapshot(&app).await, before);
}

#[tokio::test]
async fn every_json_body_obeys_the_json_limit() {
    let app = TestApp::spawn_with(|s| s.http.json_limit_bytes = 64 * 1024).await;
    let big = json!({"expression": "1:vwc", "padding": "x".repeat(100 * 1024)});
    for path in [
        "/api/equations/validate",
        "/api/cell/",
        "/api/sensor_json/",
        "/api/auth/login",
    ] {
        let response = client()
            .post(app.url(path))
            .json(&big)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 413, "{path}");
    }
    // Whatever the content type the lenient equation route is sent.
    let response = client()
        .post(app.url("/api/equations/validate"))
        .header("content-type", "text/plain")
        .body(big.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 413);
    // Below the limit all is as before.
    let response = client()
        .post(app.url("/api/equations/validate"))
        .json(&json!({"expression": "1:vwc"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A reading whose products the rollups cannot hold (PostgreSQL refuses an underflow or an
/// overflow, failing the upload's transaction: found by schemathesis) is a 400 naming the
/// field, and nothing is stored.
#[tokio::test]
async fn readings_beyond_the_storable_magnitudes_are_refused_by_name() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let auth = Auth::Bearer(user.id);
    let before = snapshot(&app).await;
    for (path, body, field) in [
        (
            "/api/power/",
            json!({"logger": "l", "cell": "c", "ts": 1, "v": 3.49e-277, "i": 3.8e-56}),
            "v",
        ),
        (
            "/api/power/",
            json!({"logger": "l", "cell": "c", "ts": 1, "v": 1, "i": 1e200}),
            "i",
        ),
        (
            "/api/teros/",
            json!({"cell": "c", "ts": 1, "vwc": 1e-300, "raw_vwc": 1, "temp": 1, "ec": 1}),
            "vwc",
        ),
    ] {
        let (status, body) = call(&app, &auth, Method::POST, path, Some(body)).await;
        assert_eq!(status, 400, "{path}: {body}");
        assert!(body["errors"][field].is_array(), "{path}: {body}");
    }
    assert_eq!(snapshot(&app).await, before);
}
