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

use crate::input_guard::{BodyLimit, JsonLimit};
use crate::known_routes::KnownRoutes;
use crate::state::AppState;
use crate::trace_context::RequestSpan;
use crate::{body_deadline, cors, error, fallback, input_guard, openapi, request_id, routes, spa};

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
    /// Longest wait for a request's head; zero disables it (actix's `client_request_timeout`).
    pub client_request_timeout: Duration,
    /// Longest wait for the client to close after the response; zero disables it.
    pub client_disconnect_timeout: Duration,
    /// Longest time to receive a whole body once the head is in ([`body_deadline`]).
    pub body_read_timeout: Duration,
    /// Most open connections per worker thread.
    pub max_connections: usize,
    /// Where the SensorThings API is served (`/sta/v1.1`); `None` turns it off.
    pub sta_prefix: Option<String>,
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
            client_request_timeout: Duration::from_secs(5),
            client_disconnect_timeout: Duration::from_secs(1),
            body_read_timeout: Duration::from_secs(20),
            max_connections: 4_096,
            sta_prefix: Some("/sta/v1.1".into()),
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
    let api_doc = openapi::openapi_for(settings.sta_prefix.as_deref());
    let known_routes = web::Data::new(KnownRoutes::from_openapi(&api_doc));
    let workers = settings.workers;
    let shutdown = settings.shutdown_timeout.as_secs();
    let (request_timeout, disconnect_timeout, max_connections) = (
        settings.client_request_timeout,
        settings.client_disconnect_timeout,
        settings.max_connections.max(1),
    );
    let mut server = HttpServer::new(move || {
        let mut app = App::new()
            .app_data(state.clone())
            .app_data(known_routes.clone())
            .app_data(web::Data::new(JsonLimit(settings.json_limit_bytes)))
            .app_data(web::Data::new(BodyLimit(settings.body_limit_bytes)))
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
        if let Some(prefix) = &settings.sta_prefix {
            app = app.configure(routes::sta::configure(prefix.clone()));
        }
        // Before the dashboard, whose catch-all would otherwise answer `/socket.io/`.
        app = app.configure(routes::socketio::configure(state.socketio));
        if let Some(dir) = &settings.static_dir {
            app = app.service(spa::dashboard(dir));
        }
        let body_read_timeout = settings.body_read_timeout;
        app.default_service(web::to(fallback::not_found_or_redirect))
            // The input guard reads JSON bodies, so it sits inside the body's deadline; the
            // deadline's 408 replaces whatever the guard or the handler made of a body that
            // never came.
            .wrap(from_fn(fallback::refuse_shadowed_method))
            .wrap(from_fn(input_guard::guard_input))
            .wrap(from_fn(move |req, next| {
                body_deadline::enforce(body_read_timeout, req, next)
            }))
            .wrap(Compress::default())
            .wrap(from_fn(request_id::echo_request_id))
            .wrap(cors::cors(&settings.allowed_origins))
            .wrap(from_fn(crate::metrics::measure_request))
            .wrap(TracingLogger::<RequestSpan>::new())
            // Doubled slashes (`/api//cell/id`, the `ents` package's URLs) reach their route.
            .wrap(NormalizePath::new(TrailingSlash::MergeOnly))
    })
    // A slow or silent client (slowloris) must not hold a connection for ever: the head and
    // the close are bounded here, the body by `body_deadline`, the count by `max_connections`.
    .client_request_timeout(request_timeout)
    .client_disconnect_timeout(disconnect_timeout)
    .max_connections(max_connections)
    .listen(listener)?
    .shutdown_timeout(shutdown);
    if let Some(workers) = workers {
        server = server.workers(workers.max(1));
    }
    Ok(server.run())
}
