//! The actix-web adapter: turns HTTP into calls on domain ports and use cases, and domain
//! results back into the upstream-compatible HTTP contract.
//!
//! The only dependency on the inside is `ents-domain`: the composition root (`ents-runtime`)
//! builds an [`AppState`] from concrete adapters and hands it to [`serve`]. The routes are
//! tested on the real app (`crates/apps/server/tests`); this crate's own tests need no
//! state (the OpenAPI snapshot).

mod admin;
pub mod auth;
mod body_deadline;
mod cors;
mod error;
mod fallback;
mod input_guard;
mod known_routes;
pub mod metrics;
mod openapi;
mod request_id;
mod routes;
mod server;
mod spa;
mod state;
mod trace_context;

pub use admin::{AdminState, RenderMetrics, serve_admin};
pub use error::ApiError;
pub use openapi::openapi;
pub use routes::ingest::{IngestEndpoints, IngestHttpSettings, WebhookSecret};
pub use routes::registry::Registry;
pub use routes::socketio::SocketIoUpstream;
pub use server::{HttpSettings, serve};
pub use state::AppState;
