//! The request metrics of the API, on the `metrics` facade: every request by route template,
//! method and status class (`2xx`…) — a duration histogram, the body sizes — and the requests
//! in flight. The names are listed here so the composition root describes them once
//! (docs/operations.md lists them for operators).
//!
//! Every label is bounded: the route is the matched template (`/api/cell/{cell_id}/`), never
//! the raw path, and one `unmatched` for whatever matched no route (any scanner's URL would
//! otherwise be a new series); methods outside HTTP's standard set are `_OTHER`; a status is
//! its class (the code itself is in the request's log line and trace, `http.status_code`).

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use actix_web::body::{BodySize, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::CONTENT_LENGTH;
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use pin_project_lite::pin_project;

/// Histogram: request duration, from the request's head to its response's last byte.
pub const REQUEST_DURATION: &str = "http_server_request_duration_seconds";
/// Histogram: request body sizes (as declared by `Content-Length`; 0 without one).
pub const REQUEST_BODY_SIZE: &str = "http_server_request_body_size_bytes";
/// Histogram: response body sizes (bytes sent, compressed when the response is).
pub const RESPONSE_BODY_SIZE: &str = "http_server_response_body_size_bytes";
/// Gauge: requests in flight, by method.
pub const ACTIVE_REQUESTS: &str = "http_server_active_requests";

/// The route label of every path that matched no route.
pub const UNMATCHED: &str = "unmatched";

/// Measures one request: counted in flight now, recorded when its response body is done
/// (streamed downloads included) or dropped (a client gone mid-body).
pub(crate) async fn measure_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = method_label(req.method());
    let request_bytes = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
        .unwrap_or(0);
    let in_flight = InFlight::start(method);
    match next.call(req).await {
        Ok(response) => {
            let labels = Labels {
                route: response
                    .request()
                    .match_pattern()
                    .unwrap_or_else(|| UNMATCHED.to_owned()),
                method,
                status_class: status_class(response.status()),
            };
            let done = Done {
                labels,
                started,
                request_bytes,
                _in_flight: in_flight,
            };
            Ok(response.map_body(move |_, body| MeteredBody {
                body,
                sent: 0,
                done: Some(done),
            }))
        }
        // A middleware's error, turned into a response further out: no route was reached.
        Err(error) => {
            let labels = Labels {
                route: UNMATCHED.to_owned(),
                method,
                status_class: status_class(error.as_response_error().status_code()),
            };
            labels.record(started, request_bytes, 0);
            Err(error)
        }
    }
}

/// The label set of one request's samples.
struct Labels {
    route: String,
    method: &'static str,
    status_class: &'static str,
}

impl Labels {
    fn record(self, started: Instant, request_bytes: u64, response_bytes: u64) {
        let labels = [
            ("route", self.route),
            ("method", self.method.to_owned()),
            ("status_class", self.status_class.to_owned()),
        ];
        metrics::histogram!(REQUEST_DURATION, &labels).record(started.elapsed().as_secs_f64());
        metrics::histogram!(REQUEST_BODY_SIZE, &labels).record(request_bytes as f64);
        metrics::histogram!(RESPONSE_BODY_SIZE, &labels).record(response_bytes as f64);
    }
}

/// What is recorded once the response is over.
struct Done {
    labels: Labels,
    started: Instant,
    request_bytes: u64,
    _in_flight: InFlight,
}

/// One request counted in [`ACTIVE_REQUESTS`] for as long as it lives.
struct InFlight(&'static str);

impl InFlight {
    fn start(method: &'static str) -> Self {
        metrics::gauge!(ACTIVE_REQUESTS, "method" => method).increment(1.0);
        Self(method)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        metrics::gauge!(ACTIVE_REQUESTS, "method" => self.0).decrement(1.0);
    }
}

pin_project! {
    /// The response body, counting the bytes sent; records the request when it ends or is
    /// dropped, whichever comes first.
    struct MeteredBody<B> {
        #[pin]
        body: B,
        sent: u64,
        done: Option<Done>,
    }

    impl<B> PinnedDrop for MeteredBody<B> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            finish(this.done, *this.sent);
        }
    }
}

fn finish(done: &mut Option<Done>, sent: u64) {
    if let Some(done) = done.take() {
        done.labels.record(done.started, done.request_bytes, sent);
    }
}

impl<B: MessageBody> MessageBody for MeteredBody<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        let this = self.project();
        let polled = this.body.poll_next(cx);
        match &polled {
            Poll::Ready(Some(Ok(chunk))) => *this.sent += chunk.len() as u64,
            Poll::Ready(None) => finish(this.done, *this.sent),
            Poll::Ready(Some(Err(_))) | Poll::Pending => {}
        }
        polled
    }
}

/// `1xx` … `5xx`; `other` for a code outside them (actix allows up to 999).
pub(crate) fn status_class(status: StatusCode) -> &'static str {
    match status.as_u16() / 100 {
        1 => "1xx",
        2 => "2xx",
        3 => "3xx",
        4 => "4xx",
        5 => "5xx",
        _ => "other",
    }
}

/// The standard methods by name, anything else `_OTHER` (OpenTelemetry's convention): a
/// client may send any token as a method.
fn method_label(method: &Method) -> &'static str {
    const STANDARD: [&str; 9] = [
        "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
    ];
    STANDARD
        .into_iter()
        .find(|known| *known == method.as_str())
        .unwrap_or("_OTHER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_their_class() {
        for (code, class) in [
            (101, "1xx"),
            (200, "2xx"),
            (204, "2xx"),
            (308, "3xx"),
            (404, "4xx"),
            (413, "4xx"),
            (503, "5xx"),
            (999, "other"),
        ] {
            assert_eq!(
                status_class(StatusCode::from_u16(code).unwrap_or_default()),
                class
            );
        }
    }

    #[test]
    fn only_standard_methods_are_labels_of_their_own() {
        assert_eq!(method_label(&Method::GET), "GET");
        assert_eq!(method_label(&Method::PATCH), "PATCH");
        assert_eq!(method_label(&Method::OPTIONS), "OPTIONS");
        let odd = Method::from_bytes(b"PROPFIND").unwrap_or_default();
        assert_eq!(method_label(&odd), "_OTHER");
    }
}
