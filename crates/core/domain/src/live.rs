//! The live push: committed measurements (and alerts) reach the dashboards subscribed to
//! their cell.

use async_trait::async_trait;

use crate::DomainError;
use crate::alerts::{ALERT, AlertLiveEvent};
use crate::measurements::{MEASUREMENT_RECEIVED, MeasurementReceived};

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

/// Which Socket.IO event a relayed event is emitted as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LiveEventName {
    /// Upstream's `measurement_received` ([`MeasurementReceived`]).
    MeasurementReceived,
    /// Ours: an alert fired or resolved ([`AlertLiveEvent`]).
    Alert,
}

impl LiveEventName {
    /// The Socket.IO event name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MeasurementReceived => MEASUREMENT_RECEIVED,
            Self::Alert => ALERT,
        }
    }
}

/// A live event on its way between API instances: encoded once, by the instance that
/// produced it, so every instance sends its subscribers the same bytes (keys in the order
/// encoded — upstream's for `measurement_received` —, which a re-decoded
/// `serde_json::Value` would lose).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelayedEvent {
    pub cell_id: u32,
    /// What it is emitted as.
    pub event: LiveEventName,
    /// The event's JSON object.
    pub json: String,
}

impl RelayedEvent {
    /// Encodes `event`. Errors: `Internal` (serialization of these types does not fail).
    pub fn encode(event: &MeasurementReceived) -> Result<Self, DomainError> {
        Ok(Self {
            cell_id: event.cell_id,
            event: LiveEventName::MeasurementReceived,
            json: serde_json::to_string(event).map_err(DomainError::internal)?,
        })
    }

    /// Encodes an `alert` event. Errors: `Internal` (a negative cell id, which a stored
    /// rule cannot have).
    pub fn alert(event: &AlertLiveEvent) -> Result<Self, DomainError> {
        Ok(Self {
            cell_id: u32::try_from(event.cell_id).map_err(DomainError::internal)?,
            event: LiveEventName::Alert,
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
    /// Sends each event, in order, as its [`LiveEventName`], to this instance's subscribers
    /// of its cell. Infallible and best effort: a subscriber that went away is skipped.
    async fn deliver(&self, events: &[RelayedEvent]);
}
