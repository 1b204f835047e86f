//! Measurement series in PostgreSQL: the [`SeriesRepository`] port.
//!
//! Aggregated reads (`hour`, `day`, `week`, `month`) combine the rollup tables maintained by
//! the triggers of migration `20261129000030_series_rollups` for the buckets that lie wholly
//! inside the requested range with the raw rows of the partial buckets at its two ends, so
//! the answer equals the aggregate of the raw rows whatever the range (`plan`). `none`,
//! `minute` and the stream read raw rows. The SQL text comes only from the static
//! `spec::SeriesSpec`s; every value is a bind parameter.

mod lookup;
pub(crate) mod plan;
pub(crate) mod query;
pub(crate) mod rows;
pub(crate) mod spec;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use ents_domain::DomainError;
use ents_domain::series::{
    CatalogFacts, Point, SensorInfo, SensorKind, SensorSeries, SeriesQuery, SeriesRepository,
};

use crate::pool::Db;

/// [`SeriesRepository`] on `power_data`, `teros_data`, `sensor`/`data` and their rollups.
#[derive(Debug, Clone)]
pub struct PgSeriesRepository {
    db: Db,
    use_rollups: bool,
}

impl PgSeriesRepository {
    /// With `use_rollups = false` every aggregate is computed from the raw rows (for
    /// comparison in benchmarks; the answers are the same).
    pub fn new(db: Db, use_rollups: bool) -> Self {
        Self { db, use_rollups }
    }
}

#[async_trait]
impl SeriesRepository for PgSeriesRepository {
    async fn power(&self, cell_id: i32, q: &SeriesQuery) -> Result<Vec<Point>, DomainError> {
        query::points(&self.db, &spec::POWER, cell_id, q, self.use_rollups).await
    }

    async fn teros(&self, cell_id: i32, q: &SeriesQuery) -> Result<Vec<Point>, DomainError> {
        query::points(&self.db, &spec::TEROS, cell_id, q, self.use_rollups).await
    }

    async fn find_sensor(
        &self,
        cell_id: i32,
        name: &str,
        measurement: &str,
    ) -> Result<Option<SensorInfo>, DomainError> {
        lookup::find_sensor(&self.db, cell_id, name, measurement).await
    }

    async fn sensor(
        &self,
        sensor: &SensorInfo,
        q: &SeriesQuery,
    ) -> Result<SensorSeries, DomainError> {
        let spec = match SensorKind::from_data_type(&sensor.data_type) {
            Some(SensorKind::Float) => &spec::DATA_FLOAT,
            Some(SensorKind::Int) => &spec::DATA_INT,
            Some(SensorKind::Text) => {
                return query::text_rows(&self.db, sensor.id, q)
                    .await
                    .map(SensorSeries::Text);
            }
            // No value column matches (upstream: UnboundLocalError → 500): nothing to show.
            None => return Ok(SensorSeries::Numeric(Vec::new())),
        };
        query::points(&self.db, spec, sensor.id, q, self.use_rollups)
            .await
            .map(SensorSeries::Numeric)
    }

    async fn availability(
        &self,
        cell_ids: &[i32],
    ) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, DomainError> {
        lookup::availability(&self.db, cell_ids).await
    }

    async fn catalog_facts(&self, cell_id: i32) -> Result<CatalogFacts, DomainError> {
        lookup::catalog_facts(&self.db, cell_id).await
    }

    async fn cell_sensors(&self, cell_id: i32) -> Result<Vec<SensorInfo>, DomainError> {
        lookup::cell_sensors(&self.db, cell_id).await
    }
}
