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
