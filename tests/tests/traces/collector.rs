//! A fake OpenTelemetry collector: an OTLP/HTTP receiver (protobuf) on a port of its own that
//! keeps every span it is sent, for the tests to look at. It runs on a thread and runtime of
//! its own, so it outlives each test's runtime (the trace export is installed once per
//! process).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

pub struct Collector {
    /// The base URL to give `telemetry.otlp_endpoint`.
    pub endpoint: String,
    spans: Arc<Mutex<Vec<Span>>>,
}

impl Collector {
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let spans = Arc::new(Mutex::new(Vec::new()));
        let sink = spans.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(serve(listener, sink));
        });
        Self { endpoint, spans }
    }

    /// Every span received so far.
    pub fn spans(&self) -> Vec<Span> {
        self.spans.lock().unwrap().clone()
    }
}

async fn serve(listener: std::net::TcpListener, sink: Arc<Mutex<Vec<Span>>>) {
    let listener = tokio::net::TcpListener::from_std(listener).unwrap();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let sink = sink.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let sink = sink.clone();
                async move { Ok::<_, Infallible>(receive(request, &sink).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// `POST /v1/traces` with an `ExportTraceServiceRequest`; the answer is an empty (valid)
/// `ExportTraceServiceResponse`.
async fn receive(request: Request<Incoming>, sink: &Mutex<Vec<Span>>) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return status(400),
    };
    if path != "/v1/traces" {
        return status(404);
    }
    let Ok(export) = ExportTraceServiceRequest::decode(body) else {
        return status(400);
    };
    let mut spans = sink.lock().unwrap();
    for resource in export.resource_spans {
        for scope in resource.scope_spans {
            spans.extend(scope.spans);
        }
    }
    let mut response = Response::new(Full::new(Bytes::new()));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/x-protobuf"),
    );
    response
}

fn status(code: u16) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = hyper::StatusCode::from_u16(code).unwrap();
    response
}
