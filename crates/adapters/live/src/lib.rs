//! The live push's Socket.IO side (docs/live-push.md).
//!
//! socketioxide is the maintained Rust Socket.IO server, but it is a hyper/tower service and cannot
//! be mounted inside actix-web (actix hands out neither hyper requests nor upgraded IO).
//! [`LiveServer`] therefore serves it on an internal loopback listener of the same process and
//! runtime; the actix app forwards `/socket.io/` there (HTTP long-polling and WebSocket alike), so
//! clients see it on the API's own port. See `docs/live-push.md` for the design and why.
//!
//! What it serves: Socket.IO v5 / Engine.IO v4, websocket and polling, the default namespace
//! only, `subscribe_cells` / `unsubscribe_cells` (rooms `cell_<id>`) and, through
//! [`SocketIoSubscribers`], `measurement_received` (upstream's) and `alert` (ours).

mod error;
pub mod metrics;
mod namespace;
mod rooms;
mod server;
mod settings;
mod subscribers;

pub use error::LiveError;
pub use server::{LiveCloser, LiveServer};
pub use settings::LiveSettings;
pub use subscribers::SocketIoSubscribers;
