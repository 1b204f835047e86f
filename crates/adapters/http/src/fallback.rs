//! What answers when no route matched.
//!
//! Upstream (Werkzeug) answers 308 when a route is declared with a trailing slash and the request
//! lacks it (`/api/sensor` → `/api/sensor/`); the `ents` package relies on that
//! (docs/compatibility.md#http-and-errors). Anything else unknown is a JSON 404 (upstream sent an
//! HTML page). A known path asked with a method it does not serve is a 405 with `Allow`, as
//! Werkzeug answered.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};

use crate::error::ApiError;
use crate::known_routes::KnownRoutes;

pub(crate) async fn not_found_or_redirect(req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let path = req.path();
    if let Some(known) = req.app_data::<web::Data<KnownRoutes>>() {
        let allowed = known.allowed(path);
        if !allowed.is_empty() {
            return Err(ApiError::MethodNotAllowed {
                allow: allowed.join(", "),
            });
        }
    }
    if !path.ends_with('/') {
        let with_slash = format!("{path}/");
        if req.resource_map().has_resource(&with_slash) {
            let location = match req.query_string() {
                "" => with_slash,
                query => format!("{with_slash}?{query}"),
            };
            return Ok(HttpResponse::PermanentRedirect()
                .insert_header((header::LOCATION, location))
                .finish());
        }
    }
    Err(ApiError::RouteNotFound)
}

/// Answers 405 before routing when a documented literal path is asked with a method only a
/// parameter route beside it serves (`PUT /api/cell/datas` would otherwise reach
/// `PUT /api/cell/{cell_id}`).
pub(crate) async fn refuse_shadowed_method(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let allow = req
        .app_data::<web::Data<KnownRoutes>>()
        .and_then(|known| known.shadowed(req.method().as_str(), req.path()));
    match allow {
        Some(allow) => {
            let refusal = ApiError::MethodNotAllowed {
                allow: allow.join(", "),
            };
            Ok(req.into_response(refusal.error_response()))
        }
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}
