//! [`ImportStore`] on the series tables: a batch is one transaction of one
//! `INSERT … SELECT … FROM UNNEST(…) ON CONFLICT DO NOTHING` per table (the ingest
//! idempotency keys of migration `20261129000020`), so the statement-level rollup triggers
//! run once per batch and table, not per row. The rows travel as arrays, one bind per
//! column: one round trip per statement whatever the batch size.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::result::Error as DieselError;
use diesel::sql_types::{Array, Double, Integer, Nullable, Text, Timestamp, Uuid as SqlUuid};
use diesel::{QueryableByName, sql_query};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use ents_domain::DomainError;
use ents_domain::imports::{BatchCounts, ImportRow, ImportStore, ImportValue};
use ents_domain::users::UserId;

use crate::error::query_error;
use crate::pool::Db;

/// [`ImportStore`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgImportStore {
    db: Db,
}

impl PgImportStore {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Integer)]
    id: i32,
}

/// Why a batch transaction ended without committing.
enum Abort {
    Query(DieselError),
    /// A dry run: rolled back on purpose, with what it would have stored.
    DryRun(BatchCounts),
}

impl From<DieselError> for Abort {
    fn from(error: DieselError) -> Self {
        Self::Query(error)
    }
}

/// An export's logger is named: the logger of that name here, NULL when there is none.
const INSERT_POWER: &str = "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) \
    SELECT u.cell_id, coalesce(u.logger_id, l.id), u.ts, u.voltage, u.current \
      FROM UNNEST($1::int[], $2::int[], $3::timestamp[], $4::float8[], $5::float8[], $6::text[]) \
           AS u(cell_id, logger_id, ts, voltage, current, logger_name) \
      LEFT JOIN logger l ON l.name = u.logger_name \
    ON CONFLICT (cell_id, ts, logger_id) DO NOTHING";

const INSERT_TEROS: &str = "INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) \
    SELECT * FROM UNNEST($1::int[], $2::timestamp[], $3::float8[], $4::float8[], $5::float8[], $6::int[]) \
    ON CONFLICT (cell_id, ts) DO NOTHING";

/// Sensors are created on first use with the unit of their first row, `float` for a number
/// and `text` otherwise (as live uploads create them).
const CREATE_SENSORS: &str = "INSERT INTO sensor (cell_id, name, measurement, unit, data_type) \
    SELECT DISTINCT ON (cell_id, name, measurement) cell_id, name, measurement, NULLIF(unit, ''), data_type \
      FROM UNNEST($1::int[], $2::text[], $3::text[], $4::text[], $5::text[]) \
           AS u(cell_id, name, measurement, unit, data_type) \
    ORDER BY cell_id, name, measurement \
    ON CONFLICT (cell_id, name, measurement) DO NOTHING";

/// The value goes to the column of the sensor's `data_type` (as the series reads it).
const INSERT_DATA: &str = "INSERT INTO data (sensor_id, ts, float_val, int_val, text_val) \
    SELECT s.id, u.ts, \
           CASE WHEN s.data_type = 'float' THEN u.num END, \
           CASE WHEN s.data_type = 'int' AND u.num BETWEEN -2147483648 AND 2147483647 \
                THEN round(u.num)::int END, \
           CASE WHEN s.data_type NOT IN ('float', 'int') THEN coalesce(u.txt, u.num::text) END \
      FROM UNNEST($1::int[], $2::text[], $3::text[], $4::timestamp[], $5::float8[], $6::text[]) \
           AS u(cell_id, name, measurement, ts, num, txt) \
      JOIN sensor s ON s.cell_id = u.cell_id AND s.name = u.name AND s.measurement = u.measurement \
    ON CONFLICT (sensor_id, ts) DO NOTHING";

#[derive(Default)]
struct Power {
    cell: Vec<i32>,
    logger: Vec<Option<i32>>,
    logger_name: Vec<Option<String>>,
    ts: Vec<NaiveDateTime>,
    voltage: Vec<Option<f64>>,
    current: Vec<Option<f64>>,
}

#[derive(Default)]
struct Teros {
    cell: Vec<i32>,
    ts: Vec<NaiveDateTime>,
    vwc: Vec<Option<f64>>,
    raw_vwc: Vec<Option<f64>>,
    temp: Vec<Option<f64>>,
    ec: Vec<Option<i32>>,
}

#[derive(Default)]
struct Data {
    cell: Vec<i32>,
    name: Vec<String>,
    measurement: Vec<String>,
    unit: Vec<String>,
    data_type: Vec<&'static str>,
    ts: Vec<NaiveDateTime>,
    num: Vec<Option<f64>>,
    txt: Vec<Option<String>>,
}

/// The rows of a batch as one array per column.
#[derive(Default)]
struct Columns {
    power: Power,
    teros: Teros,
    data: Data,
}

impl Columns {
    fn of(rows: &[ImportRow]) -> Self {
        let mut c = Self::default();
        for row in rows {
            match row {
                ImportRow::Power {
                    cell_id,
                    logger_id,
                    logger_name,
                    ts,
                    voltage,
                    current,
                } => {
                    c.power.cell.push(*cell_id);
                    c.power.logger.push(*logger_id);
                    c.power
                        .logger_name
                        .push(logger_name.as_deref().map(str::to_owned));
                    c.power.ts.push(*ts);
                    c.power.voltage.push(*voltage);
                    c.power.current.push(*current);
                }
                ImportRow::Teros {
                    cell_id,
                    ts,
                    vwc,
                    raw_vwc,
                    temp,
                    ec,
                } => {
                    c.teros.cell.push(*cell_id);
                    c.teros.ts.push(*ts);
                    c.teros.vwc.push(*vwc);
                    c.teros.raw_vwc.push(*raw_vwc);
                    c.teros.temp.push(*temp);
                    c.teros.ec.push(*ec);
                }
                ImportRow::Sensor {
                    cell_id,
                    name,
                    measurement,
                    unit,
                    ts,
                    value,
                } => {
                    let d = &mut c.data;
                    d.cell.push(*cell_id);
                    d.name.push(name.clone());
                    d.measurement.push(measurement.clone());
                    d.unit.push(unit.clone());
                    d.ts.push(*ts);
                    match value {
                        ImportValue::Number(n) => {
                            d.data_type.push("float");
                            d.num.push(Some(*n));
                            d.txt.push(None);
                        }
                        ImportValue::Int(i) => {
                            d.data_type.push("int");
                            d.num.push(Some(f64::from(*i)));
                            d.txt.push(None);
                        }
                        ImportValue::Text(t) => {
                            d.data_type.push("text");
                            d.num.push(None);
                            d.txt.push(Some(t.clone()));
                        }
                    }
                }
            }
        }
        c
    }

    async fn insert(self, conn: &mut AsyncPgConnection) -> Result<u64, DieselError> {
        let mut inserted = 0;
        let Self { power, teros, data } = self;
        if !power.cell.is_empty() {
            inserted += sql_query(INSERT_POWER)
                .bind::<Array<Integer>, _>(power.cell)
                .bind::<Array<Nullable<Integer>>, _>(power.logger)
                .bind::<Array<Timestamp>, _>(power.ts)
                .bind::<Array<Nullable<Double>>, _>(power.voltage)
                .bind::<Array<Nullable<Double>>, _>(power.current)
                .bind::<Array<Nullable<Text>>, _>(power.logger_name)
                .execute(conn)
                .await?;
        }
        if !teros.cell.is_empty() {
            inserted += sql_query(INSERT_TEROS)
                .bind::<Array<Integer>, _>(teros.cell)
                .bind::<Array<Timestamp>, _>(teros.ts)
                .bind::<Array<Nullable<Double>>, _>(teros.vwc)
                .bind::<Array<Nullable<Double>>, _>(teros.raw_vwc)
                .bind::<Array<Nullable<Double>>, _>(teros.temp)
                .bind::<Array<Nullable<Integer>>, _>(teros.ec)
                .execute(conn)
                .await?;
        }
        if !data.cell.is_empty() {
            sql_query(CREATE_SENSORS)
                .bind::<Array<Integer>, _>(&data.cell)
                .bind::<Array<Text>, _>(&data.name)
                .bind::<Array<Text>, _>(&data.measurement)
                .bind::<Array<Text>, _>(&data.unit)
                .bind::<Array<Text>, _>(&data.data_type)
                .execute(conn)
                .await?;
            inserted += sql_query(INSERT_DATA)
                .bind::<Array<Integer>, _>(data.cell)
                .bind::<Array<Text>, _>(data.name)
                .bind::<Array<Text>, _>(data.measurement)
                .bind::<Array<Timestamp>, _>(data.ts)
                .bind::<Array<Nullable<Double>>, _>(data.num)
                .bind::<Array<Nullable<Text>>, _>(data.txt)
                .execute(conn)
                .await?;
        }
        Ok(inserted as u64)
    }
}

#[async_trait]
impl ImportStore for PgImportStore {
    async fn existing_cells(&self, ids: &[i32]) -> Result<BTreeSet<i32>, DomainError> {
        let ids = ids.to_vec();
        self.db
            .with_conn(async |conn| {
                let rows = sql_query("SELECT id FROM cell WHERE id = ANY($1)")
                    .bind::<Array<Integer>, _>(ids)
                    .load::<IdRow>(conn)
                    .await?;
                Ok(rows.into_iter().map(|r| r.id).collect())
            })
            .await
    }

    async fn create_cell(&self, name: &str, owner: UserId) -> Result<i32, DomainError> {
        let name = name.to_owned();
        self.db
            .transaction(async |conn| {
                let created = sql_query(
                    "INSERT INTO cell (name, archive, user_id) VALUES ($1, false, $2) \
                     ON CONFLICT (name) DO NOTHING RETURNING id",
                )
                .bind::<Text, _>(&name)
                .bind::<SqlUuid, _>(owner.0)
                .load::<IdRow>(conn)
                .await?;
                if let Some(row) = <[IdRow]>::first(&created) {
                    sql_query("INSERT INTO cell_user (cell_id, user_id) VALUES ($1, $2)")
                        .bind::<Integer, _>(row.id)
                        .bind::<SqlUuid, _>(owner.0)
                        .execute(conn)
                        .await?;
                    return Ok(row.id);
                }
                let existing = sql_query("SELECT id FROM cell WHERE name = $1")
                    .bind::<Text, _>(&name)
                    .get_result::<IdRow>(conn)
                    .await?;
                Ok(existing.id)
            })
            .await
    }

    async fn write_batch(
        &self,
        rows: &[ImportRow],
        commit: bool,
    ) -> Result<BatchCounts, DomainError> {
        if rows.is_empty() {
            return Ok(BatchCounts::default());
        }
        let columns = Columns::of(rows);
        let total = rows.len() as u64;
        self.db
            .with_conn(async |conn| {
                let result = conn
                    .transaction::<BatchCounts, Abort, _>(async |conn| {
                        let inserted = columns.insert(conn).await?;
                        let counts = BatchCounts {
                            inserted,
                            duplicates: total.saturating_sub(inserted),
                        };
                        if commit {
                            Ok(counts)
                        } else {
                            Err(Abort::DryRun(counts))
                        }
                    })
                    .await;
                match result {
                    Ok(counts) | Err(Abort::DryRun(counts)) => Ok(counts),
                    Err(Abort::Query(e)) => Err(query_error(e).into()),
                }
            })
            .await
    }
}
