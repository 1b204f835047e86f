//! The STA view of the series tables: the [`StaRepository`] port (docs/sensorthings.md).
//!
//! No copy and no new table: cells, sensors and their time spans are read per request (the
//! spans through the `(cell_id, ts)` and `(sensor_id, ts)` indexes), and Observations
//! keyset-paged straight from `power_data`, `teros_data` and `data` with the series reads'
//! value expressions (`series::spec`), so an Observation's value equals the API's.

mod entities;
mod observations;
mod where_sql;

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::sta::filter::Filter;
use ents_domain::sta::{
    Datastream, Observation, ObservationId, ObservationPage, StaCell, StaRepository, StaScope,
};

use crate::pool::Db;

/// [`StaRepository`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgStaRepository {
    db: Db,
}

impl PgStaRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[async_trait]
impl StaRepository for PgStaRepository {
    async fn cells(&self, scope: StaScope) -> Result<Vec<StaCell>, DomainError> {
        self.db
            .with_conn(async |conn| entities::cells(conn, scope).await)
            .await
    }

    async fn datastreams(&self, scope: StaScope) -> Result<Vec<Datastream>, DomainError> {
        self.db
            .with_conn(async |conn| entities::datastreams(conn, scope).await)
            .await
    }

    async fn observations(
        &self,
        stream: &Datastream,
        page: ObservationPage<'_>,
    ) -> Result<Vec<Observation>, DomainError> {
        self.db
            .with_conn(async |conn| observations::page(conn, stream, page).await)
            .await
    }

    async fn count_observations(
        &self,
        stream: &Datastream,
        filter: Option<&Filter>,
    ) -> Result<i64, DomainError> {
        self.db
            .with_conn(async |conn| observations::count(conn, stream, filter).await)
            .await
    }

    async fn observation(&self, id: ObservationId) -> Result<Option<Observation>, DomainError> {
        self.db
            .with_conn(async |conn| observations::by_id(conn, id).await)
            .await
    }
}
