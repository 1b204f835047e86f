//! What an upload writes, table by table (the upstream schema, docs/compatibility.md#schema).
//! `ts_server` is left to the database default; `teros_data.water_pot` is always NULL on this
//! path.

use std::num::NonZeroU32;

use chrono::{DateTime, Utc};

use super::SensorValue;

/// One row to insert.
#[derive(Debug, Clone, PartialEq)]
pub enum StoredRow {
    Power(PowerRow),
    Teros(TerosRow),
    Sensor(SensorRow),
}

impl StoredRow {
    /// The cell the row belongs to (it must exist for the upload to be accepted).
    pub fn cell_id(&self) -> NonZeroU32 {
        match self {
            Self::Power(r) => r.cell_id,
            Self::Teros(r) => r.cell_id,
            Self::Sensor(r) => r.cell_id,
        }
    }
}

/// A `power_data` row; the logger must exist too.
#[derive(Debug, Clone, PartialEq)]
pub struct PowerRow {
    pub cell_id: NonZeroU32,
    pub logger_id: u32,
    pub ts: DateTime<Utc>,
    /// Volts, as sent.
    pub voltage: f64,
    /// Amperes, as sent.
    pub current: f64,
}

/// A `teros_data` row (`water_pot` NULL).
#[derive(Debug, Clone, PartialEq)]
pub struct TerosRow {
    pub cell_id: NonZeroU32,
    pub ts: DateTime<Utc>,
    /// Calibrated VWC (`vwcAdj`).
    pub vwc: f64,
    /// `vwcRaw`.
    pub raw_vwc: f64,
    pub temp: f64,
    pub ec: Option<i32>,
}

/// One value of one generic sensor: the `sensor` row keyed by (`cell_id`, `name`,
/// `measurement`), created on first use with `unit` and `value.data_type()`, and one `data` row.
#[derive(Debug, Clone, PartialEq)]
pub struct SensorRow {
    pub cell_id: NonZeroU32,
    pub name: &'static str,
    pub measurement: &'static str,
    pub unit: &'static str,
    pub ts: DateTime<Utc>,
    pub value: SensorValue,
}
