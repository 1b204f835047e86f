//! Log output (human-readable lines for development, JSON lines in production) and, when
//! `telemetry.otlp_endpoint` is set, the export of the same `tracing` spans to an OpenTelemetry
//! receiver over OTLP/HTTP (docs/operations.md#traces).
//!
//! The adapters never talk to OpenTelemetry's SDK: they open `tracing` spans as before and, at
//! the process's edges, read or set a span's W3C trace context through the global propagator
//! installed here (the `traceparent` of a request, the headers of a job message). With
//! tracing off, that propagator is a no-op and so is everything they do with it.

use std::time::Duration;

use anyhow::Context as _;
use ents_config::{LogConfig, LogFormat, TelemetryConfig};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, Sampler, SdkTracerProvider,
};
use tracing_subscriber::layer::{Layered, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer, Registry};

/// The path OTLP/HTTP receivers take traces on, below their base URL.
const TRACES_PATH: &str = "/v1/traces";

/// The installed trace export, if any: keep it for the life of the process and call
/// [`shutdown`](Self::shutdown) at the end so the last spans are sent.
#[must_use = "dropping it stops the trace export; call `shutdown` at the end instead"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
    shutdown_timeout: Duration,
}

impl Telemetry {
    /// Whether spans are exported.
    pub fn exporting(&self) -> bool {
        self.provider.is_some()
    }

    /// Sends the spans finished so far now (tests; a CLI command about to exit). Blocks the
    /// calling thread for at most the exporter's timeout.
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.force_flush()
        {
            tracing::warn!(%error, "could not flush the trace export");
        }
    }

    /// Sends the remaining spans and stops the export, waiting at most
    /// `telemetry.shutdown_timeout_ms`: a receiver that is down must not hold up a shutdown.
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        let timeout = self.shutdown_timeout;
        // The SDK waits on a channel with a timeout: keep that off the async workers.
        let stopped =
            tokio::task::spawn_blocking(move || provider.shutdown_with_timeout(timeout)).await;
        match stopped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => tracing::warn!(%error, "trace export did not shut down cleanly"),
            Err(error) => tracing::warn!(%error, "trace export shutdown task failed"),
        }
    }
}

/// Installs the global subscriber once; later calls (tests starting several apps) install
/// nothing and export nothing. `RUST_LOG` overrides `log.filter`, which also decides which
/// spans are exported. `service` names the process when `telemetry.service_name` is unset.
///
/// Errors: an export that cannot be built (an endpoint that is not a URL).
pub fn init(
    log: &LogConfig,
    telemetry: &TelemetryConfig,
    service: &str,
) -> anyhow::Result<Telemetry> {
    let filter = EnvFilter::try_from_default_env()
        .or_else(|_| EnvFilter::try_new(&log.filter))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    // Standard output belongs to the commands' own answers (`ents user create` prints the
    // new id, `ents config` the configuration), so scripts can read them.
    let lines = tracing_subscriber::fmt::layer()
        .with_target(true)
        .with_writer(std::io::stderr);
    let lines: Box<dyn Layer<Layered<EnvFilter, Registry>> + Send + Sync> = match log.format {
        LogFormat::Json => Box::new(lines.json().flatten_event(true)),
        LogFormat::Pretty => Box::new(lines),
    };
    let provider = match &telemetry.otlp_endpoint {
        Some(endpoint) => Some(provider(endpoint, telemetry, service)?),
        None => None,
    };
    let otel = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer().with_tracer(provider.tracer(env!("CARGO_PKG_NAME")))
    });
    let installed = tracing_subscriber::registry()
        .with(filter)
        .with(lines)
        .with(otel)
        .try_init();
    // Err only means a subscriber is already installed (a second app in the same test
    // process): that one keeps the logs, and this export would receive nothing.
    let provider = match installed {
        Ok(()) => provider,
        Err(_) => None,
    };
    if let Some(endpoint) = provider.as_ref().and(telemetry.otlp_endpoint.as_ref()) {
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        tracing::info!(%endpoint, "exporting traces over OTLP/HTTP");
    }
    Ok(Telemetry {
        provider,
        shutdown_timeout: Duration::from_millis(telemetry.shutdown_timeout_ms),
    })
}

/// The batch exporter: spans are queued in memory and posted from a thread of the SDK's own
/// (reqwest's blocking client), so a slow receiver never delays a request; a full queue drops
/// spans rather than memory growing.
fn provider(
    endpoint: &str,
    telemetry: &TelemetryConfig,
    service: &str,
) -> anyhow::Result<SdkTracerProvider> {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(traces_url(endpoint))
        .with_timeout(Duration::from_secs(10))
        .build()
        .context("building the OTLP trace exporter (telemetry.otlp_endpoint)")?;
    let processor = BatchSpanProcessor::builder(exporter)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_scheduled_delay(Duration::from_secs(1))
                .build(),
        )
        .build();
    let name = telemetry
        .service_name
        .clone()
        .unwrap_or_else(|| service.to_owned());
    // A caller's `traceparent` carries its sampling decision, which we follow; only new
    // traces are sampled at `sampling_ratio`.
    let sampler = Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
        telemetry.sampling_ratio,
    )));
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(sampler)
        .with_resource(Resource::builder().with_service_name(name).build())
        .build())
}

/// `telemetry.otlp_endpoint` is the receiver's base URL (as `OTEL_EXPORTER_OTLP_ENDPOINT`);
/// a URL already naming the traces path is kept.
fn traces_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with(TRACES_PATH) {
        base.to_owned()
    } else {
        format!("{base}{TRACES_PATH}")
    }
}

#[cfg(test)]
mod tests {
    use super::traces_url;

    #[test]
    fn the_traces_path_is_appended_once() {
        assert_eq!(traces_url("http://c:4318"), "http://c:4318/v1/traces");
        assert_eq!(traces_url("http://c:4318/"), "http://c:4318/v1/traces");
        assert_eq!(
            traces_url("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }
}
