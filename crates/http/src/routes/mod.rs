//! Route registration. Paths and trailing slashes follow the upstream route table
//! (upstream-contract §2.0); the fallback turns a missing slash into a 308.

mod health;

use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use utoipa_actix_web::scope::{Scope, scope};
use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api`.
pub(crate) fn api_scope() -> Scope<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    scope("/api").service(health::health_check)
}

/// Operator endpoints outside `/api`.
pub(crate) fn configure_probes(cfg: &mut ServiceConfig) {
    cfg.service(health::liveness).service(health::readiness);
}
