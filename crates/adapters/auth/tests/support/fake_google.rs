//! A local stand-in for Google's OAuth endpoints (wiremock): it serves a JWKS with the test
//! key of `fixtures/`, answers the code exchange with ID tokens signed by that key, and
//! records what it received. Shared by the auth crate's tests and the server's end-to-end
//! tests (included with `#[path]`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const TEST_KEY_PEM: &str = include_str!("../fixtures/google_test_key.pem");
pub const TEST_JWKS: &str = include_str!("../fixtures/google_test_jwks.json");
pub const TEST_KID: &str = "test-key-1";
pub const CLIENT_ID: &str = "ents-test.apps.googleusercontent.com";
pub const CLIENT_SECRET: &str = "google-client-secret-for-tests";

pub struct FakeGoogle {
    pub server: MockServer,
}

impl FakeGoogle {
    /// Starts the fake with its JWKS mounted.
    pub async fn start() -> Self {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/oauth2/v3/certs"))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("cache-control", "public, max-age=3600")
                    .set_body_raw(TEST_JWKS, "application/json"),
            )
            .mount(&server)
            .await;
        Self { server }
    }

    pub fn authorization_url(&self) -> String {
        format!("{}/o/oauth2/v2/auth", self.server.uri())
    }

    pub fn token_url(&self) -> String {
        format!("{}/token", self.server.uri())
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/oauth2/v3/certs", self.server.uri())
    }

    /// Valid claims for a person, as Google sends them.
    pub fn claims(sub: &str, email: &str, nonce: &str) -> Value {
        let now = chrono::Utc::now().timestamp();
        json!({
            "iss": "https://accounts.google.com",
            "azp": CLIENT_ID,
            "aud": CLIENT_ID,
            "sub": sub,
            "email": email,
            "email_verified": true,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "nonce": nonce,
            "iat": now,
            "exp": now + 3600,
        })
    }

    /// An RS256 ID token signed with the test key (or `kid` overridden).
    pub fn sign(claims: &Value, kid: Option<&str>) -> String {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(kid.unwrap_or(TEST_KID).to_owned());
        let key = EncodingKey::from_rsa_pem(TEST_KEY_PEM.as_bytes()).unwrap();
        jsonwebtoken::encode(&header, claims, &key).unwrap()
    }

    /// The token endpoint answers `code` with this ID token.
    pub async fn answer_code(&self, code: &str, id_token: &str) {
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains(format!("code={code}&")))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({
                "access_token": "ya29.google-access-token",
                "expires_in": 3599,
                "token_type": "Bearer",
                "scope": "openid email profile",
                "id_token": id_token,
            })))
            .mount(&self.server)
            .await;
    }

    /// The token endpoint answers `code` with this status and body.
    pub async fn fail_code(&self, code: &str, status: u16, body: Value) {
        Mock::given(method("POST"))
            .and(path("/token"))
            .and(body_string_contains(format!("code={code}&")))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&self.server)
            .await;
    }

    /// The form bodies posted to the token endpoint, in order.
    pub async fn token_requests(&self) -> Vec<(String, String)> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == "/token")
            .map(|r| {
                (
                    r.url.to_string(),
                    String::from_utf8_lossy(&r.body).into_owned(),
                )
            })
            .collect()
    }

    /// How many times the JWKS was fetched.
    pub async fn jwks_fetches(&self) -> usize {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .iter()
            .filter(|r| r.url.path() == "/oauth2/v3/certs")
            .count()
    }
}

/// The value of `name` in a URL's query string.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
