//! The service configuration, one typed struct per concern.
//!
//! Sources, later ones winning: built-in defaults → an optional TOML file (`--config PATH`,
//! else `ents.toml` in the working directory) → the upstream environment variable names
//! (`DB_USER`, `ACCESS_TOKEN_SECRET`, …, see [`env::UPSTREAM_VARIABLES`]) → `ENTS_…`
//! variables nested with `__` (`ENTS_DATABASE__POOL_MAX_SIZE=32`). Every key is documented
//! in `docs/configuration.md`. Secrets are `SecretString`s: never logged, redacted when the
//! configuration is printed.

mod de;
mod env;
mod error;
mod notifications;
mod redact;
mod sections;
mod settings;
mod telemetry;

pub use env::UPSTREAM_VARIABLES;
pub use error::ConfigError;
pub use notifications::{SmtpConfig, SmtpTls, WebhookConfig};
pub use sections::{
    AccessConfig, AlertsConfig, AmqpConfig, AuthConfig, DatabaseConfig, ExportsConfig,
    GoogleConfig, HttpConfig, IngestConfig, IngestMode, JobsConfig, LogConfig, LogFormat,
    MetricsConfig, SeriesConfig, StaConfig, TtnConfig, WebConfig,
};
pub use settings::Settings;
pub use telemetry::TelemetryConfig;
