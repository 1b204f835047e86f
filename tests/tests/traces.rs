//! Traces end to end (docs/operations.md#traces): the spans both processes' pieces export over
//! OTLP/HTTP, as a fake collector in this test receives them — a request's `traceparent`
//! continued by its span, a job published by a request running in the same trace in the
//! worker, the ingest group commit linked to the requests it wrote (and naming their ids).
//!
//! The export is installed once per test process (the global subscriber), pointing at one
//! collector; each test tells its spans apart by a trace id of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "traces/collector.rs"]
mod collector;

use std::hash::{BuildHasher, Hasher};
use std::sync::OnceLock;

use collector::Collector;
use ents_config::{LogConfig, TelemetryConfig};
use ents_e2e::{eventually, request_id, seed_cell_and_logger};
use ents_runtime::telemetry::Telemetry;
use ents_runtime::testing::{RabbitWorker, TestApp};
use ents_test_support::{amqp_url, unique_name};
use opentelemetry_proto::tonic::common::v1::any_value::Value;
use opentelemetry_proto::tonic::trace::v1::Span;
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use secrecy::SecretString;

/// The collector and the export pointing at it, set up by the first test that asks.
fn tracing_to_collector() -> &'static (Collector, Telemetry) {
    static SETUP: OnceLock<(Collector, Telemetry)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let collector = Collector::start();
        let telemetry = TelemetryConfig {
            otlp_endpoint: Some(collector.endpoint.clone()),
            ..TelemetryConfig::default()
        };
        let log = LogConfig {
            filter: "info".into(),
            ..LogConfig::default()
        };
        let export = ents_runtime::telemetry::init(&log, &telemetry, "ents-traces-test").unwrap();
        assert!(export.exporting(), "the first subscriber of this process");
        (collector, export)
    })
}

/// A W3C trace context of a trace of the test's own.
struct Remote {
    trace_id: String,
    span_id: String,
}

impl Remote {
    fn new() -> Self {
        let random = || {
            std::collections::hash_map::RandomState::new()
                .build_hasher()
                .finish()
        };
        Self {
            trace_id: format!("{:016x}{:016x}", random(), random()),
            span_id: format!("{:016x}", random()),
        }
    }

    fn traceparent(&self) -> String {
        format!("00-{}-{}-01", self.trace_id, self.span_id)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn attribute(span: &Span, key: &str) -> Option<String> {
    let value = span.attributes.iter().find(|kv| kv.key == key)?;
    match value.value.as_ref()?.value.as_ref()? {
        Value::StringValue(text) => Some(text.clone()),
        Value::IntValue(n) => Some(n.to_string()),
        other => Some(format!("{other:?}")),
    }
}

/// Waits (bounded) for an exported span that `matches`, flushing the export meanwhile.
async fn exported(matches: impl Fn(&Span) -> bool) -> Span {
    eventually(|| async {
        tokio::task::spawn_blocking(|| tracing_to_collector().1.flush())
            .await
            .unwrap();
        tracing_to_collector()
            .0
            .spans()
            .into_iter()
            .find(|span| matches(span))
    })
    .await
    .expect("the span is exported")
}

/// The server span of the request that carried `remote`.
async fn request_span(remote: &Remote) -> Span {
    exported(|span| {
        hex(&span.trace_id) == remote.trace_id
            && hex(&span.parent_span_id) == remote.span_id
            && span.kind == SpanKind::Server as i32
    })
    .await
}

/// Asks the seed-era export of cell 1 (`GET /api/cell/datas`, a job) with `remote`'s trace
/// context; the job's id.
async fn export_in_trace(app: &TestApp, remote: &Remote) -> String {
    let response = app
        .client
        .get(app.url(
            "/api/cell/datas?cellIds=1&resample=none\
             &startTime=2024-01-01T00:00:00&endTime=2024-01-02T00:00:00",
        ))
        .header("traceparent", remote.traceparent())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    body["result_id"].as_str().unwrap().to_owned()
}

/// The span of the run of job `job_id`.
async fn job_span(job_id: &str) -> Span {
    exported(|span| span.name == "job" && attribute(span, "job.id").as_deref() == Some(job_id))
        .await
}

#[tokio::test]
async fn a_request_with_a_traceparent_continues_that_trace() {
    tracing_to_collector();
    let app = TestApp::spawn().await;
    let remote = Remote::new();

    let response = app
        .client
        .get(app.url("/api/cell/"))
        .header("traceparent", remote.traceparent())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = request_id(&response);

    let span = request_span(&remote).await;
    assert_eq!(
        attribute(&span, "request_id").as_deref(),
        Some(request_id.as_str())
    );
    assert_eq!(
        attribute(&span, "http.route").as_deref(),
        Some("/api/cell/")
    );
}

#[tokio::test]
async fn a_job_submitted_by_a_request_runs_in_the_requests_trace_in_the_worker() {
    tracing_to_collector();
    let queue = unique_name("ents_e2e_traces");
    let app = TestApp::spawn_with(|settings| {
        settings.amqp.url = Some(SecretString::from(amqp_url()));
        settings.amqp.queue = queue.clone();
    })
    .await;
    seed_cell_and_logger(&app).await;
    let handlers = ents_runtime::jobs::handlers(&app.settings, &app.db.db()).unwrap();
    let worker = RabbitWorker::start(&app, handlers);
    let remote = Remote::new();

    let job_id = export_in_trace(&app, &remote).await;

    let request = request_span(&remote).await;
    let job = job_span(&job_id).await;
    assert_eq!(hex(&job.trace_id), remote.trace_id, "one trace");
    assert_eq!(request.trace_id, job.trace_id);

    worker.stop().await;
    ents_test_support::delete_queues(&queue).await;
}

#[tokio::test]
async fn the_group_commit_links_to_the_uploads_it_wrote() {
    tracing_to_collector();
    let app = TestApp::spawn().await;
    seed_cell_and_logger(&app).await;
    let remote = Remote::new();
    let path = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/core/wire/tests/vectors/generic-multi.bin");

    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .header("SensorVersion", "2")
        .header("traceparent", remote.traceparent())
        .body(std::fs::read(path).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let request_id = request_id(&response);

    let request = request_span(&remote).await;
    let batch = exported(|span| {
        span.name == "group_commit"
            && span
                .links
                .iter()
                .any(|link| link.trace_id == request.trace_id)
    })
    .await;
    assert!(
        attribute(&batch, "batch").is_some(),
        "the batch is numbered"
    );
    assert_ne!(
        batch.trace_id, request.trace_id,
        "a batch is a trace of its own"
    );
    assert!(
        attribute(&batch, "request_ids").is_some_and(|ids| ids.contains(&request_id)),
        "the batch names its requests: {:?}",
        attribute(&batch, "request_ids")
    );
}

#[tokio::test]
async fn without_a_broker_the_in_process_job_runs_in_the_requests_trace() {
    tracing_to_collector();
    let app = TestApp::spawn().await;
    seed_cell_and_logger(&app).await;
    let remote = Remote::new();

    let job_id = export_in_trace(&app, &remote).await;

    let job = job_span(&job_id).await;
    assert_eq!(hex(&job.trace_id), remote.trace_id, "one trace");
}
