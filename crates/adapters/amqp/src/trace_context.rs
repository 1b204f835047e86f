//! The trace context of a job message: the publisher writes the W3C `traceparent` (and
//! `tracestate`) of the span it publishes in (the request that submitted the job, or the job
//! attempt that schedules its retry) into the message's AMQP headers; the consumer makes it the
//! parent of the delivery's span. So a request and the job it started are one trace, across
//! processes.
//!
//! The format is the global propagator's, which the runtime installs when traces are exported;
//! otherwise nothing is written, and nothing is read.

use lapin::types::{AMQPValue, FieldTable, ShortString};
use opentelemetry::propagation::{Extractor, Injector};
use opentelemetry::trace::TraceContextExt;
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The current span's trace context as message headers (empty without an exported trace).
pub(crate) fn current() -> FieldTable {
    let context = Span::current().context();
    let mut headers = Headers(FieldTable::default());
    if context.span().span_context().is_valid() {
        opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut headers);
        });
    }
    headers.0
}

/// Makes the trace context in `headers`, if any, the parent of `span`, which must not have
/// been entered yet.
pub(crate) fn continue_in(span: &Span, headers: Option<&FieldTable>) {
    let Some(headers) = headers else {
        return;
    };
    let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
        propagator.extract(&Headers(headers.clone()))
    });
    if parent.span().span_context().is_valid() {
        let _ = span.set_parent(parent);
    }
}

/// AMQP headers as a propagator reads and writes them (long strings).
struct Headers(FieldTable);

impl Injector for Headers {
    fn set(&mut self, key: &str, value: String) {
        if let Ok(key) = ShortString::try_new(key) {
            self.0.insert(key, AMQPValue::LongString(value.into()));
        }
    }
}

impl Extractor for Headers {
    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .inner()
            .iter()
            .find(|(name, _)| name.as_str().eq_ignore_ascii_case(key))
            .and_then(|(_, value)| match value {
                AMQPValue::LongString(text) => std::str::from_utf8(text.as_bytes()).ok(),
                AMQPValue::ShortString(text) => Some(text.as_str()),
                _ => None,
            })
    }

    fn keys(&self) -> Vec<&str> {
        self.0.inner().keys().map(ShortString::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_round_trip_through_the_propagator_format() {
        let mut headers = Headers(FieldTable::default());
        headers.set(
            "traceparent",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
        );
        assert_eq!(
            headers.get("traceparent"),
            Some("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
        );
        assert_eq!(headers.keys(), vec!["traceparent"]);
    }
}
