//! Building and running the API server (zero2prod's `Application`): `ents serve` runs it,
//! tests build it on port 0 against their own database and drive it over real HTTP.

mod ingest;
mod jobs;
mod live;
mod loggers;

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use ents_config::Settings;
use ents_domain::access::AccessPolicy;
use ents_domain::alerts::AlertService;
use ents_domain::cells::CellService;
use ents_domain::health::ReadinessProbe;
use ents_domain::ingest::KeyDeviceAuthorizer;
use ents_domain::live::LiveFeed;
use ents_domain::sta::StaService;
use ents_domain::tags::TagService;
use ents_http::{AppState, HttpSettings, Registry};
use ents_persistence::{
    Db, PgAlertRepository, PgCellRepository, PgReadiness, PgSeriesRepository, PgStaRepository,
    PgTagRepository,
};

pub use jobs::JobRuntime;
use live::LiveRuntime;

use crate::metrics::AdminListener;
use crate::settings::access_policy;

/// A server bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: actix_web::dev::Server,
    jobs: JobRuntime,
    live: LiveRuntime,
    metrics: Option<AdminListener>,
}

impl Application {
    /// Connects to the database (creating and migrating it when configured), the broker when
    /// configured, binds `http.listen`, and wires everything.
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        // First: the HTTP middleware and the adapters describe their metrics to the recorder.
        crate::metrics::install(settings)?;
        let db = crate::database::prepare_and_pool(settings).await?;
        let jobs = JobRuntime::start(settings, db.clone(), crate::jobs::handlers(settings, &db)?)?;

        let mut readiness: Vec<Arc<dyn ReadinessProbe>> =
            vec![Arc::new(PgReadiness::new(db.clone()))];
        readiness.extend(jobs.readiness());
        let identity = crate::identity::http_identity(settings, &db)?;
        let live = LiveRuntime::start(settings, &db).await?;
        let access = access_policy(settings);
        let state = AppState {
            readiness,
            access,
            registry: registry(&db, access),
            socketio: live.upstream(),
            ingest: ingest::endpoints(
                settings,
                &db,
                live.feed(),
                Arc::new(KeyDeviceAuthorizer::new(
                    identity.api_keys.clone(),
                    Arc::new(PgCellRepository::new(db.clone())),
                    access,
                )),
            )?,
            identity,
            loggers: loggers::service(settings, &db, &jobs)?,
            exports: crate::exports::export_service(settings, &db, jobs.service().clone()),
            imports: crate::imports::import_service(settings, &db, jobs.service().clone()),
            sta: StaService::new(Arc::new(PgStaRepository::new(db.clone())), access),
            alerts: Arc::new(alert_service(&db, access)),
            series: Arc::new(PgSeriesRepository::new(
                db.clone(),
                settings.series.use_rollups,
            )),
        };

        let metrics = AdminListener::start(settings, state.readiness.clone(), &db)?;
        let listener = TcpListener::bind(settings.listen_addr()?)
            .with_context(|| format!("binding {}", settings.http.listen))?;
        let port = listener.local_addr()?.port();
        let server = ents_http::serve(listener, state, http_settings(settings))?;
        tracing::info!(port, "listening");
        Ok(Self {
            port,
            server,
            jobs,
            live,
            metrics,
        })
    }

    /// The port of the admin listener serving `/metrics`, `None` when metrics are disabled.
    pub fn metrics_port(&self) -> Option<u16> {
        self.metrics.as_ref().map(AdminListener::port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The job runtime (the embedded queue or the broker publisher).
    pub fn jobs(&self) -> &JobRuntime {
        &self.jobs
    }

    /// The live push feed (what uploads publish `measurement_received` events to).
    pub fn live_feed(&self) -> Arc<dyn LiveFeed> {
        self.live.feed()
    }

    /// Closes the live push sessions on SIGINT/SIGTERM (see
    /// [`LiveRuntime::close_on_shutdown_signal`]); the binary calls it before serving.
    pub fn close_live_sessions_on_signal(&self) {
        self.live.close_on_shutdown_signal();
    }

    /// Serves until SIGINT/SIGTERM (handled by actix), then stops the background tasks.
    pub async fn run_until_stopped(self) -> anyhow::Result<()> {
        let result = self.server.await;
        self.jobs.shutdown().await;
        self.live.shutdown().await;
        if let Some(metrics) = self.metrics {
            metrics.stop().await;
        }
        result.context("HTTP server")
    }
}

/// Cells, tags and memberships on PostgreSQL.
fn registry(db: &Db, access: AccessPolicy) -> Registry {
    let cells = Arc::new(PgCellRepository::new(db.clone()));
    Registry {
        cells: CellService::new(cells.clone(), access),
        tags: TagService::new(Arc::new(PgTagRepository::new(db.clone())), cells, access),
    }
}

/// Alert rules and their history on PostgreSQL.
fn alert_service(db: &Db, access: AccessPolicy) -> AlertService {
    let alerts = Arc::new(PgAlertRepository::new(db.clone()));
    AlertService::new(
        alerts.clone(),
        alerts,
        Arc::new(PgCellRepository::new(db.clone())),
        access,
    )
}

fn http_settings(settings: &Settings) -> HttpSettings {
    HttpSettings {
        workers: settings.http.workers,
        body_limit_bytes: settings.http.body_limit_bytes,
        json_limit_bytes: settings.http.json_limit_bytes,
        allowed_origins: settings.http.allowed_origins(),
        static_dir: settings.web.static_dir.clone(),
        shutdown_timeout: Duration::from_secs(settings.http.shutdown_timeout_secs),
        client_request_timeout: Duration::from_millis(settings.http.client_request_timeout_ms),
        client_disconnect_timeout: Duration::from_millis(
            settings.http.client_disconnect_timeout_ms,
        ),
        body_read_timeout: Duration::from_millis(settings.http.body_read_timeout_ms),
        max_connections: settings.http.max_connections,
        sta_prefix: settings.sta.enabled.then(|| settings.sta.prefix.clone()),
    }
}
