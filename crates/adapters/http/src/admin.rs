//! The admin listener (`metrics.listen`) of both processes: `GET /metrics` (the exposition the
//! composition root renders), `/healthz` and `/readyz` (the worker has no other HTTP port;
//! its Kubernetes probes use these). Never routed publicly.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpResponse, HttpServer, web};
use ents_domain::health::ReadinessProbe;

use crate::routes::health;

/// Renders the current exposition in the Prometheus text format.
pub type RenderMetrics = Arc<dyn Fn() -> String + Send + Sync>;

/// What the admin listener answers from.
#[derive(Clone)]
pub struct AdminState {
    pub render: RenderMetrics,
    /// The process's dependencies, checked by `/readyz`.
    pub readiness: Vec<Arc<dyn ReadinessProbe>>,
}

/// Serves the admin routes on `listener` with one worker and no signal handling of its own:
/// the owner stops it with the process.
pub fn serve_admin(listener: TcpListener, state: AdminState) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    Ok(HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route("/metrics", web::get().to(exposition))
            .route("/healthz", web::get().to(health::liveness_answer))
            .route("/readyz", web::get().to(readiness))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run())
}

async fn exposition(state: web::Data<AdminState>) -> HttpResponse {
    let render = state.render.clone();
    // Rendering walks every series; keep it off the (single) worker's event loop.
    match web::block(move || render()).await {
        Ok(text) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(text),
        Err(_) => HttpResponse::ServiceUnavailable().finish(),
    }
}

async fn readiness(state: web::Data<AdminState>) -> HttpResponse {
    health::readiness_of(&state.readiness).await
}
