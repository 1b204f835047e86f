//! Sensor lookups, data availability and the catalog facts.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::cells::CELL_NOT_FOUND;
use ents_domain::series::{CatalogFacts, CatalogSensor, SensorInfo};

use super::rows::{SENSOR_COLUMNS, SensorRow};
use crate::pool::Db;

pub(crate) async fn find_sensor(
    db: &Db,
    cell_id: i32,
    name: &str,
    measurement: &str,
) -> Result<Option<SensorInfo>, DomainError> {
    db.with_conn(async |conn| {
        // Upstream databases may hold duplicates (no constraint there): the oldest wins.
        let rows = diesel::sql_query(format!(
            "SELECT {SENSOR_COLUMNS} FROM sensor \
             WHERE cell_id = $1 AND name = $2 AND measurement = $3 ORDER BY id LIMIT 1"
        ))
        .bind::<Integer, _>(cell_id)
        .bind::<Text, _>(name)
        .bind::<Text, _>(measurement)
        .load::<SensorRow>(conn)
        .await?;
        Ok(rows.into_iter().next().map(SensorInfo::from))
    })
    .await
}

#[derive(QueryableByName)]
struct ExistsRow {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

pub(crate) async fn cell_sensors(db: &Db, cell_id: i32) -> Result<Vec<SensorInfo>, DomainError> {
    db.with_conn(async |conn| {
        let cell = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM cell WHERE id = $1) AS exists")
            .bind::<Integer, _>(cell_id)
            .get_result::<ExistsRow>(conn)
            .await?;
        if !cell.exists {
            return Err(DomainError::NotFound(CELL_NOT_FOUND.to_owned()).into());
        }
        let rows = diesel::sql_query(format!(
            "SELECT {SENSOR_COLUMNS} FROM sensor WHERE cell_id = $1 ORDER BY id"
        ))
        .bind::<Integer, _>(cell_id)
        .load::<SensorRow>(conn)
        .await?;
        Ok(rows.into_iter().map(SensorInfo::from).collect())
    })
    .await
}

#[derive(QueryableByName)]
struct BoundsRow {
    #[diesel(sql_type = Nullable<Timestamp>)]
    earliest: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Timestamp>)]
    latest: Option<NaiveDateTime>,
}

/// Per cell and per sensor, `min(ts)`/`max(ts)` as correlated subqueries: each is one probe
/// of a `(cell_id, ts)` or `(sensor_id, ts)` index, instead of scanning every row.
const AVAILABILITY: &str = "\
    WITH cells AS (SELECT DISTINCT unnest($1::integer[]) AS id), \
    bounds AS ( \
      SELECT (SELECT min(ts) FROM power_data WHERE cell_id = c.id) AS lo, \
             (SELECT max(ts) FROM power_data WHERE cell_id = c.id) AS hi FROM cells c \
      UNION ALL \
      SELECT (SELECT min(ts) FROM teros_data WHERE cell_id = c.id), \
             (SELECT max(ts) FROM teros_data WHERE cell_id = c.id) FROM cells c \
      UNION ALL \
      SELECT (SELECT min(ts) FROM data WHERE sensor_id = s.id), \
             (SELECT max(ts) FROM data WHERE sensor_id = s.id) \
        FROM sensor s JOIN cells c ON s.cell_id = c.id) \
    SELECT min(lo) AS earliest, max(hi) AS latest FROM bounds";

pub(crate) async fn availability(
    db: &Db,
    cell_ids: &[i32],
) -> Result<Option<(NaiveDateTime, NaiveDateTime)>, DomainError> {
    db.with_conn(async |conn| {
        let row = diesel::sql_query(AVAILABILITY)
            .bind::<Array<Integer>, _>(cell_ids)
            .get_result::<BoundsRow>(conn)
            .await?;
        Ok(row.earliest.zip(row.latest))
    })
    .await
}

#[derive(QueryableByName)]
struct FactsRow {
    #[diesel(sql_type = Bool)]
    has_power: bool,
    #[diesel(sql_type = Bool)]
    has_teros: bool,
}

#[derive(QueryableByName)]
struct CatalogSensorRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    measurement: String,
    #[diesel(sql_type = Nullable<Text>)]
    unit: Option<String>,
}

pub(crate) async fn catalog_facts(db: &Db, cell_id: i32) -> Result<CatalogFacts, DomainError> {
    db.with_conn(async |conn| {
        let facts = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM power_data WHERE cell_id = $1) AS has_power, \
                    EXISTS (SELECT 1 FROM teros_data WHERE cell_id = $1) AS has_teros",
        )
        .bind::<Integer, _>(cell_id)
        .get_result::<FactsRow>(conn)
        .await?;
        let sensors = diesel::sql_query(
            "SELECT id, name, measurement, unit FROM sensor s \
             WHERE cell_id = $1 AND EXISTS (SELECT 1 FROM data d WHERE d.sensor_id = s.id) \
             ORDER BY name, measurement, id",
        )
        .bind::<Integer, _>(cell_id)
        .load::<CatalogSensorRow>(conn)
        .await?;
        Ok(CatalogFacts {
            has_power: facts.has_power,
            has_teros: facts.has_teros,
            sensors: sensors
                .into_iter()
                .map(|s| CatalogSensor {
                    id: s.id,
                    name: s.name,
                    measurement: s.measurement,
                    unit: s.unit,
                })
                .collect(),
        })
    })
    .await
}
