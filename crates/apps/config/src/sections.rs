//! One struct per concern. Field docs name the environment variables that set them; the
//! generic form is always `ENTS_<SECTION>__<FIELD>`.

use std::path::PathBuf;
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::{de, redact};

/// PostgreSQL. `url` (`DATABASE_URL`) wins over the parts (`DB_USER`, `DB_PASS`, `DB_HOST`,
/// `DB_PORT`, `DB_DATABASE`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// Full connection URL, e.g. `postgres://user:pass@host:5432/ents`.
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub url: Option<SecretString>,
    #[serde(deserialize_with = "de::opt_text")]
    pub user: Option<String>,
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub password: Option<SecretString>,
    #[serde(deserialize_with = "de::text")]
    pub host: String,
    pub port: u16,
    /// Database name.
    #[serde(deserialize_with = "de::text")]
    pub name: String,
    /// `serve` creates the database when it does not exist yet (then migrates it).
    pub create_if_missing: bool,
    /// `serve` applies pending migrations at start.
    pub migrate_on_start: bool,
    pub pool_max_size: usize,
    /// How long a request waits for a free connection before it gets 503.
    pub pool_wait_timeout_ms: u64,
    pub pool_create_timeout_ms: u64,
    pub pool_recycle_timeout_ms: u64,
    pub connect_timeout_ms: u64,
    /// PostgreSQL `statement_timeout` for every connection.
    pub statement_timeout_ms: u64,
    /// Client-side deadline of one database operation (checkout and statements) on any
    /// path: past it the caller gets `Unavailable` (503), even if the database stopped
    /// answering without closing (a partition). Also `idle_in_transaction_session_timeout`
    /// and `TCP_USER_TIMEOUT`.
    pub operation_timeout_ms: u64,
    /// Every pooled session runs `SET track_functions = 'pl'`, so PostgreSQL times the rollup
    /// triggers and `ents_rollup_maintenance_seconds_total` has something to report. Needs a
    /// superuser or PostgreSQL 15's `GRANT SET ON PARAMETER track_functions TO <role>`
    /// (`ENTS_DATABASE__TRACK_FUNCTIONS`).
    pub track_functions: bool,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            url: None,
            user: Some("postgres".into()),
            password: None,
            host: "127.0.0.1".into(),
            port: 5432,
            name: "ents".into(),
            create_if_missing: true,
            migrate_on_start: true,
            pool_max_size: 16,
            pool_wait_timeout_ms: 2_000,
            pool_create_timeout_ms: 3_000,
            pool_recycle_timeout_ms: 2_000,
            connect_timeout_ms: 3_000,
            statement_timeout_ms: 5_000,
            operation_timeout_ms: 5_000,
            track_functions: false,
        }
    }
}

impl DatabaseConfig {
    pub fn wait_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_wait_timeout_ms)
    }
    pub fn create_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_create_timeout_ms)
    }
    pub fn recycle_timeout(&self) -> Duration {
        Duration::from_millis(self.pool_recycle_timeout_ms)
    }
    pub fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }
    pub fn statement_timeout(&self) -> Duration {
        Duration::from_millis(self.statement_timeout_ms)
    }
    pub fn operation_timeout(&self) -> Duration {
        Duration::from_millis(self.operation_timeout_ms)
    }
}

/// The HTTP listener and request handling.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// `ADDR:PORT`; `serve --listen` overrides it.
    #[serde(deserialize_with = "de::text")]
    pub listen: String,
    /// actix worker threads; default: one per core.
    pub workers: Option<usize>,
    /// Largest accepted request body, any route.
    pub body_limit_bytes: usize,
    /// Largest accepted JSON body.
    pub json_limit_bytes: usize,
    /// Origins allowed by CORS and by the cookie-write guard (`CLIENT_URL` and `PUBLIC_URL`
    /// are added automatically).
    #[serde(deserialize_with = "de::string_list")]
    pub cors_allowed_origins: Vec<String>,
    /// Peers whose `X-Forwarded-For` is believed (reverse proxies).
    #[serde(deserialize_with = "de::string_list")]
    pub trusted_proxies: Vec<String>,
    /// The dashboard's URL (`CLIENT_URL`).
    #[serde(deserialize_with = "de::opt_text")]
    pub client_url: Option<String>,
    /// The public URL of this deployment (`PUBLIC_URL`).
    #[serde(deserialize_with = "de::opt_text")]
    pub public_url: Option<String>,
    /// Seconds to let in-flight requests finish on shutdown.
    pub shutdown_timeout_secs: u64,
    /// Longest wait for a request's head (line and headers) once a connection is open or
    /// idle between requests; then 408 and the connection is closed. 0 disables it.
    pub client_request_timeout_ms: u64,
    /// Longest wait for a client to close its side after the response. 0 disables it.
    pub client_disconnect_timeout_ms: u64,
    /// Longest time to receive a request's whole body, from the end of its head; then 408
    /// and the connection is closed.
    pub body_read_timeout_ms: u64,
    /// Most open connections per worker thread; further ones wait in the kernel's backlog.
    pub max_connections: usize,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:8000".into(),
            workers: None,
            body_limit_bytes: 10 * 1024 * 1024,
            json_limit_bytes: 1024 * 1024,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            client_url: None,
            public_url: None,
            shutdown_timeout_secs: 30,
            client_request_timeout_ms: 5_000,
            client_disconnect_timeout_ms: 1_000,
            body_read_timeout_ms: 20_000,
            max_connections: 4_096,
        }
    }
}

impl HttpConfig {
    /// Every origin the browser may call from: the configured list plus `CLIENT_URL` and
    /// `PUBLIC_URL`, without trailing slashes, deduplicated.
    pub fn allowed_origins(&self) -> Vec<String> {
        let mut origins: Vec<String> = self
            .cors_allowed_origins
            .iter()
            .chain(self.client_url.iter())
            .chain(self.public_url.iter())
            .map(|o| o.trim_end_matches('/').to_owned())
            .filter(|o| !o.is_empty())
            .collect();
        origins.sort();
        origins.dedup();
        origins
    }
}

/// The built React dashboard served from the same origin.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebConfig {
    /// A directory with `index.html`; client routes fall back to it. Unset: no UI served.
    pub static_dir: Option<PathBuf>,
}

/// Token signing.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// HS256 key of access tokens (`ACCESS_TOKEN_SECRET`). Unset: a random key per process
    /// (tokens do not survive a restart; a warning is logged).
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub access_token_secret: Option<SecretString>,
    /// HS256 key of refresh tokens (`REFRESH_TOKEN_SECRET`).
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub refresh_token_secret: Option<SecretString>,
    pub access_token_ttl_secs: u64,
    pub refresh_token_ttl_secs: u64,
    /// How long a rotated refresh token may still be presented without revoking its login
    /// (the dashboard refreshes in parallel).
    pub refresh_reuse_grace_secs: u64,
    /// Anyone may create a local account (`POST /api/auth/register`).
    pub allow_registration: bool,
    /// Failed sign-ins (password, Google code exchange) per client IP and window before 429.
    pub max_login_failures: u32,
    /// Failed refreshes and unknown API keys per client IP and window before 429.
    pub max_credential_failures: u32,
    /// The window of both limits.
    pub failure_window_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            access_token_secret: None,
            refresh_token_secret: None,
            access_token_ttl_secs: 15 * 60,
            refresh_token_ttl_secs: 24 * 60 * 60,
            refresh_reuse_grace_secs: 10,
            allow_registration: true,
            max_login_failures: 10,
            max_credential_failures: 100,
            failure_window_secs: 10 * 60,
        }
    }
}

/// Google sign-in. Every endpoint is configurable so tests can use a local fake provider.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoogleConfig {
    /// `GOOGLE_CLIENT_ID`; also the expected audience of ID tokens.
    #[serde(deserialize_with = "de::opt_text")]
    pub client_id: Option<String>,
    /// `GOOGLE_CLIENT_SECRET`.
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub client_secret: Option<SecretString>,
    /// `OAUTH_REDIRECT_URI` (the dashboard's `/auth/callback`).
    #[serde(deserialize_with = "de::opt_text")]
    pub redirect_uri: Option<String>,
    #[serde(deserialize_with = "de::text")]
    pub authorization_url: String,
    #[serde(deserialize_with = "de::text")]
    pub token_url: String,
    #[serde(deserialize_with = "de::text")]
    pub jwks_url: String,
}

impl Default for GoogleConfig {
    fn default() -> Self {
        Self {
            client_id: None,
            client_secret: None,
            redirect_uri: None,
            authorization_url: "https://accounts.google.com/o/oauth2/v2/auth".into(),
            token_url: "https://oauth2.googleapis.com/token".into(),
            jwks_url: "https://www.googleapis.com/oauth2/v3/certs".into(),
        }
    }
}

/// RabbitMQ. Unset `url`: jobs run in an in-process queue (the embedded mode).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AmqpConfig {
    /// e.g. `amqp://guest:guest@127.0.0.1:5672/%2f`.
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub url: Option<SecretString>,
    /// Base queue name; `.retry` and `.dead` queues are derived from it.
    #[serde(deserialize_with = "de::text")]
    pub queue: String,
    /// Unacknowledged deliveries per consumer.
    pub prefetch: u16,
    /// How long a publish waits for the broker's confirm.
    pub confirm_timeout_ms: u64,
}

impl Default for AmqpConfig {
    fn default() -> Self {
        Self {
            url: None,
            queue: "ents.jobs".into(),
            prefetch: 8,
            confirm_timeout_ms: 5_000,
        }
    }
}

/// Job execution.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct JobsConfig {
    /// Attempts before a job is dead-lettered.
    pub max_attempts: i32,
    /// Concurrent jobs of the in-process queue (embedded mode).
    pub in_process_concurrency: usize,
    /// A claim's validity without a progress report.
    pub lease_secs: u64,
    /// First retry delay; doubles per attempt.
    pub retry_backoff_ms: u64,
    pub max_backoff_secs: u64,
    /// How often lost job messages are looked for.
    pub sweep_interval_secs: u64,
    /// How long a runnable job may wait before its message is presumed lost.
    pub sweep_grace_secs: u64,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            in_process_concurrency: 2,
            lease_secs: 300,
            retry_backoff_ms: 2_000,
            max_backoff_secs: 300,
            sweep_interval_secs: 30,
            sweep_grace_secs: 60,
        }
    }
}

/// The Things Network device registry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TtnConfig {
    /// `TTN_API_KEY`.
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub api_key: Option<SecretString>,
    /// `TTN_APP_ID`.
    #[serde(deserialize_with = "de::opt_text")]
    pub app_id: Option<String>,
    /// Identity Server base (end-device registry).
    #[serde(deserialize_with = "de::text")]
    pub identity_server_url: String,
    /// Cluster base for the NS, AS and JS registries.
    #[serde(deserialize_with = "de::text")]
    pub cluster_url: String,
    /// When set, the webhook must send this value in `webhook_secret_header`.
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub webhook_secret: Option<SecretString>,
    #[serde(deserialize_with = "de::text")]
    pub webhook_secret_header: String,
    /// Timeout of each request to TTN (connection included), in milliseconds.
    pub request_timeout_ms: u64,
}

impl Default for TtnConfig {
    fn default() -> Self {
        Self {
            api_key: None,
            app_id: None,
            identity_server_url: "https://eu1.cloud.thethings.network/api/v3".into(),
            cluster_url: "https://nam1.cloud.thethings.network/api/v3".into(),
            webhook_secret: None,
            webhook_secret_header: "X-Webhook-Secret".into(),
            request_timeout_ms: 10_000,
        }
    }
}

impl TtnConfig {
    /// Device registration is on when both the API key and the application id are set.
    pub fn registry_configured(&self) -> bool {
        self.api_key.is_some() && self.app_id.is_some()
    }

    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.request_timeout_ms)
    }
}

/// How uploads are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IngestMode {
    /// Stored in the request's own transaction.
    #[default]
    Direct,
    /// Published to RabbitMQ (confirmed) and written in batches by the worker.
    Queued,
}

/// Device uploads.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IngestConfig {
    /// Refuse uploads without a valid `X-API-Key` (deployed firmware sends none).
    pub require_api_key: bool,
    pub mode: IngestMode,
    /// Largest accepted upload body (protobuf or JSON); larger ones get 413.
    pub body_limit_bytes: usize,
    /// Queued mode: the RabbitMQ queue of upload batches (`.retry`/`.dead` derived from it).
    #[serde(deserialize_with = "de::text")]
    pub queue: String,
    /// Queued mode: most uploads the worker writes in one transaction.
    pub batch_max: usize,
    /// Queued mode: how long the worker waits to fill a batch once it has one upload.
    pub batch_wait_ms: u64,
    /// Transactions (direct mode) or broker publishes (queued mode) under way at once;
    /// uploads arriving while all are busy go together into the next one. 0 in direct mode
    /// turns the group commit off (one transaction per upload; queued mode then uses 1).
    /// More writers than cores only makes the shared transactions smaller
    /// (docs/performance.md), hence the default of 2.
    pub group_commit_writers: usize,
    /// Most uploads in one group-commit transaction or one packed broker message.
    pub group_commit_max_uploads: usize,
}

impl Default for IngestConfig {
    fn default() -> Self {
        Self {
            require_api_key: false,
            mode: IngestMode::Direct,
            body_limit_bytes: 1024 * 1024,
            queue: "ents.ingest".into(),
            batch_max: 500,
            batch_wait_ms: 20,
            group_commit_writers: 2,
            group_commit_max_uploads: 100,
        }
    }
}

/// Who may read.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccessConfig {
    /// Anyone may read cells and their data (DirtViz is a public dashboard).
    pub public_read: bool,
}

impl Default for AccessConfig {
    fn default() -> Self {
        Self { public_read: true }
    }
}

/// Series reads (`GET /api/power/<id>` and friends) and the exports' resampled rows.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeriesConfig {
    /// Hour, day, week and month buckets come from the hourly/daily rollups (plus the raw
    /// rows of partial buckets). `false` computes every bucket from the raw rows: the same
    /// answers, slower; for benchmarks and diagnosis.
    pub use_rollups: bool,
}

impl Default for SeriesConfig {
    fn default() -> Self {
        Self { use_rollups: true }
    }
}

/// The read-only OGC SensorThings API (`docs/sensorthings.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct StaConfig {
    /// Serve it.
    pub enabled: bool,
    /// Where: an absolute path without a trailing slash.
    pub prefix: String,
}

impl Default for StaConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            prefix: "/sta/v1.1".into(),
        }
    }
}

/// CSV exports written by the export jobs (`docs/exports.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExportsConfig {
    /// Where export files are written (created when missing; relative to the working
    /// directory, by default under the repository's ignored `data/`). The API server and the
    /// worker must see the same directory (a shared volume when they run on two hosts).
    pub directory: PathBuf,
    /// Finished files are deleted this many hours after they were written.
    pub retention_hours: u64,
    /// Rows read from the database (and held in memory) at a time.
    pub batch_rows: usize,
}

impl Default for ExportsConfig {
    fn default() -> Self {
        Self {
            directory: PathBuf::from("data/exports"),
            retention_hours: 24,
            batch_rows: 5_000,
        }
    }
}

impl ExportsConfig {
    pub fn retention(&self) -> Duration {
        Duration::from_secs(self.retention_hours.saturating_mul(3600))
    }
}

/// The Prometheus exposition (`/metrics`) on an admin listener of its own, in `ents serve`
/// and in `ents-worker` alike (`docs/operations.md`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// `false`: no listener and no recording.
    pub enabled: bool,
    /// `ADDR:PORT` of the admin listener serving `/metrics` (port 0: any free port). Kept
    /// apart from `http.listen` so the exposition is not public by default.
    #[serde(deserialize_with = "de::text")]
    pub listen: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: "127.0.0.1:9464".into(),
        }
    }
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line (production).
    Json,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A `tracing` filter such as `info,ents_http=debug`; `RUST_LOG` wins when set.
    #[serde(deserialize_with = "de::text")]
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            format: LogFormat::Pretty,
            filter: "info".into(),
        }
    }
}

/// Alerts for researchers (`docs/alerts.md`): the evaluation schedule. Run by `ents-worker`,
/// and by `ents serve` when jobs run in-process.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AlertsConfig {
    /// Evaluate the rules at all (notifications included).
    pub enabled: bool,
    /// Seconds between evaluations of a rule (and between ticks).
    pub tick_secs: u64,
    /// Rules claimed and read per round trip.
    pub batch: u32,
}

impl Default for AlertsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            tick_secs: 60,
            batch: 500,
        }
    }
}
