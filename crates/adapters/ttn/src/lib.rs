//! The Things Network (LoRaWAN Stack v3) end-device registries, as the domain's
//! [`DeviceRegistry`](ents_domain::loggers::DeviceRegistry) port.
//!
//! What upstream did (docs/ttn.md#what-upstream-did) and what changes here (D-16, D-58):
//! - every request body is built from the call's arguments alone: the client holds only its
//!   settings, so one device's fields (its AppKey) can never reach another's request or
//!   response;
//! - timeouts on every request;
//! - a failed registration deletes what earlier steps created (no orphaned devices);
//! - rename sends a field mask; delete goes NS, AS, JS, then IS (TTN's order);
//! - the AppKey goes only to the Join Server, and no error message or log holds a key or a
//!   response body.

mod client;
mod device;
mod error;

pub use client::{TtnClient, TtnSettings};
pub use error::BuildError;
