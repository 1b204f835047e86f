#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Google sign-in end to end against a local fake Google: state cookie, PKCE, ID-token
//! checks, user matching, and upstream's login answer.

use crate::common;

#[path = "../../../adapters/auth/tests/support/fake_google.rs"]
mod fake_google;

use common::identity::*;
use ents_runtime::testing::TestApp;
use fake_google::{CLIENT_ID, CLIENT_SECRET, FakeGoogle, query_param};
use secrecy::SecretString;
use serde_json::json;

async fn app_with(google: &FakeGoogle) -> TestApp {
    let (auth, token, jwks) = (
        google.authorization_url(),
        google.token_url(),
        google.jwks_url(),
    );
    TestApp::spawn_with(move |s| {
        s.google.client_id = Some(CLIENT_ID.into());
        s.google.client_secret = Some(SecretString::from(CLIENT_SECRET));
        s.google.redirect_uri = Some("http://localhost:3000/auth/callback".into());
        s.google.authorization_url = auth;
        s.google.token_url = token;
        s.google.jwks_url = jwks;
        s.auth.max_login_failures = 1000;
    })
    .await
}

/// `GET /api/oauth/url`: (url, state cookie value).
async fn start(app: &TestApp) -> (String, String) {
    let response = client()
        .get(app.url("/api/oauth/url"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let cookie = set_cookies(&response)
        .into_iter()
        .find(|c| c.starts_with("oauth-state="))
        .unwrap();
    for attribute in [
        "HttpOnly",
        "Secure",
        "Path=/api/auth",
        "SameSite=Lax",
        "Max-Age=600",
    ] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    let state = cookie["oauth-state=".len()..]
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let body: serde_json::Value = response.json().await.unwrap();
    (body["url"].as_str().unwrap().to_owned(), state)
}

/// The dashboard's callback: `GET /api/auth/token` + Google's whole query string.
async fn callback(app: &TestApp, query: &str, state_cookie: Option<&str>) -> reqwest::Response {
    let mut request = client().get(app.url(&format!("/api/auth/token?{query}")));
    if let Some(state) = state_cookie {
        request = request.header("cookie", format!("oauth-state={state}"));
    }
    request.send().await.unwrap()
}

async fn sign_in(
    app: &TestApp,
    google: &FakeGoogle,
    code: &str,
    claims: impl FnOnce(&str) -> serde_json::Value,
) -> reqwest::Response {
    let (url, state) = start(app).await;
    let nonce = query_param(&url, "nonce").unwrap();
    google
        .answer_code(code, &FakeGoogle::sign(&claims(&nonce), None))
        .await;
    let query =
        format!("code={code}&scope=openid+email+profile&authuser=0&prompt=consent&state={state}");
    callback(app, &query, Some(&state)).await
}

async fn profile(app: &TestApp, jwt: &str) -> serde_json::Value {
    client()
        .get(app.url("/api/user"))
        .header("authorization", format!("Bearer {jwt}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_first_google_sign_in_creates_the_user_and_logs_in() {
    let google = FakeGoogle::start().await;
    let app = app_with(&google).await;
    let (url, state) = start(&app).await;
    assert!(url.starts_with(&google.authorization_url()));
    assert_eq!(query_param(&url, "state").as_deref(), Some(state.as_str()));
    assert_eq!(
        query_param(&url, "code_challenge_method").as_deref(),
        Some("S256")
    );

    let response = sign_in(&app, &google, "code-1", |nonce| {
        FakeGoogle::claims("google-sub-1", "ada@gmail.example", nonce)
    })
    .await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let cookies = set_cookies(&response);
    assert!(
        cookies.iter().any(|c| c.starts_with("refresh-token=")),
        "{cookies:?}"
    );
    assert!(
        cookies.iter().any(|c| c.starts_with("oauth-state=;")),
        "state cleared: {cookies:?}"
    );
    let jwt = response.text().await.unwrap();
    assert_eq!(
        profile(&app, &jwt).await,
        json!({"email": "ada@gmail.example", "first_name": "Ada", "last_name": "Lovelace"})
    );

    // The client secret travelled in the body, with the PKCE verifier.
    let (url, body) = &google.token_requests().await[0];
    assert!(!url.contains(CLIENT_SECRET));
    assert!(body.contains("client_secret=") && body.contains("code_verifier="));

    // Signing in again finds the same user by `sub`.
    let again = sign_in(&app, &google, "code-2", |nonce| {
        FakeGoogle::claims("google-sub-1", "ada@new.example", nonce)
    })
    .await;
    assert_eq!(again.status(), 201);
    let jwt = again.text().await.unwrap();
    assert_eq!(profile(&app, &jwt).await["email"], "ada@gmail.example");
}

#[tokio::test]
async fn an_existing_user_is_matched_by_verified_email() {
    let google = FakeGoogle::start().await;
    let app = app_with(&google).await;
    let seeded = seed_user(&app, None).await;
    let email = seeded.email.clone();
    let response = sign_in(&app, &google, "code-1", |nonce| {
        FakeGoogle::claims("google-sub-9", &email, nonce)
    })
    .await;
    assert_eq!(response.status(), 201);
    let jwt = response.text().await.unwrap();
    let claims = jsonwebtoken::dangerous::insecure_decode::<serde_json::Value>(&jwt)
        .unwrap()
        .claims;
    assert_eq!(claims["uid"], format!("urn:uuid:{}", seeded.id));
}

#[tokio::test]
async fn the_state_must_come_back_with_the_browsers_cookie() {
    let google = FakeGoogle::start().await;
    let app = app_with(&google).await;
    let (url, state) = start(&app).await;
    let nonce = query_param(&url, "nonce").unwrap();
    google
        .answer_code(
            "code-1",
            &FakeGoogle::sign(&FakeGoogle::claims("s", "a@x.example", &nonce), None),
        )
        .await;
    // Login CSRF: an attacker's code and state in a victim's browser (no or another cookie).
    for cookie in [None, Some("another-state")] {
        let response = callback(&app, &format!("code=code-1&state={state}"), cookie).await;
        assert_eq!(
            msg(response).await,
            (403, "Invalid OAuth state".to_owned()),
            "{cookie:?}"
        );
    }
    let response = callback(&app, "code=code-1&state=forged", Some(&state)).await;
    assert_eq!(response.status(), 403);
    assert!(
        google.token_requests().await.is_empty(),
        "Google was not even asked"
    );
}

#[tokio::test]
async fn google_failures_never_log_in() {
    let google = FakeGoogle::start().await;
    let app = app_with(&google).await;
    let missing = callback(&app, "scope=openid", None).await;
    assert_eq!(
        msg(missing).await,
        (400, "Authorization code must be provided".to_owned())
    );
    let wrong_audience = sign_in(&app, &google, "code-1", |nonce| {
        let mut claims = FakeGoogle::claims("s", "a@x.example", nonce);
        claims["aud"] = json!("another-client");
        claims
    })
    .await;
    assert_eq!(
        msg(wrong_audience).await,
        (401, "Authentication Error".to_owned())
    );
    let unverified = sign_in(&app, &google, "code-2", |nonce| {
        let mut claims = FakeGoogle::claims("s", "a@x.example", nonce);
        claims["email_verified"] = json!(false);
        claims
    })
    .await;
    assert_eq!(unverified.status(), 401);
    let (_, state) = start(&app).await;
    google
        .fail_code("code-3", 400, json!({"error": "invalid_grant"}))
        .await;
    let refused = callback(&app, &format!("code=code-3&state={state}"), Some(&state)).await;
    assert_eq!(refused.status(), 401);
    assert!(refresh_cookie(&refused).is_none());
}

#[tokio::test]
async fn without_google_configuration_sign_in_is_unavailable_not_broken() {
    let app = TestApp::spawn().await;
    let response = client()
        .get(app.url("/api/oauth/url"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 503);
}
