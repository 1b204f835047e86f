//! Sensor lookups, data availability and the catalog facts.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Bool, Integer, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::series::{CatalogFacts, CatalogSensor, SensorInfo};

use crate::error::query_error;
use crate::pool::Db;

#[derive(QueryableByName)]
struct SensorRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    cell_id: i32,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    measurement: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    unit: Option<String>,
}

impl From<SensorRow> for SensorInfo {
    fn from(r: SensorRow) -> Self {
        Self {
            id: r.id,
            cell_id: r.cell_id,
            name: r.name,
            measurement: r.measurement,
            data_type: r.data_type,
            unit: r.unit,
        }
    }
}

const SENSOR_COLUMNS: &str = "id, cell_id, name, measurement, data_type, unit";

pub(crate) async fn find_sensor(
    db: &Db,
    cell_id: i32,
    name: &str,
    measurement: &str,
) -> Result<Option<SensorInfo>, DomainError> {
    db.bounded(async {
        let mut conn = db.get().await?;
        // Upstream databases may hold duplicates (no constraint there): the oldest wins.
        let rows = diesel::sql_query(format!(
            "SELECT {SENSOR_COLUMNS} FROM sensor \
             WHERE cell_id = $1 AND name = $2 AND measurement = $3 ORDER BY id LIMIT 1"
        ))
        .bind::<Integer, _>(cell_id)
        .bind::<Text, _>(name)
        .bind::<Text, _>(measurement)
        .load::<SensorRow>(&mut conn)
        .await
        .map_err(query_error)?;
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
    db.bounded(async {
        let mut conn = db.get().await?;
        let cell = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM cell WHERE id = $1) AS exists")
            .bind::<Integer, _>(cell_id)
            .get_result::<ExistsRow>(&mut conn)
            .await
            .map_err(query_error)?;
        if !cell.exists {
            return Err(DomainError::NotFound("Cell not found".to_owned()));
        }
        let rows = diesel::sql_query(format!(
            "SELECT {SENSOR_COLUMNS} FROM sensor WHERE cell_id = $1 ORDER BY id"
        ))
        .bind::<Integer, _>(cell_id)
        .load::<SensorRow>(&mut conn)
        .await
        .map_err(query_error)?;
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
    db.bounded(async {
        let mut conn = db.get().await?;
        let row = diesel::sql_query(AVAILABILITY)
            .bind::<Array<Integer>, _>(cell_ids)
            .get_result::<BoundsRow>(&mut conn)
            .await
            .map_err(query_error)?;
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
    db.bounded(async {
        let mut conn = db.get().await?;
        let facts = diesel::sql_query(
            "SELECT EXISTS (SELECT 1 FROM power_data WHERE cell_id = $1) AS has_power, \
                    EXISTS (SELECT 1 FROM teros_data WHERE cell_id = $1) AS has_teros",
        )
        .bind::<Integer, _>(cell_id)
        .get_result::<FactsRow>(&mut conn)
        .await
        .map_err(query_error)?;
        let sensors = diesel::sql_query(
            "SELECT id, name, measurement, unit FROM sensor s \
             WHERE cell_id = $1 AND EXISTS (SELECT 1 FROM data d WHERE d.sensor_id = s.id) \
             ORDER BY name, measurement, id",
        )
        .bind::<Integer, _>(cell_id)
        .load::<CatalogSensorRow>(&mut conn)
        .await
        .map_err(query_error)?;
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
