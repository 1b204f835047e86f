//! The [`GoogleIdentityProvider`] adapter.

use std::time::Duration;

use async_trait::async_trait;
use aws_lc_rs::hmac;
use ents_domain::DomainError;
use ents_domain::auth::{
    AuthorizationRequest, GOOGLE_AUTHENTICATION_ERROR, GoogleIdentity, GoogleIdentityProvider,
};
use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::flow::Flow;
use super::id_token;
use super::jwks::JwksCache;
use crate::error::AuthError;

/// What the Google client needs from the configuration.
pub struct GoogleSettings {
    /// `GOOGLE_CLIENT_ID`; also the expected audience of ID tokens. Unset: sign-in is off.
    pub client_id: Option<String>,
    /// `GOOGLE_CLIENT_SECRET`.
    pub client_secret: Option<SecretString>,
    /// `OAUTH_REDIRECT_URI` (the dashboard's `/auth/callback`).
    pub redirect_uri: Option<String>,
    pub authorization_url: String,
    pub token_url: String,
    pub jwks_url: String,
    /// Bound on each call to Google.
    pub timeout: Duration,
    /// The server key the PKCE verifier and nonce are derived with (see `flow.rs`); must be
    /// the same on every instance behind one load balancer.
    pub flow_key: Vec<u8>,
}

/// Google sign-in. Cheap to share (`Arc`).
pub struct GoogleClient {
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    redirect_uri: Option<String>,
    authorization_url: Url,
    token_url: String,
    http: reqwest::Client,
    jwks: JwksCache,
    flow_key: hmac::Key,
}

impl std::fmt::Debug for GoogleClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleClient")
            .field("client_id", &self.client_id)
            .field("redirect_uri", &self.redirect_uri)
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct TokenResponse {
    id_token: Option<String>,
}

fn not_configured() -> DomainError {
    DomainError::Unavailable("Google sign-in is not configured".to_owned())
}

impl GoogleClient {
    /// Errors: `InvalidUrl` for a malformed authorization URL; `HttpClient`.
    pub fn new(settings: GoogleSettings) -> Result<Self, AuthError> {
        let authorization_url =
            Url::parse(&settings.authorization_url).map_err(|e| AuthError::InvalidUrl {
                name: "google.authorization_url",
                reason: e.to_string(),
            })?;
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .build()
            .map_err(|e| AuthError::HttpClient(e.to_string()))?;
        if settings.client_id.is_none() {
            tracing::info!("Google sign-in is off (GOOGLE_CLIENT_ID is not set)");
        }
        Ok(Self {
            client_id: settings.client_id.filter(|s| !s.is_empty()),
            client_secret: settings.client_secret,
            redirect_uri: settings.redirect_uri.filter(|s| !s.is_empty()),
            authorization_url,
            token_url: settings.token_url,
            jwks: JwksCache::new(settings.jwks_url, http.clone()),
            http,
            flow_key: hmac::Key::new(hmac::HMAC_SHA256, &settings.flow_key),
        })
    }

    fn configured(&self) -> Result<(&str, &str), DomainError> {
        match (&self.client_id, &self.redirect_uri) {
            (Some(id), Some(uri)) => Ok((id, uri)),
            _ => Err(not_configured()),
        }
    }

    /// The code exchange: the `id_token` Google returns for `code`.
    async fn exchange(&self, code: &str, flow: &Flow) -> Result<String, DomainError> {
        let (client_id, redirect_uri) = self.configured()?;
        let secret = self
            .client_secret
            .as_ref()
            .map(|s| s.expose_secret())
            .unwrap_or_default();
        // Form body, not query string: the secret must not end up in access logs (D-10).
        let form = [
            ("client_id", client_id),
            ("client_secret", secret),
            ("code", code),
            ("code_verifier", flow.verifier.as_str()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
        ];
        let response = self
            .http
            .post(&self.token_url)
            .form(&form)
            .send()
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "Google's token endpoint cannot be reached");
                DomainError::Unavailable("Google sign-in is unavailable".to_owned())
            })?;
        let status = response.status();
        if status.is_server_error() {
            tracing::warn!(%status, "Google's token endpoint failed");
            return Err(DomainError::Unavailable(
                "Google sign-in is unavailable".to_owned(),
            ));
        }
        let refused = || DomainError::Unauthenticated(GOOGLE_AUTHENTICATION_ERROR.to_owned());
        if !status.is_success() {
            // invalid_grant: a reused, expired or forged code, or a PKCE mismatch.
            tracing::warn!(%status, "Google refused the authorization code");
            return Err(refused());
        }
        let body: TokenResponse = response.json().await.map_err(|e| {
            tracing::warn!(error = %e, "unreadable answer from Google's token endpoint");
            refused()
        })?;
        body.id_token.ok_or_else(refused)
    }
}

#[async_trait]
impl GoogleIdentityProvider for GoogleClient {
    fn authorization_request(&self) -> Result<AuthorizationRequest, DomainError> {
        let (client_id, redirect_uri) = self.configured()?;
        let flow = Flow::start(&self.flow_key).map_err(|e| DomainError::internal(e.to_string()))?;
        let mut url = self.authorization_url.clone();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", "openid email profile")
            .append_pair("state", &flow.state)
            .append_pair("code_challenge", &flow.challenge())
            .append_pair("code_challenge_method", "S256")
            .append_pair("nonce", &flow.nonce)
            .append_pair("prompt", "select_account");
        Ok(AuthorizationRequest {
            url: url.into(),
            state: flow.state,
        })
    }

    async fn identify(&self, code: &str, state: &str) -> Result<GoogleIdentity, DomainError> {
        let (client_id, _) = self.configured()?;
        let flow = Flow::resume(&self.flow_key, state.to_owned());
        let id_token = self.exchange(code, &flow).await?;
        id_token::verify(&id_token, &self.jwks, client_id, &flow.nonce).await
    }
}
