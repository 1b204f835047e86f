//! The names of the metrics this adapter emits (described by the composition root, listed in
//! `docs/operations.md`).

/// Gauge: connected live-push (Socket.IO) clients of this process.
pub const CLIENTS: &str = "ents_live_clients";
/// Gauge: live-push rooms (cells) with at least one client in this process.
pub const ROOMS: &str = "ents_live_rooms";
