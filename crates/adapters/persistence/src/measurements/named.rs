//! [`NamedReadingStore`]: `POST /api/power/` and `/api/teros/` (docs/wire-format.md#json-uploads).

use std::num::NonZeroU32;

use async_trait::async_trait;
use chrono::{NaiveDateTime, TimeZone, Utc};
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::result::Error as DieselError;
use diesel::sql_types::{Double, Integer, Nullable, Text, Timestamp};
use diesel::{OptionalExtension, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::DomainError;
use ents_domain::ingest::{
    NamedPowerReading, NamedReadingStore, NamedTerosReading, StoredPower, StoredTeros,
};

use super::PgMeasurementStore;
use super::queries::IdRow;

/// Upstream's defaults for a cell created by a legacy upload (`models/cell.py`).
const NEW_CELL: &str = "INSERT INTO cell (name, location, latitude, longitude, archive) \
    VALUES ($1, '', 37.000786081466266, -122.0631536846593, false) \
    ON CONFLICT (name) DO NOTHING";
const NEW_LOGGER: &str = "INSERT INTO logger (name, uuid, type, device_eui, description, date_created) \
    VALUES ($1, gen_random_uuid(), '', '', '', now()) \
    ON CONFLICT (name) DO NOTHING";
const FIND_CELL: &str = "SELECT id FROM cell WHERE name = $1 FOR KEY SHARE";
const FIND_LOGGER: &str = "SELECT id FROM logger WHERE name = $1 FOR KEY SHARE";

const INSERT_POWER: &str = "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) \
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (cell_id, ts, logger_id) DO NOTHING \
    RETURNING id, ts, ts_server, voltage, current";
const FIND_POWER: &str = "SELECT id, ts, ts_server, voltage, current FROM power_data \
    WHERE cell_id = $1 AND logger_id = $2 AND ts = $3";
const INSERT_TEROS: &str = "INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec, water_pot) \
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (cell_id, ts) DO NOTHING \
    RETURNING id, ts, ts_server, vwc, raw_vwc, temp, ec, water_pot";
const FIND_TEROS: &str = "SELECT id, ts, ts_server, vwc, raw_vwc, temp, ec, water_pot \
    FROM teros_data WHERE cell_id = $1 AND ts = $2";

#[derive(QueryableByName)]
struct PowerRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Timestamp)]
    ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    ts_server: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Double>)]
    voltage: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    current: Option<f64>,
}

#[derive(QueryableByName)]
struct TerosRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Timestamp)]
    ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Timestamp>)]
    ts_server: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Double>)]
    vwc: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    raw_vwc: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    temp: Option<f64>,
    #[diesel(sql_type = Nullable<Integer>)]
    ec: Option<i32>,
    #[diesel(sql_type = Nullable<Double>)]
    water_pot: Option<f64>,
}

#[async_trait]
impl NamedReadingStore for PgMeasurementStore {
    async fn find_cell(&self, name: &str) -> Result<Option<NonZeroU32>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let id = diesel::sql_query("SELECT id FROM cell WHERE name = $1")
                    .bind::<Text, _>(name)
                    .get_result::<IdRow>(conn)
                    .await
                    .optional()?;
                Ok(id
                    .and_then(|r| u32::try_from(r.id).ok())
                    .and_then(NonZeroU32::new))
            })
            .await
    }

    async fn store_power(&self, r: &NamedPowerReading) -> Result<StoredPower, DomainError> {
        let row = self
            .db
            .transaction(async |conn| {
                let cell = get_or_create(conn, FIND_CELL, NEW_CELL, &r.cell_name).await?;
                let logger = get_or_create(conn, FIND_LOGGER, NEW_LOGGER, &r.logger_name).await?;
                let ts = r.ts.utc().naive_utc();
                let insert = diesel::sql_query(INSERT_POWER)
                    .into_boxed()
                    .bind::<Integer, _>(cell)
                    .bind::<Integer, _>(logger)
                    .bind::<Timestamp, _>(ts)
                    .bind::<Double, _>(r.voltage)
                    .bind::<Double, _>(r.current);
                let find = diesel::sql_query(FIND_POWER)
                    .into_boxed()
                    .bind::<Integer, _>(cell)
                    .bind::<Integer, _>(logger)
                    .bind::<Timestamp, _>(ts);
                Ok(inserted_or_stored::<PowerRow>(conn, insert, find).await?)
            })
            .await?;
        Ok(StoredPower {
            id: row.id,
            ts: utc(row.ts),
            ts_server: row.ts_server.map(utc),
            voltage: row.voltage,
            current: row.current,
        })
    }

    async fn store_teros(&self, r: &NamedTerosReading) -> Result<StoredTeros, DomainError> {
        let row = self
            .db
            .transaction(async |conn| {
                let cell = get_or_create(conn, FIND_CELL, NEW_CELL, &r.cell_name).await?;
                let ts = r.ts.utc().naive_utc();
                let insert = diesel::sql_query(INSERT_TEROS)
                    .into_boxed()
                    .bind::<Integer, _>(cell)
                    .bind::<Timestamp, _>(ts)
                    .bind::<Double, _>(r.vwc)
                    .bind::<Double, _>(r.raw_vwc)
                    .bind::<Double, _>(r.temp)
                    .bind::<Integer, _>(r.ec)
                    .bind::<Nullable<Double>, _>(r.water_pot);
                let find = diesel::sql_query(FIND_TEROS)
                    .into_boxed()
                    .bind::<Integer, _>(cell)
                    .bind::<Timestamp, _>(ts);
                Ok(inserted_or_stored::<TerosRow>(conn, insert, find).await?)
            })
            .await?;
        Ok(StoredTeros {
            id: row.id,
            ts: utc(row.ts),
            ts_server: row.ts_server.map(utc),
            vwc: row.vwc,
            raw_vwc: row.raw_vwc,
            temp: row.temp,
            ec: row.ec,
            water_pot: row.water_pot,
        })
    }
}

/// The row `insert` returns or, when it inserted nothing (a retry: `ON CONFLICT DO
/// NOTHING`), the one stored the first time, which `find` reads.
async fn inserted_or_stored<R>(
    conn: &mut AsyncPgConnection,
    insert: BoxedSqlQuery<'_, Pg, SqlQuery>,
    find: BoxedSqlQuery<'_, Pg, SqlQuery>,
) -> Result<R, DieselError>
where
    R: QueryableByName<Pg> + Send + 'static,
{
    match insert.get_result::<R>(conn).await.optional()? {
        Some(row) => Ok(row),
        None => find.get_result::<R>(conn).await,
    }
}

/// The id of the row named `name`, created first when absent. Looked up before inserting so
/// an existing name does not burn a sequence value; `ON CONFLICT DO NOTHING` on the unique
/// name makes concurrent creators agree on one row.
async fn get_or_create(
    conn: &mut AsyncPgConnection,
    find: &'static str,
    create: &'static str,
    name: &str,
) -> Result<i32, DieselError> {
    let lookup = async |conn: &mut AsyncPgConnection| {
        diesel::sql_query(find)
            .bind::<Text, _>(name)
            .get_result::<IdRow>(conn)
            .await
            .optional()
    };
    if let Some(row) = lookup(conn).await? {
        return Ok(row.id);
    }
    diesel::sql_query(create)
        .bind::<Text, _>(name)
        .execute(conn)
        .await?;
    lookup(conn)
        .await?
        .map(|r| r.id)
        .ok_or(DieselError::NotFound)
}

/// The columns hold naive UTC (every session runs in UTC).
fn utc(ts: NaiveDateTime) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&ts)
}
