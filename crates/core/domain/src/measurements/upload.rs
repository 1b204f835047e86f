//! One decoded device upload, and everything it causes.

use std::collections::BTreeSet;
use std::num::NonZeroU32;

use super::{GenericMeasurement, LegacyMeasurement, MeasurementReceived, StoredRow};

/// A decoded, validated upload. Stored in one transaction: all rows or none.
#[derive(Debug, Clone, PartialEq)]
pub enum Upload {
    /// One legacy reading (protobuf `Measurement` or the `/api/sensor_json/` dict).
    Legacy(LegacyMeasurement),
    /// The items of a `RepeatedSensorMeasurements`, in upload order; never empty when decoded.
    Generic(Vec<GenericMeasurement>),
}

impl Upload {
    /// Every row to insert, in upstream's order.
    pub fn stored_rows(&self) -> Vec<StoredRow> {
        match self {
            Self::Legacy(m) => m.stored_rows(),
            Self::Generic(items) => items
                .iter()
                .map(|m| StoredRow::Sensor(m.stored_row()))
                .collect(),
        }
    }

    /// The `measurement_received` events to emit once committed: one for a legacy upload, one
    /// per item for a generic one.
    pub fn live_events(&self) -> Vec<MeasurementReceived> {
        match self {
            Self::Legacy(m) => vec![m.live_event()],
            Self::Generic(items) => items.iter().map(GenericMeasurement::live_event).collect(),
        }
    }

    /// The cells written to (for existence and write-permission checks).
    pub fn cell_ids(&self) -> BTreeSet<NonZeroU32> {
        match self {
            Self::Legacy(m) => BTreeSet::from([m.meta().cell_id]),
            Self::Generic(items) => items.iter().map(|m| m.meta().cell_id).collect(),
        }
    }
}
