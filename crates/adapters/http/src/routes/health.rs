//! `GET /api/` (the upstream health check), `/healthz` (liveness) and `/readyz` (readiness).

use std::sync::Arc;

use actix_web::{HttpResponse, get, web};
use ents_domain::health::ReadinessProbe;
use futures_util::future::join_all;
use serde::Serialize;
use utoipa::ToSchema;

use crate::state::AppState;

/// Upstream's exact bytes: Flask-RESTful's `json.dumps` with `", "`/`": "` separators and a
/// trailing newline (docs/compatibility.md#http-and-errors).
const HEALTH_BODY: &str = "{\"hello\": \"I'm alive and healthy! Super healthy :D\"}\n";

#[derive(Serialize, ToSchema)]
pub(crate) struct HealthMessage {
    /// Always "I'm alive and healthy! Super healthy :D".
    hello: String,
}

/// The original health check: the process is up. Always the same body.
#[utoipa::path(
    tag = "health",
    responses((status = 200, description = "Alive", body = HealthMessage))
)]
#[get("/")]
pub(crate) async fn health_check() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(HEALTH_BODY)
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Liveness {
    status: &'static str,
}

/// Liveness: the process answers HTTP. Never touches a dependency.
#[utoipa::path(tag = "health", responses((status = 200, body = Liveness)))]
#[get("/healthz")]
pub(crate) async fn liveness() -> HttpResponse {
    liveness_answer().await
}

/// The liveness answer (the API's route, and the admin listener's).
pub(crate) async fn liveness_answer() -> HttpResponse {
    HttpResponse::Ok().json(Liveness { status: "ok" })
}

#[derive(Serialize, ToSchema)]
pub(crate) struct DependencyStatus {
    name: &'static str,
    ok: bool,
    /// Why it is not ready (absent when ok).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ok` or `unavailable`.
    status: &'static str,
    checks: Vec<DependencyStatus>,
}

/// Readiness: every dependency (database; broker when configured) answers now.
#[utoipa::path(
    tag = "health",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "A dependency is down", body = Readiness)
    )
)]
#[get("/readyz")]
pub(crate) async fn readiness(state: web::Data<AppState>) -> HttpResponse {
    readiness_of(&state.readiness).await
}

/// The readiness answer for `probes` (the API's, or the admin listener's).
pub(crate) async fn readiness_of(probes: &[Arc<dyn ReadinessProbe>]) -> HttpResponse {
    let checks: Vec<DependencyStatus> = join_all(probes.iter().map(|probe| async move {
        match probe.check().await {
            Ok(()) => DependencyStatus {
                name: probe.name(),
                ok: true,
                error: None,
            },
            Err(error) => DependencyStatus {
                name: probe.name(),
                ok: false,
                error: Some(error),
            },
        }
    }))
    .await;
    if checks.iter().all(|c| c.ok) {
        HttpResponse::Ok().json(Readiness {
            status: "ok",
            checks,
        })
    } else {
        HttpResponse::ServiceUnavailable().json(Readiness {
            status: "unavailable",
            checks,
        })
    }
}
