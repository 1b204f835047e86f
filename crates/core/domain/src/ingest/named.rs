//! The legacy JSON uploads that name their cell (and logger) instead of giving ids
//! (`POST /api/power/`, `POST /api/teros/`, docs/wire-format.md#json-uploads).

use std::num::NonZeroU32;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::DomainError;
use crate::measurements::DeviceTime;

/// One `POST /api/power/` body, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedPowerReading {
    pub logger_name: String,
    pub cell_name: String,
    pub ts: DeviceTime,
    /// Volts (`v`).
    pub voltage: f64,
    /// Amperes (`i`).
    pub current: f64,
}

/// One `POST /api/teros/` body, validated.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedTerosReading {
    pub cell_name: String,
    pub ts: DeviceTime,
    pub vwc: f64,
    pub raw_vwc: f64,
    pub temp: f64,
    /// Rounded half to even, as PostgreSQL rounded upstream's float into the `integer` column.
    pub ec: i32,
    pub water_pot: Option<f64>,
}

/// The stored `power_data` row, as upstream's response shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPower {
    pub id: i32,
    pub ts: DateTime<Utc>,
    pub ts_server: Option<DateTime<Utc>>,
    pub voltage: Option<f64>,
    pub current: Option<f64>,
}

/// The stored `teros_data` row, as upstream's response shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredTeros {
    pub id: i32,
    pub ts: DateTime<Utc>,
    pub ts_server: Option<DateTime<Utc>>,
    pub vwc: Option<f64>,
    pub raw_vwc: Option<f64>,
    pub temp: Option<f64>,
    pub ec: Option<i32>,
    pub water_pot: Option<f64>,
}

/// Writes named readings, creating the cell and logger by name on first use as upstream did
/// (a new cell: empty location, upstream's default coordinates, not archived, no owner; a new
/// logger: empty type, device EUI and description, no owner).
///
/// Contract: one transaction per reading; creation by name is race-free (concurrent first
/// uploads create one cell); idempotent on the same keys as [`MeasurementStore`]
/// (`power_data` (cell, logger, ts), `teros_data` (cell, ts)): a repeated reading returns the
/// row already stored instead of a second one.
///
/// Errors: `Unavailable` when the database cannot be used now; `Internal` otherwise.
///
/// [`MeasurementStore`]: super::MeasurementStore
#[async_trait]
pub trait NamedReadingStore: Send + Sync + 'static {
    /// The id of the cell named `name`, if it exists (for the API-key check).
    async fn find_cell(&self, name: &str) -> Result<Option<NonZeroU32>, DomainError>;

    async fn store_power(&self, reading: &NamedPowerReading) -> Result<StoredPower, DomainError>;

    async fn store_teros(&self, reading: &NamedTerosReading) -> Result<StoredTeros, DomainError>;
}
