//! The request span continues a caller's trace: a W3C `traceparent` (and `tracestate`) on the
//! request makes it the remote parent of the span `tracing-actix-web` opens, so a client's or a
//! proxy's trace and ours are one. The request id stays a field of that span.
//!
//! The trace context format is the global propagator's, which the runtime installs when traces
//! are exported; otherwise it reads nothing and the span starts its own trace (or none).
//! The request id is also kept in the span's extensions (`request_id::tag_span`).

use actix_web::HttpMessage;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::HeaderMap;
use opentelemetry::propagation::Extractor;
use opentelemetry::trace::TraceContextExt;
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// [`tracing_actix_web`]'s default request span, with the caller's trace as its parent.
pub(crate) struct RequestSpan;

impl RootSpanBuilder for RequestSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let span = tracing_actix_web::root_span!(request);
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&Headers(request.headers()))
        });
        // Only before the span is first entered can its parent change; it was just created.
        if parent.span().span_context().is_valid() {
            let _ = span.set_parent(parent);
        }
        if let Some(id) = request.extensions().get::<RequestId>().copied() {
            crate::request_id::tag_span(&span, id);
        }
        span
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// Request headers as a propagator reads them.
struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|value| value.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|name| name.as_str()).collect()
    }
}
