//! Engine.IO long-polling: each request is replayed on a pooled connection to the internal
//! server and its response copied back.

use std::net::SocketAddr;
use std::time::Duration;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder, web};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use super::headers::forwarded;
use super::unavailable;
use crate::error::ApiError;

/// Bound on a polling body either way: Engine.IO's `maxPayload` (1 MB, `ents-live`'s
/// settings) with room for the framing.
const BODY_LIMIT: usize = 2 * 1024 * 1024;

/// The HTTP client of one actix worker towards the internal server.
pub(crate) struct Forwarder {
    addr: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Forwarder {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Self { addr, client }
    }

    pub(crate) fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Replays `req` with `body`. No timeout of its own: a long-poll legitimately waits up to
    /// the ping interval, and a client that gives up drops this future (and the request).
    pub(crate) async fn forward(
        &self,
        req: &HttpRequest,
        body: web::Payload,
    ) -> Result<HttpResponse, ApiError> {
        let body = body
            .to_bytes_limited(BODY_LIMIT)
            .await
            .map_err(|_| ApiError::PayloadTooLarge)?
            .map_err(|e| ApiError::bad_request(format!("unreadable body: {e}")))?;
        let request = self.upstream_request(req, body)?;
        let response = self.client.request(request).await.map_err(unavailable)?;

        let mut builder = HttpResponseBuilder::new(
            StatusCode::from_u16(response.status().as_u16()).map_err(unavailable)?,
        );
        for (name, value) in response.headers() {
            if forwarded(name.as_str()) {
                builder.append_header((name.as_str(), value.as_bytes()));
            }
        }
        // Upstream answered Socket.IO with `cors_allowed_origins="*"`: polling from a page
        // on another origin works (no credentials are involved). The API's CORS middleware
        // still overrides this for its configured origins.
        if req.headers().contains_key(header::ORIGIN)
            && !response
                .headers()
                .contains_key("access-control-allow-origin")
        {
            builder.insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
        }
        let body = Limited::new(response.into_body(), BODY_LIMIT)
            .collect()
            .await
            .map_err(unavailable)?
            .to_bytes();
        Ok(builder.body(body))
    }

    fn upstream_request(
        &self,
        req: &HttpRequest,
        body: Bytes,
    ) -> Result<hyper::Request<Full<Bytes>>, ApiError> {
        let path_and_query = req
            .uri()
            .path_and_query()
            .map_or("/socket.io/", |p| p.as_str());
        let mut request = hyper::Request::builder()
            .method(req.method().as_str())
            .uri(format!("http://{}{path_and_query}", self.addr));
        for (name, value) in req.headers() {
            if forwarded(name.as_str()) {
                request = request.header(name.as_str(), value.as_bytes());
            }
        }
        request
            .body(Full::new(body))
            .map_err(|e| ApiError::bad_request(format!("cannot forward this request: {e}")))
    }
}
