//! The Socket.IO `measurement_received` payload (docs/live-push.md#the-event).

use serde::Serialize;

use super::{DataFields, DeviceTime};

/// Event name, sent to room `cell_<cellId>` after the upload is committed.
pub const MEASUREMENT_RECEIVED: &str = "measurement_received";

/// One `measurement_received` event. Serializes to exactly upstream's keys, in upstream's order:
/// `type, cellId, loggerId, timestamp, data, obj_count`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MeasurementReceived {
    /// Legacy: the measurement type string (`power`, `waterLevel`…); generic: the `SensorType`
    /// name.
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "cellId")]
    pub cell_id: u32,
    /// `null` only for JSON uploads without `loggerId`.
    #[serde(rename = "loggerId")]
    pub logger_id: Option<u32>,
    /// The device timestamp as sent (unix seconds).
    pub timestamp: DeviceTime,
    /// Legacy: the decoded data dict; generic: `{<display name>: value}`.
    pub data: DataFields,
    /// Rows written for this event (generic: always 1).
    pub obj_count: usize,
}

impl MeasurementReceived {
    /// The Socket.IO room subscribers of this cell joined.
    pub fn room(&self) -> String {
        format!("cell_{}", self.cell_id)
    }
}
