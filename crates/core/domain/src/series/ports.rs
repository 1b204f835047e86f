use async_trait::async_trait;
use chrono::NaiveDateTime;

use super::catalog::CatalogFacts;
use super::model::{Point, SensorInfo, SensorSeries, SeriesQuery};
use crate::DomainError;

/// Stored measurement series (PostgreSQL).
///
/// Every list is in time order (ties by row id). An unknown cell or sensor simply has no
/// rows. Errors: `Unavailable` when the store cannot answer in time; `Internal` otherwise.
#[async_trait]
pub trait SeriesRepository: Send + Sync + 'static {
    /// `power_data` of a cell; fields v (mV), i (µA), p (µW; the mean of products).
    async fn power(&self, cell_id: i32, query: &SeriesQuery) -> Result<Vec<Point>, DomainError>;

    /// `teros_data` of a cell; fields vwc (%), temp (°C), ec (µS/cm), raw_vwc.
    async fn teros(&self, cell_id: i32, query: &SeriesQuery) -> Result<Vec<Point>, DomainError>;

    /// The sensor (cell, name, measurement) — exact match, as upstream — if any.
    async fn find_sensor(
        &self,
        cell_id: i32,
        name: &str,
        measurement: &str,
    ) -> Result<Option<SensorInfo>, DomainError>;

    /// The values of `sensor` (the column chosen by its data type).
    async fn sensor(
        &self,
        sensor: &SensorInfo,
        query: &SeriesQuery,
    ) -> Result<SensorSeries, DomainError>;

    /// The earliest and latest device timestamps of any series of these cells (power,
    /// TEROS and generic sensors); `None` when they have no data at all.
    async fn availability(
        &self,
        cell_ids: &[i32],
    ) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, DomainError>;

    /// What the sensor catalog of a cell is built from.
    async fn catalog_facts(&self, cell_id: i32) -> Result<CatalogFacts, DomainError>;

    /// The sensors of a cell, by id. Errors: `NotFound("Cell not found")` for an unknown cell.
    async fn cell_sensors(&self, cell_id: i32) -> Result<Vec<SensorInfo>, DomainError>;
}
