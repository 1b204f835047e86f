//! `TestApp`: the real server, started on port 0 against its own fresh database, driven over
//! real HTTP (zero2prod's pattern). Tests run in parallel: each has its own database (cloned
//! from a migrated template) and its own port.

use std::sync::Arc;
use std::time::Duration;

use ents_config::Settings;
use ents_domain::jobs::JobService;
use ents_domain::live::LiveFeed;
pub use ents_persistence::testing::TestDb;
use secrecy::SecretString;

use crate::Application;

/// Secrets the tests sign tokens with.
pub const ACCESS_SECRET: &str = "test-access-secret-0123456789abcdef0123456789";
pub const REFRESH_SECRET: &str = "test-refresh-secret-0123456789abcdef012345678";

/// A running server and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub port: u16,
    /// `http://127.0.0.1:<admin port>/metrics`, `None` when the settings disable metrics.
    pub metrics_url: Option<String>,
    pub db: TestDb,
    pub settings: Settings,
    /// The server's job service (embedded queue or broker publisher).
    pub jobs: JobService,
    /// The server's live push feed (what an upload publishes to).
    pub live_feed: Arc<dyn LiveFeed>,
    /// Follows no redirects, keeps cookies.
    pub client: reqwest::Client,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl TestApp {
    /// A server with the default test settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server whose settings `customise` may change (its database URL is already set).
    pub async fn spawn_with(customise: impl FnOnce(&mut Settings)) -> Self {
        let db = TestDb::new().await;
        let mut settings = test_settings(db.url());
        customise(&mut settings);
        Self::start(db, settings).await
    }

    /// Starts on an existing database with complete settings.
    pub async fn start(db: TestDb, settings: Settings) -> Self {
        #[allow(clippy::expect_used)] // a test helper: failing loudly is the point
        let app = Application::build(&settings)
            .await
            .expect("the application builds");
        let port = app.port();
        let metrics_url = app
            .metrics_port()
            .map(|port| format!("http://127.0.0.1:{port}/metrics"));
        let jobs = app.jobs().service().clone();
        let live_feed = app.live_feed();
        let server = tokio::spawn(app.run_until_stopped());
        #[allow(clippy::expect_used)]
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .timeout(Duration::from_secs(60))
            .build()
            .expect("a reqwest client");
        Self {
            address: format!("http://127.0.0.1:{port}"),
            port,
            metrics_url,
            db,
            settings,
            jobs,
            live_feed,
            client,
            server,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    #[allow(clippy::expect_used)]
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }
}

/// A job worker fed by RabbitMQ, as the `ents-worker` binary runs one, for a [`TestApp`]
/// whose settings name a broker.
pub struct RabbitWorker {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Result<(), ents_amqp::AmqpError>>,
}

impl RabbitWorker {
    /// Starts consuming the job queue of `app`'s settings with `handlers`, its own job store
    /// connection and publisher (for retries and the stale-job sweep).
    #[allow(clippy::expect_used)] // a test helper: failing loudly is the point
    pub fn start(app: &TestApp, handlers: ents_domain::jobs::HandlerRegistry) -> Self {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let worker = crate::worker::consume_jobs(&app.settings, app.db.db(), handlers, async {
            let _ = stopped.await;
        })
        .expect("the test app has a broker");
        Self {
            stop,
            task: tokio::spawn(worker),
        }
    }

    /// Stops consuming (running jobs finish) and waits for the worker to end.
    #[allow(clippy::expect_used)]
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task
            .await
            .expect("the worker task")
            .expect("the worker ran");
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// Settings for a test server on `database_url`: port 0, quiet logs, fixed secrets, no broker.
pub fn test_settings(database_url: &str) -> Settings {
    let mut settings = Settings::default();
    settings.database.url = Some(SecretString::from(database_url.to_owned()));
    settings.database.create_if_missing = false;
    settings.database.pool_max_size = 4;
    // Roomy: test processes share a few cores; the fault tests set their own bounds.
    settings.database.statement_timeout_ms = 30_000;
    settings.database.operation_timeout_ms = 60_000;
    settings.http.listen = "127.0.0.1:0".into();
    settings.metrics.listen = "127.0.0.1:0".into();
    settings.http.workers = Some(1);
    settings.http.shutdown_timeout_secs = 1;
    settings.auth.access_token_secret = Some(SecretString::from(ACCESS_SECRET));
    settings.auth.refresh_token_secret = Some(SecretString::from(REFRESH_SECRET));
    settings.jobs.retry_backoff_ms = 50;
    settings.jobs.sweep_interval_secs = 1;
    // Tests evaluate alerts themselves, with a controlled clock.
    settings.alerts.enabled = false;
    // Each server its own export directory (removed with the OS's temporary files).
    settings.exports.directory =
        std::env::temp_dir().join(ents_test_support::unique_name("ents-exports"));
    settings
}
