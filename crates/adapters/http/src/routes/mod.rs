//! Route registration. Paths and trailing slashes follow the upstream route table
//! (docs/compatibility.md#http-and-errors); the fallback turns a missing slash into a 308.

mod alerts;
mod api_keys;
mod auth;
mod availability;
mod catalog;
mod equations;
mod exports;
pub(crate) mod health;
mod imports;
pub(crate) mod ingest;
mod isoformat;
mod jsonify;
mod loggers;
mod path_int;
pub(crate) mod registry;
mod series;
pub(crate) mod socketio;
pub(crate) mod sta;
mod truthiness;
mod users;

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
    scope("/api")
        .service(health::health_check)
        .service(auth::oauth_url)
        .service(auth::token)
        .service(auth::refresh)
        .service(auth::logout)
        .service(auth::logged_in)
        .service(auth::login)
        .service(auth::register)
        .service(users::get_user)
        .service(users::put_user)
        .service(users::session)
        .service(api_keys::get_apikey)
        .service(api_keys::post_apikey)
        .service(api_keys::delete_apikey)
        .service(api_keys::list_keys)
        .service(api_keys::create_key)
        .service(api_keys::revoke_key)
        // The registry (issue 4). `/cell/id` and `/cell/datas` (the seed-era export) before
        // `/cell/{cell_id}`.
        .service(exports::legacy_create)
        .service(registry::public_cells)
        .service(registry::list_cells)
        .service(registry::create_cell)
        .service(registry::get_cell)
        .service(registry::update_cell)
        .service(registry::delete_cell)
        .service(registry::list_cell_tags)
        .service(registry::set_cell_tags)
        .service(registry::add_cell_tag)
        .service(registry::remove_cell_tag)
        .service(registry::cells_by_tag)
        .service(registry::list_cell_users)
        .service(registry::set_cell_users)
        .service(registry::add_cell_user)
        .service(registry::remove_cell_user)
        .service(registry::share_cell)
        .service(registry::cells_of_user)
        .service(registry::list_tags)
        .service(registry::create_tag)
        .service(registry::get_tag)
        .service(registry::update_tag)
        .service(registry::delete_tag)
        // Loggers (issue 4).
        .service(loggers::list_loggers)
        .service(loggers::create_logger)
        .service(loggers::get_logger)
        .service(loggers::update_logger)
        .service(loggers::delete_logger)
        // Reading data (issue 6).
        .service(series::power_root)
        .service(series::power_by_cell)
        .service(series::teros_root)
        .service(series::teros_by_cell)
        .service(series::sensor_get)
        .service(series::sensor_json_get)
        .service(availability::data_availability)
        .service(catalog::sensor_catalog)
        .service(catalog::cell_sensors)
        .service(equations::validate_equation)
        // Exports through the worker (issue 6).
        .service(exports::legacy_status)
        .service(exports::create_export)
        .service(exports::get_export)
        .service(exports::download_export)
        // Imports through the worker (issue 13).
        .service(imports::create_import)
        .service(imports::get_import)
        .service(imports::import_errors)
        // Device uploads (issue 5).
        .service(ingest::sensor_post)
        .service(ingest::sensor_json_post)
        .service(ingest::power_post)
        .service(ingest::teros_post)
        // Alerts for researchers (issue 14).
        .service(alerts::list_rules)
        .service(alerts::create_rule)
        .service(alerts::get_rule)
        .service(alerts::update_rule)
        .service(alerts::delete_rule)
        .service(alerts::list_events)
}

/// Operator endpoints outside `/api`.
pub(crate) fn configure_probes(cfg: &mut ServiceConfig) {
    cfg.service(health::liveness).service(health::readiness);
}
