//! The live push: committed measurements reach the dashboards subscribed to their cell.

use async_trait::async_trait;

use crate::DomainError;
use crate::measurements::MeasurementReceived;

/// Delivers `measurement_received` events to live subscribers (Socket.IO room
/// `cell_<cellId>`) of every API instance.
///
/// Called only after the measurements are committed. Best effort: an `Err`
/// (`Unavailable`/`Internal`) is logged by the caller and never fails the upload that
/// produced the events.
#[async_trait]
pub trait LiveFeed: Send + Sync + 'static {
    async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError>;
}

/// A `measurement_received` event on its way between API instances: encoded once, by the
/// instance that stored it, so every instance sends its subscribers the same bytes (keys in
/// upstream's order, which a re-decoded `serde_json::Value` would lose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayedEvent {
    pub cell_id: u32,
    /// The JSON object of a [`MeasurementReceived`].
    pub json: String,
}

impl RelayedEvent {
    /// Encodes `event`. Errors: `Internal` (serialization of these types does not fail).
    pub fn encode(event: &MeasurementReceived) -> Result<Self, DomainError> {
        Ok(Self {
            cell_id: event.cell_id,
            json: serde_json::to_string(event).map_err(DomainError::internal)?,
        })
    }

    /// The room of the cell, as [`MeasurementReceived::room`].
    pub fn room(&self) -> String {
        format!("cell_{}", self.cell_id)
    }
}

/// The subscribers connected to *this* instance: where the events relayed from every
/// instance (this one included) end up.
#[async_trait]
pub trait LiveSubscribers: Send + Sync + 'static {
    /// Sends each event, in order, to this instance's subscribers of its cell. Infallible
    /// and best effort: a subscriber that went away is skipped.
    async fn deliver(&self, events: &[RelayedEvent]);
}
