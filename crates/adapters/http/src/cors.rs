//! CORS for the configured origins. Unlike upstream (whose preflights never carried
//! Allow-Methods/Allow-Headers, D-20), preflights answer with the methods and headers the
//! clients use, and credentials (the refresh cookie) are allowed for those origins only.

use actix_cors::Cors;
use actix_web::http::{Method, header};

pub(crate) fn cors(allowed_origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::HeaderName::from_static("x-api-key"),
            header::HeaderName::from_static("sensorversion"),
        ])
        .expose_headers([
            header::HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .supports_credentials()
        .max_age(3600);
    for origin in allowed_origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}
