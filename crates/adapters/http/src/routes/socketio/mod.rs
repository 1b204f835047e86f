//! `/socket.io/` on the API's own port, where the dashboard expects it (docs/live-push.md):
//! forwarded to the Socket.IO server (`ents-live`) that listens on an internal loopback address of
//! the same process. Engine.IO long-polling requests are relayed as HTTP; WebSocket upgrades are
//! accepted here and bridged frame by frame to a WebSocket opened to the internal server.
//!
//! The HTTP layer knows only the internal address, not socketioxide: Socket.IO itself stays
//! in `ents-live`. Why a forward rather than an actix-native Socket.IO: `docs/live-push.md`.

mod headers;
mod polling;
mod websocket;

use std::net::SocketAddr;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::ApiError;

/// Where the Socket.IO server listens inside this process.
#[derive(Debug, Clone, Copy)]
pub struct SocketIoUpstream {
    pub addr: SocketAddr,
}

/// Registers `/socket.io` and `/socket.io/` (clients use the slash; both reach Engine.IO,
/// whose path match is a prefix). Called once per worker: each gets its own client pool.
pub(crate) fn configure(upstream: SocketIoUpstream) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(polling::Forwarder::new(upstream.addr)))
            .service(
                web::resource(["/socket.io", "/socket.io/"]).default_service(web::to(forward)),
            );
    }
}

async fn forward(
    req: HttpRequest,
    body: web::Payload,
    forwarder: web::Data<polling::Forwarder>,
) -> Result<HttpResponse, ApiError> {
    if headers::is_websocket_upgrade(req.headers()) {
        websocket::bridge(&req, body, forwarder.addr()).await
    } else {
        forwarder.forward(&req, body).await
    }
}

/// What a client sees when the internal server cannot be reached: the usual 503.
fn unavailable(cause: impl std::fmt::Display) -> ApiError {
    ApiError::Domain(ents_domain::DomainError::Unavailable(format!(
        "live push server: {cause}"
    )))
}
