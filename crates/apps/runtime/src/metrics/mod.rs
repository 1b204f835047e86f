//! Metrics: the process-wide Prometheus recorder behind the `metrics` facade (adapters and
//! the runtime emit through `metrics::counter!` and friends), the process collector (RSS, CPU,
//! open files), and the admin listener serving `/metrics` (`metrics.listen`) in both binaries.
//!
//! The recorder is global by nature (the facade has one); it is installed once per process,
//! and every server a process starts (tests start several) renders the same registry.

mod catalogue;
mod ingest;
mod jobs;
mod pool;
mod rollups;

pub use ingest::MeteredStore;
pub use jobs::{metered, record_queue_depth};
pub use rollups::run_rollup_sampler;

use std::net::TcpListener;
use std::sync::{Arc, OnceLock};

use anyhow::Context;
use ents_config::Settings;
use ents_domain::health::ReadinessProbe;
use ents_http::AdminState;
use ents_persistence::Db;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use metrics_process::Collector;

/// Upper bounds of the `_seconds` histograms: 1 ms to 60 s.
const SECONDS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];
/// Upper bounds of the size histograms (items per batch; bytes of HTTP bodies).
const SIZES: &[f64] = &[
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 4096.0, 16384.0, 65536.0,
    262144.0, 1048576.0,
];

static RECORDER: OnceLock<Result<Recorder, String>> = OnceLock::new();

/// The installed recorder and what renders it.
#[derive(Clone)]
struct Recorder {
    handle: PrometheusHandle,
    process: Arc<Collector>,
}

impl Recorder {
    fn install() -> Result<Self, String> {
        let handle = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_bytes".into()), SIZES))
            .and_then(|b| b.set_buckets_for_metric(Matcher::Suffix("_size".into()), SIZES))
            .and_then(PrometheusBuilder::install_recorder)
            .map_err(|e| e.to_string())?;
        let process = Arc::new(Collector::default());
        process.describe();
        catalogue::describe();
        Ok(Self { handle, process })
    }

    fn render(&self) -> String {
        self.process.collect();
        self.handle.run_upkeep();
        let mut exposition = self.handle.render();
        rollups::render(&mut exposition);
        exposition
    }
}

/// Installs the process's recorder when `metrics.enabled` (once; later calls reuse it) and
/// returns what renders the exposition. `None`: metrics are disabled (every emission is a
/// no-op then). Errors: another recorder was installed by someone else.
pub fn install(settings: &Settings) -> anyhow::Result<Option<ents_http::RenderMetrics>> {
    if !settings.metrics.enabled {
        return Ok(None);
    }
    let recorder = RECORDER
        .get_or_init(Recorder::install)
        .clone()
        .map_err(anyhow::Error::msg)
        .context("installing the metrics recorder")?;
    Ok(Some(Arc::new(move || recorder.render())))
}

/// The admin listener serving `/metrics`, `/healthz` and `/readyz`, running until
/// [`AdminListener::stop`].
pub struct AdminListener {
    port: u16,
    handle: actix_web::dev::ServerHandle,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl AdminListener {
    /// Installs the recorder and binds `metrics.listen`, `/readyz` asking `readiness`; `None`
    /// when metrics are disabled. Errors: an invalid or taken address.
    /// The pool gauges are sampled from `db` at each scrape.
    pub fn start(
        settings: &Settings,
        readiness: Vec<Arc<dyn ReadinessProbe>>,
        db: &Db,
    ) -> anyhow::Result<Option<Self>> {
        let Some(addr) = settings.metrics_addr()? else {
            return Ok(None);
        };
        let Some(render) = install(settings)? else {
            return Ok(None);
        };
        let listener =
            TcpListener::bind(addr).with_context(|| format!("binding metrics.listen {addr}"))?;
        let port = listener.local_addr()?.port();
        let db = db.clone();
        let render: ents_http::RenderMetrics = Arc::new(move || {
            pool::sample(&db);
            render()
        });
        let server = ents_http::serve_admin(listener, AdminState { render, readiness })?;
        let handle = server.handle();
        tracing::info!(port, "metrics listening");
        Ok(Some(Self {
            port,
            handle,
            task: tokio::spawn(server),
        }))
    }

    /// The bound port (the real one when `metrics.listen` asked for port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Stops serving and waits for the listener to close.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        if let Ok(Err(error)) = self.task.await {
            tracing::warn!(%error, "metrics listener");
        }
    }
}
