//! Building and starting the HTTP server.

use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, NormalizePath, TrailingSlash, from_fn};
use actix_web::{App, HttpServer, web};
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::state::AppState;
use crate::{cors, error, fallback, openapi, request_id, routes, spa};

/// What the HTTP layer needs from the configuration.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Worker threads; `None` = one per core.
    pub workers: Option<usize>,
    /// Largest accepted body (raw payloads: protobuf uploads).
    pub body_limit_bytes: usize,
    /// Largest accepted JSON body.
    pub json_limit_bytes: usize,
    /// Origins allowed by CORS.
    pub allowed_origins: Vec<String>,
    /// The built dashboard to serve, if any.
    pub static_dir: Option<PathBuf>,
    pub shutdown_timeout: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            workers: None,
            body_limit_bytes: 10 * 1024 * 1024,
            json_limit_bytes: 1024 * 1024,
            allowed_origins: Vec::new(),
            static_dir: None,
            shutdown_timeout: Duration::from_secs(30),
        }
    }
}

/// Starts serving on `listener` (already bound, so tests can bind port 0). The returned
/// server must be awaited (or spawned) to run.
pub fn serve(
    listener: TcpListener,
    state: AppState,
    settings: HttpSettings,
) -> std::io::Result<Server> {
    let state = web::Data::new(state);
    let api_doc = openapi::openapi();
    let workers = settings.workers;
    let shutdown = settings.shutdown_timeout.as_secs();
    let request_metrics = crate::metrics::request_metrics();
    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .app_data(state.clone())
            .app_data(
                web::JsonConfig::default()
                    .limit(settings.json_limit_bytes)
                    .error_handler(|e, _| error::from_json_error(e).into()),
            )
            .app_data(web::PayloadConfig::default().limit(settings.body_limit_bytes))
            .app_data(
                web::QueryConfig::default().error_handler(|e, _| error::from_query_error(e).into()),
            )
            .app_data(
                web::PathConfig::default().error_handler(|e, _| error::from_path_error(e).into()),
            )
            // Registered before the `/api` scope, which would otherwise swallow these paths.
            .service(SwaggerUi::new("/api/docs/{_:.*}").url("/api/openapi.json", api_doc.clone()))
            .into_utoipa_app()
            .service(routes::api_scope())
            .configure(routes::configure_probes)
            .into_app();
        // Before the dashboard, whose catch-all would otherwise answer `/socket.io/`.
        app = app.configure(routes::socketio::configure(state.socketio));
        if let Some(dir) = &settings.static_dir {
            app = app.service(spa::dashboard(dir));
        }
        app.default_service(web::to(fallback::not_found_or_redirect))
            .wrap(Compress::default())
            .wrap(from_fn(request_id::echo_request_id))
            .wrap(cors::cors(&settings.allowed_origins))
            .wrap(request_metrics.clone())
            .wrap(TracingLogger::default())
            // Doubled slashes (`/api//cell/id`, the `ents` package's URLs) reach their route.
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
    })
    .listen(listener)?
    .shutdown_timeout(shutdown);
    if let Some(workers) = workers {
        server = server.workers(workers.max(1));
    }
    Ok(server.run())
}
