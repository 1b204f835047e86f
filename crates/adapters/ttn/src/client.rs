use std::time::Duration;

use async_trait::async_trait;
use ents_domain::loggers::{DeviceRegistration, DeviceRegistry, RegistryError};
use reqwest::{Method, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::device;
use crate::error::{BuildError, status_error, transport_error};

/// Where TTN is and how to talk to it.
#[derive(Clone)]
pub struct TtnSettings {
    /// Identity Server API base, e.g. `https://eu1.cloud.thethings.network/api/v3`.
    pub identity_server_url: String,
    /// Cluster API base for the NS, AS and JS, e.g. `https://nam1.cloud.thethings.network/api/v3`.
    pub cluster_url: String,
    pub app_id: String,
    pub api_key: SecretString,
    /// Per request, connection included.
    pub timeout: Duration,
}

impl std::fmt::Debug for TtnSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TtnSettings")
            .field("identity_server_url", &self.identity_server_url)
            .field("cluster_url", &self.cluster_url)
            .field("app_id", &self.app_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// The TTN client. Holds its settings and a connection pool, nothing about any device.
#[derive(Debug, Clone)]
pub struct TtnClient {
    http: reqwest::Client,
    is: String,
    cluster: String,
    /// The cluster's host name: the NS/AS/JS addresses devices are registered with.
    cluster_host: String,
    app_id: String,
    api_key: SecretString,
}

/// One registry call: the server part of the URL and a name for messages.
#[derive(Clone, Copy)]
enum Server {
    Identity,
    Network,
    Application,
    Join,
}

impl Server {
    fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity server",
            Self::Network => "network server",
            Self::Application => "application server",
            Self::Join => "join server",
        }
    }
}

impl TtnClient {
    pub fn new(settings: TtnSettings) -> Result<Self, BuildError> {
        let cluster = trimmed(&settings.cluster_url);
        let cluster_host = reqwest::Url::parse(&cluster)
            .map_err(|e| invalid(&cluster, e.to_string()))?
            .host_str()
            .ok_or_else(|| invalid(&cluster, "no host".into()))?
            .to_owned();
        let is = trimmed(&settings.identity_server_url);
        reqwest::Url::parse(&is).map_err(|e| invalid(&is, e.to_string()))?;
        if settings.app_id.is_empty()
            || !settings
                .app_id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(&settings.app_id, "not a TTN application id".into()));
        }
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .user_agent(concat!("ents-backend/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self {
            http,
            is,
            cluster,
            cluster_host,
            app_id: settings.app_id,
            api_key: settings.api_key,
        })
    }

    fn url(&self, server: Server, device_id: Option<&str>) -> String {
        let app = &self.app_id;
        let base = match server {
            Server::Identity => format!("{}/applications/{app}/devices", self.is),
            Server::Network => format!("{}/ns/applications/{app}/devices", self.cluster),
            Server::Application => format!("{}/as/applications/{app}/devices", self.cluster),
            Server::Join => format!("{}/js/applications/{app}/devices", self.cluster),
        };
        match device_id {
            Some(id) => format!("{base}/{id}"),
            None => base,
        }
    }

    async fn send(
        &self,
        method: Method,
        url: String,
        body: Option<&Value>,
        step: &str,
    ) -> Result<reqwest::Response, RegistryError> {
        let mut request = self
            .http
            .request(method, url)
            .bearer_auth(self.api_key.expose_secret())
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.map_err(|e| transport_error(step, &e))
    }

    /// Sends one step of a registration; 2xx is success.
    async fn put_step(
        &self,
        server: Server,
        method: Method,
        device_id: Option<&str>,
        body: &Value,
    ) -> Result<StatusCode, RegistryError> {
        let step = format!("registering on the {}", server.name());
        let response = self
            .send(method, self.url(server, device_id), Some(body), &step)
            .await?;
        let status = response.status();
        // A device that exists on the IS is ours (`dirtviz-<id>`): from an earlier attempt.
        if status.is_success()
            || (matches!(server, Server::Identity) && status == StatusCode::CONFLICT)
        {
            Ok(status)
        } else {
            Err(status_error(&step, status))
        }
    }

    async fn register_all(&self, d: &DeviceRegistration) -> Result<(), (bool, RegistryError)> {
        let (app, host) = (self.app_id.as_str(), self.cluster_host.as_str());
        let id = Some(d.device_id.as_str());
        self.put_step(
            Server::Identity,
            Method::POST,
            None,
            &device::identity_server(app, host, d),
        )
        .await
        .map_err(|e| (false, e))?;
        // From here on something exists on TTN: a failure must undo it.
        self.put_step(
            Server::Network,
            Method::PUT,
            id,
            &device::network_server(app, host, d),
        )
        .await
        .map_err(|e| (true, e))?;
        self.put_step(
            Server::Application,
            Method::POST,
            None,
            &device::application_server(app, host, d),
        )
        .await
        .map_err(|e| (true, e))?;
        self.put_step(
            Server::Join,
            Method::POST,
            None,
            &device::join_server(app, host, d),
        )
        .await
        .map_err(|e| (true, e))?;
        Ok(())
    }
}

#[async_trait]
impl DeviceRegistry for TtnClient {
    async fn register(&self, d: &DeviceRegistration) -> Result<(), RegistryError> {
        checked(&d.device_id)?;
        match self.register_all(d).await {
            Ok(()) => {
                tracing::info!(device_id = %d.device_id, "registered with TTN");
                Ok(())
            }
            Err((false, error)) => Err(error),
            Err((true, error)) => match self.deregister(&d.device_id).await {
                Ok(()) => Err(with_message(
                    error,
                    "; the partial registration was removed",
                )),
                Err(rollback) => {
                    tracing::warn!(device_id = %d.device_id, %rollback, "TTN rollback failed");
                    Err(with_message(
                        error,
                        &format!("; removing the partial registration failed too ({rollback})"),
                    ))
                }
            },
        }
    }

    async fn get(&self, device_id: &str) -> Result<Option<Value>, RegistryError> {
        checked(device_id)?;
        let step = "reading from the identity server";
        let url = format!(
            "{}?field_mask=name,description,created_at,updated_at",
            self.url(Server::Identity, Some(device_id))
        );
        let response = self.send(Method::GET, url, None, step).await?;
        match response.status() {
            StatusCode::NOT_FOUND => Ok(None),
            s if s.is_success() => response
                .json()
                .await
                .map(Some)
                .map_err(|e| transport_error(step, &e)),
            s => Err(status_error(step, s)),
        }
    }

    async fn rename(&self, device_id: &str, name: &str) -> Result<(), RegistryError> {
        checked(device_id)?;
        let step = "renaming on the identity server";
        let body = device::rename(&self.app_id, device_id, name);
        let response = self
            .send(
                Method::PUT,
                self.url(Server::Identity, Some(device_id)),
                Some(&body),
                step,
            )
            .await?;
        match response.status() {
            s if s.is_success() => Ok(()),
            s => Err(status_error(step, s)),
        }
    }

    async fn deregister(&self, device_id: &str) -> Result<(), RegistryError> {
        checked(device_id)?;
        for server in [
            Server::Network,
            Server::Application,
            Server::Join,
            Server::Identity,
        ] {
            let step = format!("deleting from the {}", server.name());
            let response = self
                .send(
                    Method::DELETE,
                    self.url(server, Some(device_id)),
                    None,
                    &step,
                )
                .await?;
            let status = response.status();
            if !(status.is_success() || status == StatusCode::NOT_FOUND) {
                return Err(status_error(&step, status));
            }
        }
        tracing::info!(%device_id, "removed from TTN");
        Ok(())
    }
}

fn trimmed(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

fn invalid(url: &str, reason: String) -> BuildError {
    BuildError::InvalidUrl {
        url: url.to_owned(),
        reason,
    }
}

/// Device ids go into URL paths: only ours (`dirtviz-<digits>`) are accepted.
fn checked(device_id: &str) -> Result<(), RegistryError> {
    match device_id.strip_prefix("dirtviz-") {
        Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => Ok(()),
        _ => Err(RegistryError::Permanent(format!(
            "not a device id of this backend: {device_id:?}"
        ))),
    }
}

fn with_message(error: RegistryError, suffix: &str) -> RegistryError {
    match error {
        RegistryError::Retryable(m) => RegistryError::Retryable(m + suffix),
        RegistryError::Permanent(m) => RegistryError::Permanent(m + suffix),
    }
}
