//! The default namespace's handlers: the only client events upstream had.

use serde_json::Value;
use socketioxide::SocketIo;
use socketioxide::extract::{AckSender, SocketRef, TryData};

use crate::rooms;

/// An acknowledgement with no arguments (`43<id>[]`), as python-socketio sends when the
/// client asked for one and the handler returned nothing. `[(); 0]` serializes as an empty
/// tuple, which socketioxide expands to zero arguments (`()` would become `[null]`).
const NO_ARGS: [(); 0] = [];

/// Registers the default namespace. No authentication on connect, as upstream: the live data
/// is as public as the readings endpoints (docs/live-push.md).
pub(crate) fn register(io: &SocketIo) {
    io.ns("/", async |socket: SocketRef| {
        tracing::debug!(sid = %socket.id, transport = ?socket.transport_type(), "live client connected");
        metrics::gauge!(crate::metrics::CLIENTS).increment(1);
        socket.on("subscribe_cells", subscribe_cells);
        socket.on("unsubscribe_cells", unsubscribe_cells);
        socket.on_disconnect(async |socket: SocketRef, io: SocketIo| {
            tracing::debug!(sid = %socket.id, "live client disconnected");
            metrics::gauge!(crate::metrics::CLIENTS).decrement(1);
            count_rooms(&io).await;
        });
    });
}

async fn subscribe_cells(
    socket: SocketRef,
    io: SocketIo,
    TryData(payload): TryData<Value>,
    ack: AckSender,
) {
    let Some(rooms) = requested(&socket, "subscribe_cells", payload) else {
        return;
    };
    tracing::debug!(sid = %socket.id, ?rooms, "subscribe_cells");
    socket.join(rooms);
    acknowledge(ack);
    count_rooms(&io).await;
}

async fn unsubscribe_cells(
    socket: SocketRef,
    io: SocketIo,
    TryData(payload): TryData<Value>,
    ack: AckSender,
) {
    let Some(rooms) = requested(&socket, "unsubscribe_cells", payload) else {
        return;
    };
    tracing::debug!(sid = %socket.id, ?rooms, "unsubscribe_cells");
    socket.leave(rooms);
    acknowledge(ack);
    count_rooms(&io).await;
}

/// The rooms a payload names; `None` (logged, nothing sent back, the connection stays) where
/// upstream's handler raised.
fn requested<E: std::fmt::Display>(
    socket: &SocketRef,
    event: &str,
    payload: Result<Value, E>,
) -> Option<Vec<String>> {
    let rooms = payload.ok().as_ref().and_then(rooms::requested);
    if rooms.is_none() {
        tracing::info!(sid = %socket.id, event, "ignored a payload that is not {{cellIds: [...]}}");
    }
    rooms
}

/// Sets the rooms gauge (rooms with at least one client: the local adapter drops empty ones).
async fn count_rooms(io: &SocketIo) {
    // The local adapter cannot fail (its error type is uninhabited).
    let Ok(rooms) = io.rooms().await;
    metrics::gauge!(crate::metrics::ROOMS).set(rooms.len() as f64);
}

fn acknowledge(ack: AckSender) {
    if let Err(error) = ack.send(&NO_ARGS) {
        tracing::debug!(%error, "acknowledgement not sent (client gone)");
    }
}
