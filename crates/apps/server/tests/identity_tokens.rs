#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Access tokens end to end: compatible tokens pass, every bad variant gets 401/403 with a
//! JSON `msg` (never 500, never success).

use crate::common;

use common::identity::*;
use ents_runtime::testing::{ACCESS_SECRET, REFRESH_SECRET, TestApp};
use serde_json::json;

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[tokio::test]
async fn tokens_in_urn_and_bare_form_read_the_profile() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    for uid in [format!("urn:uuid:{}", user.id), user.id.to_string()] {
        let response = client()
            .get(app.url("/api/user"))
            .header("authorization", bearer(&uid))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{uid}");
        assert_eq!(
            response.json::<serde_json::Value>().await.unwrap(),
            json!({"email": user.email, "first_name": "Ada", "last_name": "Lovelace"})
        );
    }
}

#[tokio::test]
async fn every_bad_token_gets_401_or_403_with_a_msg() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let uid = user.id.to_string();
    let now = chrono::Utc::now().timestamp();
    let payload = b64(json!({"uid": uid, "exp": now + 900}).to_string().as_bytes());
    let valid = access_token(&uid);
    let signature = valid.rsplit('.').next().unwrap().to_owned();
    let none = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let rs256 = b64(br#"{"alg":"RS256","typ":"JWT"}"#);
    let cases: Vec<(&str, Option<String>, u16, &str)> = vec![
        ("no header", None, 401, "No token or API key provided"),
        (
            "the frontend's Bearer undefined",
            Some("Bearer undefined".into()),
            403,
            "Invalid token",
        ),
        (
            "garbage",
            Some("Bearer not.a.jwt".into()),
            403,
            "Invalid token",
        ),
        (
            "no space",
            Some(format!("Bearer{valid}")),
            403,
            "Authentication failed",
        ),
        (
            "another scheme",
            Some(format!("Token {valid}")),
            403,
            "Invalid token",
        ),
        (
            "alg none",
            Some(format!("Bearer {none}.{payload}.")),
            403,
            "Invalid token",
        ),
        (
            "algorithm confusion",
            Some(format!("Bearer {rs256}.{payload}.{signature}")),
            403,
            "Invalid token",
        ),
        (
            "wrong signature",
            Some(format!(
                "Bearer {}",
                sign(json!({"uid": uid, "exp": now + 900}), "wrong")
            )),
            403,
            "Invalid token",
        ),
        (
            "the refresh secret",
            Some(format!(
                "Bearer {}",
                sign(json!({"uid": uid, "exp": now + 900}), REFRESH_SECRET)
            )),
            403,
            "Invalid token",
        ),
        (
            "no exp",
            Some(format!(
                "Bearer {}",
                sign(json!({"uid": uid}), ACCESS_SECRET)
            )),
            403,
            "Invalid token",
        ),
        (
            "expired",
            Some(format!(
                "Bearer {}",
                sign(json!({"uid": uid, "exp": now - 10}), ACCESS_SECRET)
            )),
            401,
            "Token expired",
        ),
        (
            "uid not a UUID",
            Some(format!(
                "Bearer {}",
                sign(json!({"uid": "idksomeid", "exp": now + 900}), ACCESS_SECRET)
            )),
            403,
            "Authentication failed",
        ),
        (
            "unknown user",
            Some(bearer(uuid::Uuid::new_v4())),
            403,
            "User not found",
        ),
    ];
    for (name, header, status, message) in cases {
        let mut request = client().get(app.url("/api/user"));
        if let Some(header) = header {
            request = request.header("authorization", header);
        }
        let response = request.send().await.unwrap();
        assert_eq!(msg(response).await, (status, message.to_owned()), "{name}");
    }
}

#[tokio::test]
async fn a_bad_token_is_not_rescued_by_a_valid_api_key() {
    let app = TestApp::spawn().await;
    let key = "k".repeat(64);
    seed_user(&app, Some(&key)).await;
    let response = client()
        .get(app.url("/api/user"))
        .header("authorization", "Bearer undefined")
        .header("x-api-key", &key)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn logged_in_works() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let yes = client()
        .get(app.url("/api/auth/logged_in"))
        .header("authorization", bearer(user.id))
        .send()
        .await
        .unwrap();
    assert_eq!(yes.status(), 200);
    assert_eq!(
        yes.json::<serde_json::Value>().await.unwrap(),
        json!({"loggedIn": true})
    );
    let no = client()
        .get(app.url("/api/auth/logged_in"))
        .send()
        .await
        .unwrap();
    assert_eq!(no.status(), 401);
    assert_eq!(
        no.json::<serde_json::Value>().await.unwrap(),
        json!({"loggedIn": false})
    );
}

#[tokio::test]
async fn the_profile_can_be_renamed() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let put = |body: serde_json::Value| {
        client()
            .put(app.url("/api/user"))
            .header("authorization", bearer(user.id))
            .json(&body)
            .send()
    };
    let response = put(json!({"first_name": "Augusta", "email": "ignored@example.com"}))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<serde_json::Value>().await.unwrap(),
        json!({"email": user.email, "first_name": "Augusta", "last_name": "Lovelace"})
    );
    let empty = put(json!({})).await.unwrap();
    assert_eq!(empty.status(), 400);
    assert_eq!(
        empty.json::<serde_json::Value>().await.unwrap()["message"],
        "No input data provided"
    );
    assert_eq!(put(json!({"first_name": 7})).await.unwrap().status(), 400);
}
