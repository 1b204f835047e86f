#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]
//! Starts the real HTTP adapter on port 0 with a given state.

use std::net::TcpListener;
use std::sync::Arc;

use async_trait::async_trait;
use ents_domain::health::ReadinessProbe;
use ents_http::{AppState, HttpSettings};

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
}

impl TestServer {
    pub async fn start(state: AppState, settings: HttpSettings) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = ents_http::serve(listener, state, settings).unwrap();
        tokio::spawn(server);
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }
}

/// A readiness probe with a fixed answer: these tests are about the HTTP mapping, not
/// about a real dependency (the server crate's tests use the real database and broker).
pub struct FixedProbe {
    pub name: &'static str,
    pub ok: bool,
}

#[async_trait]
impl ReadinessProbe for FixedProbe {
    fn name(&self) -> &'static str {
        self.name
    }
    async fn check(&self) -> Result<(), String> {
        if self.ok {
            Ok(())
        } else {
            Err("connection refused".into())
        }
    }
}

pub fn state_with(probes: &[(&'static str, bool)]) -> AppState {
    AppState {
        readiness: probes
            .iter()
            .map(|(name, ok)| Arc::new(FixedProbe { name, ok: *ok }) as Arc<dyn ReadinessProbe>)
            .collect(),
        ..AppState::default()
    }
}
