//! [`AlertSignals`]: what the evaluator reads of the measurements, batched — one statement
//! per kind of question for a whole batch of rules, each answered from indexes:
//! - the last upload of a cell: `max(ts)` per table on the `(cell_id, ts…)` unique indexes
//!   (for generic sensors, per sensor on `(sensor_id, ts)`);
//! - a threshold window: the whole hours inside it from the hourly rollup (migration
//!   `20261129000030_series_rollups`), the partial hours at its edges from the raw rows,
//!   and the value in force at its start by one backward index probe.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{Array, BigInt, Double, Integer, Nullable, Text, Timestamp, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertSignals, PowerField, SeriesRef, TerosField, UploadTarget, WindowQuery, WindowStats,
};
use ents_domain::series::{Resample, TimeRange};

use crate::error::StoreError;
use crate::pool::Db;
use crate::series::plan::plan;
use crate::series::spec::{DATA_FLOAT, DATA_INT, POWER, SeriesSpec, TEROS};

/// [`AlertSignals`] on the measurement tables and their rollups.
#[derive(Debug, Clone)]
pub struct PgAlertSignals {
    db: Db,
    use_rollups: bool,
}

impl PgAlertSignals {
    /// `use_rollups` as the series reads' (`series.use_rollups`).
    pub fn new(db: Db, use_rollups: bool) -> Self {
        Self { db, use_rollups }
    }
}

const LAST_UPLOADS: &str = "\
    SELECT t.k, (greatest( \
        (SELECT max(p.ts) FROM power_data p \
          WHERE p.cell_id = t.cell_id AND (t.logger_id IS NULL OR p.logger_id = t.logger_id)), \
        (SELECT max(x.ts) FROM teros_data x WHERE t.logger_id IS NULL AND x.cell_id = t.cell_id), \
        (SELECT max(d.ts) FROM sensor s \
           CROSS JOIN LATERAL (SELECT max(ts) AS ts FROM data WHERE sensor_id = s.id) d \
          WHERE t.logger_id IS NULL AND s.cell_id = t.cell_id) \
      ) AT TIME ZONE 'UTC') AS last \
    FROM unnest($1::integer[], $2::integer[]) WITH ORDINALITY AS t(cell_id, logger_id, k)";

#[derive(QueryableByName)]
struct LastRow {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    last: Option<DateTime<Utc>>,
}

#[derive(QueryableByName)]
struct StatsRow {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = Nullable<Double>)]
    at_start: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    latest: Option<f64>,
    #[diesel(sql_type = BigInt)]
    n: i64,
    #[diesel(sql_type = Nullable<Double>)]
    mn: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    mx: Option<f64>,
}

#[derive(QueryableByName)]
struct SensorRow {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    data_type: String,
}

/// The window statistics of field `field` of `spec` for each `(key, s, e, inner_s, inner_e)`.
fn window_sql(spec: &SeriesSpec, field: usize) -> Option<String> {
    let f = spec.fields.get(field)?;
    let (raw, r, table, key, rollup) = (f.raw, f.rollup, spec.table, spec.key, spec.rollup_table);
    Some(format!(
        "SELECT t.k, \
           (SELECT {raw} FROM {table} WHERE {key} = t.key AND ts <= t.s AND {raw} IS NOT NULL \
             ORDER BY ts DESC LIMIT 1) AS at_start, \
           (SELECT {raw} FROM {table} WHERE {key} = t.key AND ts <= t.e AND {raw} IS NOT NULL \
             ORDER BY ts DESC LIMIT 1) AS latest, \
           w.n, w.mn, w.mx \
         FROM unnest($1::integer[], $2::timestamp[], $3::timestamp[], $4::timestamp[], \
                     $5::timestamp[]) WITH ORDINALITY AS t(key, s, e, ins, ine, k) \
         CROSS JOIN LATERAL ( \
           SELECT coalesce(sum(p.n), 0)::bigint AS n, min(p.mn) AS mn, max(p.mx) AS mx FROM ( \
             SELECT n_{r} AS n, min_{r} AS mn, max_{r} AS mx FROM {rollup} \
              WHERE {key} = t.key AND width = 'hour' AND bucket >= t.ins AND bucket < t.ine \
             UNION ALL \
             SELECT count({raw}), min({raw}), max({raw}) FROM {table} \
              WHERE {key} = t.key AND ts > t.s AND ts < t.ins \
             UNION ALL \
             SELECT count({raw}), min({raw}), max({raw}) FROM {table} \
              WHERE {key} = t.key AND ts >= t.ine AND ts <= t.e \
           ) p \
         ) w"
    ))
}

/// One group of windows asked of the same series and field.
#[derive(Default)]
struct Group {
    /// Index of each window in the caller's list.
    origin: Vec<usize>,
    keys: Vec<i32>,
    starts: Vec<NaiveDateTime>,
    ends: Vec<NaiveDateTime>,
    inner_starts: Vec<NaiveDateTime>,
    inner_ends: Vec<NaiveDateTime>,
}

impl Group {
    fn push(&mut self, origin: usize, key: i32, q: &WindowQuery, use_rollups: bool) {
        let range = TimeRange {
            start: q.start.naive_utc(),
            end: q.end.naive_utc(),
        };
        let p = plan(range, Resample::Hour, use_rollups);
        self.origin.push(origin);
        self.keys.push(key);
        self.starts.push(range.start);
        self.ends.push(range.end);
        self.inner_starts.push(p.inner_start);
        self.inner_ends.push(p.inner_end);
    }
}

/// The `(spec, field)` of a fixed series.
fn fixed(series: &SeriesRef) -> Option<(&'static SeriesSpec, usize)> {
    Some(match series {
        SeriesRef::Power(PowerField::Voltage) => (&POWER, 0),
        SeriesRef::Power(PowerField::Current) => (&POWER, 1),
        SeriesRef::Power(PowerField::Power) => (&POWER, 2),
        SeriesRef::Teros(TerosField::Vwc) => (&TEROS, 0),
        SeriesRef::Teros(TerosField::Temp) => (&TEROS, 1),
        SeriesRef::Teros(TerosField::Ec) => (&TEROS, 2),
        SeriesRef::Sensor { .. } => return None,
    })
}

/// The sensor id and numeric spec of each generic-sensor window (`None`: no such sensor,
/// or a text sensor).
async fn resolve_sensors(
    conn: &mut AsyncPgConnection,
    queries: &[WindowQuery],
) -> Result<BTreeMap<usize, (i32, &'static SeriesSpec)>, StoreError> {
    let mut origin = Vec::new();
    let (mut cells, mut names, mut measurements) = (Vec::new(), Vec::new(), Vec::new());
    for (i, q) in queries.iter().enumerate() {
        if let SeriesRef::Sensor { name, measurement } = &q.series {
            origin.push(i);
            cells.push(q.cell_id);
            names.push(name.clone());
            measurements.push(measurement.clone());
        }
    }
    let mut found = BTreeMap::new();
    if origin.is_empty() {
        return Ok(found);
    }
    let rows = diesel::sql_query(
        "SELECT t.k, s.id, s.data_type \
           FROM unnest($1::integer[], $2::text[], $3::text[]) WITH ORDINALITY AS t(c, n, m, k) \
           JOIN sensor s ON s.cell_id = t.c AND s.name = t.n AND s.measurement = t.m",
    )
    .bind::<Array<Integer>, _>(&cells)
    .bind::<Array<Text>, _>(&names)
    .bind::<Array<Text>, _>(&measurements)
    .load::<SensorRow>(conn)
    .await?;
    for row in rows {
        let spec = match row.data_type.as_str() {
            "float" => &DATA_FLOAT,
            "int" => &DATA_INT,
            _ => continue,
        };
        let Some(&i) = usize::try_from(row.k - 1).ok().and_then(|k| origin.get(k)) else {
            continue;
        };
        found.insert(i, (row.id, spec));
    }
    Ok(found)
}

#[async_trait]
impl AlertSignals for PgAlertSignals {
    async fn last_uploads(
        &self,
        targets: &[UploadTarget],
    ) -> Result<Vec<Option<DateTime<Utc>>>, DomainError> {
        let cells: Vec<i32> = targets.iter().map(|t| t.cell_id).collect();
        let loggers: Vec<Option<i32>> = targets.iter().map(|t| t.logger_id).collect();
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(LAST_UPLOADS)
                    .bind::<Array<Integer>, _>(&cells)
                    .bind::<Array<Nullable<Integer>>, _>(&loggers)
                    .load::<LastRow>(conn)
                    .await?)
            })
            .await?;
        let mut out = vec![None; targets.len()];
        for row in rows {
            if let Some(slot) = usize::try_from(row.k - 1).ok().and_then(|k| out.get_mut(k)) {
                *slot = row.last;
            }
        }
        Ok(out)
    }

    async fn windows(&self, queries: &[WindowQuery]) -> Result<Vec<WindowStats>, DomainError> {
        let use_rollups = self.use_rollups;
        self.db
            .with_conn(async |conn| {
                let sensors = resolve_sensors(conn, queries).await?;
                // Grouped by (table, field): one statement each.
                let mut groups: BTreeMap<(&'static str, usize), (&'static SeriesSpec, Group)> =
                    BTreeMap::new();
                for (i, q) in queries.iter().enumerate() {
                    let (spec, field, key) = match fixed(&q.series) {
                        Some((spec, field)) => (spec, field, q.cell_id),
                        None => match sensors.get(&i) {
                            Some(&(id, spec)) => (spec, 0, id),
                            None => continue,
                        },
                    };
                    let name = if spec.table == "data" {
                        spec.fields[0].rollup
                    } else {
                        spec.table
                    };
                    groups
                        .entry((name, field))
                        .or_insert_with(|| (spec, Group::default()))
                        .1
                        .push(i, key, q, use_rollups);
                }
                let mut out = vec![WindowStats::default(); queries.len()];
                for ((_, field), (spec, group)) in groups {
                    let Some(sql) = window_sql(spec, field) else {
                        continue;
                    };
                    let rows = diesel::sql_query(sql)
                        .bind::<Array<Integer>, _>(&group.keys)
                        .bind::<Array<Timestamp>, _>(&group.starts)
                        .bind::<Array<Timestamp>, _>(&group.ends)
                        .bind::<Array<Timestamp>, _>(&group.inner_starts)
                        .bind::<Array<Timestamp>, _>(&group.inner_ends)
                        .load::<StatsRow>(conn)
                        .await?;
                    for row in rows {
                        let Some(&i) = usize::try_from(row.k - 1)
                            .ok()
                            .and_then(|k| group.origin.get(k))
                        else {
                            continue;
                        };
                        if let Some(slot) = out.get_mut(i) {
                            *slot = WindowStats {
                                at_start: row.at_start,
                                count: row.n,
                                min: row.mn,
                                max: row.mx,
                                latest: row.latest,
                            };
                        }
                    }
                }
                Ok(out)
            })
            .await
    }
}
