//! The Google client against a local fake provider: the authorization URL, the code
//! exchange, and every check on the ID token.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "support/fake_google.rs"]
mod fake_google;

use std::time::Duration;

use aws_lc_rs::digest;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ents_auth::{GoogleClient, GoogleSettings};
use ents_domain::DomainError;
use ents_domain::auth::GoogleIdentityProvider;
use fake_google::{CLIENT_ID, CLIENT_SECRET, FakeGoogle, query_param};
use secrecy::SecretString;
use serde_json::json;

fn client(google: &FakeGoogle) -> GoogleClient {
    client_with(
        google.authorization_url(),
        google.token_url(),
        google.jwks_url(),
    )
}

fn client_with(authorization_url: String, token_url: String, jwks_url: String) -> GoogleClient {
    GoogleClient::new(GoogleSettings {
        client_id: Some(CLIENT_ID.into()),
        client_secret: Some(SecretString::from(CLIENT_SECRET)),
        redirect_uri: Some("http://localhost:3000/auth/callback".into()),
        authorization_url,
        token_url,
        jwks_url,
        timeout: Duration::from_secs(5),
        flow_key: b"flow key for tests".to_vec(),
    })
    .unwrap()
}

/// Starts a sign-in: (state, nonce, code_challenge).
fn begin(client: &GoogleClient) -> (String, String, String) {
    let request = client.authorization_request().unwrap();
    let nonce = query_param(&request.url, "nonce").unwrap();
    let challenge = query_param(&request.url, "code_challenge").unwrap();
    assert_eq!(
        query_param(&request.url, "state").as_deref(),
        Some(request.state.as_str())
    );
    (request.state, nonce, challenge)
}

fn is_refused(result: Result<impl std::fmt::Debug, DomainError>) -> bool {
    matches!(result, Err(DomainError::Unauthenticated(m)) if m == "Authentication Error")
}

#[tokio::test]
async fn the_authorization_url_has_a_random_state_pkce_and_a_nonce() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    let a = client.authorization_request().unwrap();
    let b = client.authorization_request().unwrap();
    assert_ne!(a.state, b.state);
    assert!(a.url.starts_with(&google.authorization_url()));
    for (name, value) in [
        ("client_id", CLIENT_ID),
        ("redirect_uri", "http://localhost:3000/auth/callback"),
        ("response_type", "code"),
        ("scope", "openid email profile"),
        ("code_challenge_method", "S256"),
    ] {
        assert_eq!(query_param(&a.url, name).as_deref(), Some(value), "{name}");
    }
    assert!(a.state.len() >= 43);
    assert!(!a.url.contains(CLIENT_SECRET));
    assert!(!a.url.contains(' '), "percent-encoded: {}", a.url);
}

#[tokio::test]
async fn a_valid_sign_in_yields_the_identity_and_sends_the_secret_in_the_body() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    let (state, nonce, challenge) = begin(&client);
    let token = FakeGoogle::sign(
        &FakeGoogle::claims("sub-1", "ada@example.com", &nonce),
        None,
    );
    google.answer_code("code-1", &token).await;

    let identity = client.identify("code-1", &state).await.unwrap();
    assert_eq!(identity.sub, "sub-1");
    assert_eq!(identity.email.as_deref(), Some("ada@example.com"));
    assert!(identity.email_verified);
    assert_eq!(identity.given_name.as_deref(), Some("Ada"));

    let requests = google.token_requests().await;
    assert_eq!(requests.len(), 1);
    let (url, body) = &requests[0];
    assert!(!url.contains(CLIENT_SECRET) && !url.contains('?'), "{url}");
    let form: std::collections::HashMap<String, String> =
        url::form_urlencoded::parse(body.as_bytes())
            .into_owned()
            .collect();
    assert_eq!(form["client_secret"], CLIENT_SECRET);
    assert_eq!(form["grant_type"], "authorization_code");
    assert_eq!(form["code"], "code-1");
    // The verifier sent matches the challenge of the authorization URL.
    let verifier = &form["code_verifier"];
    let computed = URL_SAFE_NO_PAD.encode(digest::digest(&digest::SHA256, verifier.as_bytes()));
    assert_eq!(computed, challenge);
}

#[tokio::test]
async fn id_tokens_failing_any_check_are_refused() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    let (state, nonce, _) = begin(&client);
    let valid = FakeGoogle::claims("sub-1", "ada@example.com", &nonce);
    let with = |key: &str, value: serde_json::Value| {
        let mut claims = valid.clone();
        claims[key] = value;
        claims
    };
    let without = |key: &str| {
        let mut claims = valid.clone();
        claims.as_object_mut().unwrap().remove(key);
        claims
    };
    let now = chrono::Utc::now().timestamp();
    let tampered = {
        let token = FakeGoogle::sign(&valid, None);
        let parts: Vec<&str> = token.split('.').collect();
        let payload = URL_SAFE_NO_PAD
            .encode(serde_json::to_vec(&with("sub", json!("someone-else"))).unwrap());
        format!("{}.{payload}.{}", parts[0], parts[2])
    };
    let hs256 = {
        let key = jsonwebtoken::EncodingKey::from_secret(b"guess").unwrap();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(fake_google::TEST_KID.into());
        jsonwebtoken::encode(&header, &valid, &key).unwrap()
    };
    let cases = [
        (
            "wrong audience",
            FakeGoogle::sign(&with("aud", json!("someone-else")), None),
        ),
        (
            "wrong issuer",
            FakeGoogle::sign(&with("iss", json!("https://evil.example")), None),
        ),
        (
            "expired",
            FakeGoogle::sign(&with("exp", json!(now - 60)), None),
        ),
        ("no exp", FakeGoogle::sign(&without("exp"), None)),
        (
            "wrong nonce",
            FakeGoogle::sign(&with("nonce", json!("replayed")), None),
        ),
        ("no nonce", FakeGoogle::sign(&without("nonce"), None)),
        (
            "unknown key id",
            FakeGoogle::sign(&valid, Some("other-key")),
        ),
        ("tampered payload", tampered),
        ("HS256 instead of RS256", hs256),
        ("not a JWT", "garbage".to_owned()),
    ];
    for (i, (name, token)) in cases.iter().enumerate() {
        let code = format!("bad-{i}");
        google.answer_code(&code, token).await;
        assert!(is_refused(client.identify(&code, &state).await), "{name}");
    }
}

#[tokio::test]
async fn a_token_from_another_sign_in_fails_its_nonce() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    let (_, nonce_a, _) = begin(&client);
    let (state_b, _, _) = begin(&client);
    let token = FakeGoogle::sign(
        &FakeGoogle::claims("sub-1", "a@example.com", &nonce_a),
        None,
    );
    google.answer_code("code-x", &token).await;
    assert!(is_refused(client.identify("code-x", &state_b).await));
}

#[tokio::test]
async fn googles_refusals_and_outages_are_told_apart() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    let (state, _, _) = begin(&client);
    google
        .fail_code("used", 400, json!({"error": "invalid_grant"}))
        .await;
    assert!(is_refused(client.identify("used", &state).await));
    google
        .fail_code("boom", 503, json!({"error": "backend"}))
        .await;
    assert!(matches!(
        client.identify("boom", &state).await,
        Err(DomainError::Unavailable(_))
    ));
    google
        .fail_code("empty", 200, json!({"access_token": "x"}))
        .await;
    assert!(is_refused(client.identify("empty", &state).await));

    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let dead = format!("http://127.0.0.1:{port}");
    let offline = client_with(
        format!("{dead}/auth"),
        format!("{dead}/token"),
        format!("{dead}/certs"),
    );
    assert!(matches!(
        offline.identify("code", &state).await,
        Err(DomainError::Unavailable(_))
    ));
}

#[tokio::test]
async fn googles_keys_are_fetched_once_and_cached() {
    let google = FakeGoogle::start().await;
    let client = client(&google);
    for i in 0..3 {
        let (state, nonce, _) = begin(&client);
        let token = FakeGoogle::sign(&FakeGoogle::claims("sub", "a@example.com", &nonce), None);
        let code = format!("code-{i}");
        google.answer_code(&code, &token).await;
        client.identify(&code, &state).await.unwrap();
    }
    assert_eq!(google.jwks_fetches().await, 1);
}

#[tokio::test]
async fn without_a_client_id_sign_in_is_unavailable() {
    let google = FakeGoogle::start().await;
    let client = GoogleClient::new(GoogleSettings {
        client_id: None,
        client_secret: None,
        redirect_uri: None,
        authorization_url: google.authorization_url(),
        token_url: google.token_url(),
        jwks_url: google.jwks_url(),
        timeout: Duration::from_secs(5),
        flow_key: vec![1; 32],
    })
    .unwrap();
    assert!(matches!(
        client.authorization_request(),
        Err(DomainError::Unavailable(_))
    ));
    assert!(matches!(
        client.identify("code", "state").await,
        Err(DomainError::Unavailable(_))
    ));
}
