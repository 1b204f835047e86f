//! The OpenAPI 3.1 document, collected from the `#[utoipa::path]` handlers the app mounts.

use actix_web::App;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

mod common_answers;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ENTS backend API",
        description = "Environmental NeTworked Sensing: sensor ingestion, cells, loggers, \
                       data series and exports behind the DirtViz dashboard. Compatible with \
                       the original ENTS backend: field devices, The Things Network webhooks, \
                       the dashboard and the `ents` Python package work unchanged.",
        license(name = "MIT")
    ),
    tags(
        (name = "health", description = "Liveness, readiness and the original health check"),
        (name = "auth", description = "Sign-in (Google, local accounts), token refresh, logout"),
        (name = "users", description = "The caller's profile"),
        (name = "api keys", description = "API keys for devices and scripts"),
        (name = "loggers", description = "Loggers and their registration with The Things Network"),
        (name = "data", description = "Reading measurement series, availability, catalog, equations"),
        (name = "ingest", description = "Uploads from the field: protobuf, The Things Network webhooks, JSON"),
        (name = "exports", description = "CSV exports run by the worker, and the original export pair"),
        (name = "imports", description = "CSV imports into a cell, run by the worker (docs/import-export.md)"),
        (name = "alerts", description = "Alert rules on cells (silence, thresholds) and the history of alerts (docs/alerts.md)"),
        (name = "sensorthings", description = "A read-only OGC SensorThings API v1.1 over the same data (prefix `sta.prefix`; docs/sensorthings.md)"),
    ),
    paths(
        crate::routes::sta::doc::root,
        crate::routes::sta::doc::collection,
        crate::routes::sta::doc::entity,
        crate::routes::sta::doc::related,
    ),
    modifiers(&SecuritySchemes)
)]
pub(crate) struct ApiDoc;

/// The credentials routes declare in their `security(...)`.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "The access token of `GET /api/auth/token`, `/api/auth/refresh` or \
                         `POST /api/auth/login` (15 minutes)",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-API-Key",
                "A key from `POST /api/apikey/` or `POST /api/keys`",
            ))),
        );
    }
}

/// The document served at `/api/openapi.json` (also used by the snapshot test).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(crate::routes::api_scope())
        .configure(crate::routes::configure_probes)
        .split_for_parts();
    let mut api = api;
    common_answers::document_common_answers(&mut api);
    api
}

/// Where the document lists the SensorThings routes (the default `sta.prefix`).
const STA_DOCUMENTED_PREFIX: &str = "/sta/v1.1";

/// The document as this server serves it: the SensorThings routes under `sta_prefix`, or
/// left out when the API is off — so that `/api/openapi.json` and the 405 answers (which
/// read the document) describe what is mounted.
pub fn openapi_for(sta_prefix: Option<&str>) -> utoipa::openapi::OpenApi {
    let mut api = openapi();
    let sta: Vec<String> = api
        .paths
        .paths
        .keys()
        .filter(|path| path.starts_with(STA_DOCUMENTED_PREFIX))
        .cloned()
        .collect();
    for path in sta {
        if let (Some(item), Some(prefix)) = (api.paths.paths.remove(&path), sta_prefix) {
            let moved = format!("{prefix}{}", &path[STA_DOCUMENTED_PREFIX.len()..]);
            api.paths.paths.insert(moved, item);
        }
    }
    api
}
