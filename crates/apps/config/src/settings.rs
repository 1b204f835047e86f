use std::net::SocketAddr;
use std::path::Path;

use figment::Figment;
use figment::providers::{Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::env;
use crate::error::ConfigError;
use crate::notifications::{SmtpConfig, WebhookConfig};
use crate::sections::{
    AccessConfig, AlertsConfig, AmqpConfig, AuthConfig, DatabaseConfig, ExportsConfig,
    GoogleConfig, HttpConfig, IngestConfig, IngestMode, JobsConfig, LogConfig, MetricsConfig,
    SeriesConfig, StaConfig, TtnConfig, WebConfig,
};
use crate::telemetry::TelemetryConfig;

/// The file read when no `--config` is given, if it exists.
pub const DEFAULT_FILE: &str = "ents.toml";

/// Everything both binaries read.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub web: WebConfig,
    pub auth: AuthConfig,
    pub google: GoogleConfig,
    pub amqp: AmqpConfig,
    pub jobs: JobsConfig,
    pub ttn: TtnConfig,
    pub ingest: IngestConfig,
    pub access: AccessConfig,
    pub series: SeriesConfig,
    pub sta: StaConfig,
    pub exports: ExportsConfig,
    pub log: LogConfig,
    pub metrics: MetricsConfig,
    pub smtp: SmtpConfig,
    pub webhook: WebhookConfig,
    pub telemetry: TelemetryConfig,
    pub alerts: AlertsConfig,
}

impl Settings {
    /// The layered sources: the TOML file (the explicit one must exist), then the upstream
    /// variables, then `ENTS_…`. Callers may merge overrides (command-line flags) on top.
    pub fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::new();
        match file {
            Some(path) if !path.is_file() => {
                return Err(ConfigError::Invalid {
                    key: "--config",
                    problem: format!("file {} does not exist", path.display()),
                });
            }
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new(DEFAULT_FILE).is_file() => {
                figment = figment.merge(Toml::file_exact(DEFAULT_FILE));
            }
            None => {}
        }
        Ok(figment.merge(env::upstream()).merge(env::namespaced()))
    }

    /// Loads and validates the configuration from the usual sources.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        Self::from_figment(&Self::figment(file)?)
    }

    /// Extracts and validates; errors name the key.
    pub fn from_figment(figment: &Figment) -> Result<Self, ConfigError> {
        let settings: Settings = figment.extract()?;
        settings.validate()?;
        Ok(settings)
    }

    /// Checks what types alone cannot.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key, problem: &str| ConfigError::Invalid {
            key,
            problem: problem.into(),
        };
        self.listen_addr()?;
        self.metrics_addr()?;
        self.telemetry.validate()?;
        if self.database.pool_max_size == 0 {
            return Err(invalid("database.pool_max_size", "must be at least 1"));
        }
        if self.database.operation_timeout_ms == 0 {
            return Err(invalid("database.operation_timeout_ms", "must be positive"));
        }
        if self.database.host.is_empty() && self.database.url.is_none() {
            return Err(invalid("database.host", "must not be empty"));
        }
        if self.database.name.is_empty() && self.database.url.is_none() {
            return Err(invalid("database.name", "must not be empty"));
        }
        if self.http.body_limit_bytes == 0 || self.http.json_limit_bytes == 0 {
            return Err(invalid("http.body_limit_bytes", "limits must be positive"));
        }
        if self.http.body_read_timeout_ms == 0 {
            return Err(invalid("http.body_read_timeout_ms", "must be positive"));
        }
        if self.alerts.tick_secs == 0 || self.alerts.batch == 0 {
            return Err(invalid(
                "alerts.tick_secs",
                "tick and batch must be at least 1",
            ));
        }
        if self.http.max_connections == 0 {
            return Err(invalid("http.max_connections", "must be at least 1"));
        }
        let prefix = &self.sta.prefix;
        if self.sta.enabled
            && (!prefix.starts_with('/') || prefix.ends_with('/') || prefix.starts_with("/api/"))
        {
            return Err(invalid(
                "sta.prefix",
                "must start with '/', not end with '/', and not be under /api/",
            ));
        }
        if self.amqp.queue.trim().is_empty() {
            return Err(invalid("amqp.queue", "must not be empty"));
        }
        if self.amqp.prefetch == 0 {
            return Err(invalid("amqp.prefetch", "must be at least 1"));
        }
        if self.jobs.max_attempts < 1 {
            return Err(invalid("jobs.max_attempts", "must be at least 1"));
        }
        if self.jobs.in_process_concurrency == 0 {
            return Err(invalid("jobs.in_process_concurrency", "must be at least 1"));
        }
        if self.ingest.body_limit_bytes == 0 || self.ingest.batch_max == 0 {
            return Err(invalid(
                "ingest.body_limit_bytes",
                "body_limit_bytes and batch_max must be positive",
            ));
        }
        if self.ingest.mode == IngestMode::Queued && self.amqp.url.is_none() {
            return Err(invalid(
                "ingest.mode",
                "`queued` needs amqp.url (a RabbitMQ broker)",
            ));
        }
        if self.exports.batch_rows == 0 {
            return Err(invalid("exports.batch_rows", "must be at least 1"));
        }
        if self.exports.directory.as_os_str().is_empty() {
            return Err(invalid("exports.directory", "must not be empty"));
        }
        if let Some(dir) = &self.web.static_dir
            && !dir.join("index.html").is_file()
        {
            return Err(ConfigError::Invalid {
                key: "web.static_dir",
                problem: format!("{} has no index.html", dir.display()),
            });
        }
        self.validate_notifications()?;
        for origin in self.http.allowed_origins() {
            if !(origin.starts_with("http://") || origin.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    key: "http.cors_allowed_origins",
                    problem: format!("`{origin}` is not an http(s) origin"),
                });
            }
        }
        Ok(())
    }

    /// `[smtp]` and `[webhook]`: a mail server needs a sender address, credentials come in
    /// pairs, and nothing waits without a bound.
    fn validate_notifications(&self) -> Result<(), ConfigError> {
        let invalid = |key, problem: &str| ConfigError::Invalid {
            key,
            problem: problem.into(),
        };
        let smtp = &self.smtp;
        if smtp.timeout_ms == 0 {
            return Err(invalid("smtp.timeout_ms", "must be positive"));
        }
        if self.webhook.timeout_ms == 0 {
            return Err(invalid("webhook.timeout_ms", "must be positive"));
        }
        if smtp.username.is_some() != smtp.password.is_some() {
            return Err(invalid(
                "smtp.username",
                "smtp.username and smtp.password are set together or not at all",
            ));
        }
        if smtp.host.is_some() {
            match &smtp.from {
                None => return Err(invalid("smtp.from", "must be set when smtp.host is")),
                Some(from) if !from.contains('@') => {
                    return Err(invalid("smtp.from", "must be an e-mail address"));
                }
                Some(_) => {}
            }
            if smtp.port == Some(0) {
                return Err(invalid("smtp.port", "must not be 0"));
            }
        }
        Ok(())
    }

    /// The parsed `http.listen`.
    pub fn listen_addr(&self) -> Result<SocketAddr, ConfigError> {
        self.http.listen.parse().map_err(|_| ConfigError::Invalid {
            key: "http.listen",
            problem: format!("`{}` is not ADDR:PORT", self.http.listen),
        })
    }

    /// The parsed `metrics.listen`, `None` when metrics are disabled.
    pub fn metrics_addr(&self) -> Result<Option<SocketAddr>, ConfigError> {
        if !self.metrics.enabled {
            return Ok(None);
        }
        self.metrics
            .listen
            .parse()
            .map(Some)
            .map_err(|_| ConfigError::Invalid {
                key: "metrics.listen",
                problem: format!("`{}` is not ADDR:PORT", self.metrics.listen),
            })
    }

    /// The PostgreSQL connection string: `database.url` (`DATABASE_URL`) when set, else a
    /// key/value string built from the parts (no URL-escaping pitfalls with odd passwords).
    pub fn database_url(&self) -> SecretString {
        if let Some(url) = &self.database.url {
            return url.clone();
        }
        let db = &self.database;
        let mut parts = vec![
            format!("host={}", quote(&db.host)),
            format!("port={}", db.port),
            format!("dbname={}", quote(&db.name)),
        ];
        if let Some(user) = &db.user {
            parts.push(format!("user={}", quote(user)));
        }
        if let Some(password) = &db.password {
            parts.push(format!("password={}", quote(password.expose_secret())));
        }
        SecretString::from(parts.join(" "))
    }

    /// The effective configuration as TOML-like JSON, secrets redacted.
    pub fn redacted(&self) -> serde_json::Value {
        // Serialising plain data structs cannot fail; fall back to null rather than panic.
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

/// libpq key/value quoting: single quotes, backslash-escaped.
fn quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}
