//! The OpenAPI 3.1 document, collected from the `#[utoipa::path]` handlers the app mounts.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "ENTS backend API",
        description = "Environmental NeTworked Sensing: sensor ingestion, cells, loggers, \
                       data series and exports behind the DirtViz dashboard.",
        license(name = "MIT")
    ),
    tags(
        (name = "health", description = "Liveness, readiness and the upstream health check"),
    )
)]
pub(crate) struct ApiDoc;

/// The document served at `/api/openapi.json` (also used by the snapshot test).
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(crate::routes::api_scope())
        .configure(crate::routes::configure_probes)
        .split_for_parts();
    api
}
