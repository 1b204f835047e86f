//! The SQL of series reads, generated from a [`SeriesSpec`].

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::series::{Point, ReadMode, Resample, SeriesQuery, Stats};

use super::plan::plan;
use super::spec::{MAX_FIELDS, SeriesSpec};
use crate::error::query_error;
use crate::pool::Db;

/// The time a point is labelled with and ordered by.
fn time_column(mode: ReadMode) -> &'static str {
    match mode {
        // Upstream streams the server receive time; rows from before `ts_server` existed
        // fall back to the device time.
        ReadMode::Stream => "coalesce(ts_server, ts)",
        ReadMode::Raw | ReadMode::Buckets(_) => "ts",
    }
}

#[derive(QueryableByName)]
struct RawRow {
    #[diesel(sql_type = Timestamp)]
    ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Double>)]
    v0: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v1: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v2: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v3: Option<f64>,
}

#[derive(QueryableByName)]
struct BucketRow {
    #[diesel(sql_type = Timestamp)]
    bucket: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    n0: i64,
    #[diesel(sql_type = Double)]
    s0: f64,
    #[diesel(sql_type = Nullable<Double>)]
    lo0: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    hi0: Option<f64>,
    #[diesel(sql_type = BigInt)]
    n1: i64,
    #[diesel(sql_type = Double)]
    s1: f64,
    #[diesel(sql_type = Nullable<Double>)]
    lo1: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    hi1: Option<f64>,
    #[diesel(sql_type = BigInt)]
    n2: i64,
    #[diesel(sql_type = Double)]
    s2: f64,
    #[diesel(sql_type = Nullable<Double>)]
    lo2: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    hi2: Option<f64>,
    #[diesel(sql_type = BigInt)]
    n3: i64,
    #[diesel(sql_type = Double)]
    s3: f64,
    #[diesel(sql_type = Nullable<Double>)]
    lo3: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    hi3: Option<f64>,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Timestamp)]
    ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// `SELECT <ts>, v0..v3` of the raw rows, in time order.
pub(crate) fn raw_sql(spec: &SeriesSpec, mode: ReadMode) -> String {
    let time = time_column(mode);
    let values: Vec<String> = (0..MAX_FIELDS)
        .map(|k| match spec.fields.get(k) {
            Some(f) => format!("{} AS v{k}", f.raw),
            None => format!("NULL::double precision AS v{k}"),
        })
        .collect();
    format!(
        "SELECT {time} AS ts, {values} FROM {table} \
         WHERE {key} = $1 AND ts BETWEEN $2 AND $3 ORDER BY {time}, id",
        values = values.join(", "),
        table = spec.table,
        key = spec.key,
    )
}

/// Buckets of `date_trunc($4, …)`: rollup rows of width `$5` in `[$6, $7)` plus the raw rows
/// of `[$2, $6)` and `[$7, $3]` (see `plan.rs`), regrouped.
pub(crate) fn bucket_sql(spec: &SeriesSpec) -> String {
    let mut rollup_cols = Vec::new();
    let mut raw_cols = Vec::new();
    let mut outer_cols = Vec::new();
    for k in 0..MAX_FIELDS {
        match spec.fields.get(k) {
            Some(f) => {
                let (r, e) = (f.rollup, f.raw);
                rollup_cols.push(format!(
                    "n_{r} AS n{k}, sum_{r} AS s{k}, min_{r} AS lo{k}, max_{r} AS hi{k}"
                ));
                raw_cols.push(format!(
                    "count({e}), coalesce(sum({e}), 0), min({e}), max({e})"
                ));
            }
            None => {
                let pad = format!(
                    "0::bigint AS n{k}, 0::double precision AS s{k}, \
                     NULL::double precision AS lo{k}, NULL::double precision AS hi{k}"
                );
                rollup_cols.push(pad);
                raw_cols.push(
                    "0::bigint, 0::double precision, NULL::double precision, \
                     NULL::double precision"
                        .to_owned(),
                );
            }
        }
        outer_cols.push(format!(
            "sum(n{k})::bigint AS n{k}, sum(s{k}) AS s{k}, min(lo{k}) AS lo{k}, max(hi{k}) AS hi{k}"
        ));
    }
    let (table, key, rollup) = (spec.table, spec.key, spec.rollup_table);
    let raw = raw_cols.join(", ");
    format!(
        "WITH parts AS ( \
           SELECT date_trunc($4, bucket) AS b, {rollup_cols} FROM {rollup} \
            WHERE {key} = $1 AND width = $5 AND bucket >= $6 AND bucket < $7 \
           UNION ALL \
           SELECT date_trunc($4, ts), {raw} FROM {table} \
            WHERE {key} = $1 AND ts >= $2 AND ts < $6 GROUP BY 1 \
           UNION ALL \
           SELECT date_trunc($4, ts), {raw} FROM {table} \
            WHERE {key} = $1 AND ts >= $7 AND ts <= $3 GROUP BY 1) \
         SELECT b AS bucket, {outer} FROM parts GROUP BY b ORDER BY b",
        rollup_cols = rollup_cols.join(", "),
        outer = outer_cols.join(", "),
    )
}

/// The points of one series (`key` = cell id or sensor id).
pub(crate) async fn points(
    db: &Db,
    spec: &SeriesSpec,
    key: i32,
    query: &SeriesQuery,
    use_rollups: bool,
) -> Result<Vec<Point>, DomainError> {
    let range = query.range;
    let n = spec.fields.len();
    db.bounded(async {
        let mut conn = db.get().await?;
        match query.mode {
            ReadMode::Raw | ReadMode::Stream => {
                let rows = diesel::sql_query(raw_sql(spec, query.mode))
                    .bind::<Integer, _>(key)
                    .bind::<Timestamp, _>(range.start)
                    .bind::<Timestamp, _>(range.end)
                    .load::<RawRow>(&mut conn)
                    .await
                    .map_err(query_error)?;
                Ok(rows
                    .into_iter()
                    .map(|r| Point {
                        ts: r.ts,
                        fields: [r.v0, r.v1, r.v2, r.v3]
                            .into_iter()
                            .take(n)
                            .map(Stats::single)
                            .collect(),
                    })
                    .collect())
            }
            ReadMode::Buckets(resample) => {
                let unit = resample.unit().unwrap_or("hour");
                let p = plan(range, resample, use_rollups && resample != Resample::None);
                let rows = diesel::sql_query(bucket_sql(spec))
                    .bind::<Integer, _>(key)
                    .bind::<Timestamp, _>(range.start)
                    .bind::<Timestamp, _>(range.end)
                    .bind::<Text, _>(unit)
                    .bind::<Text, _>(p.width)
                    .bind::<Timestamp, _>(p.inner_start)
                    .bind::<Timestamp, _>(p.inner_end)
                    .load::<BucketRow>(&mut conn)
                    .await
                    .map_err(query_error)?;
                Ok(rows
                    .into_iter()
                    .map(|r| Point {
                        ts: r.bucket,
                        fields: [
                            Stats::from_sum(r.n0, r.s0, r.lo0, r.hi0),
                            Stats::from_sum(r.n1, r.s1, r.lo1, r.hi1),
                            Stats::from_sum(r.n2, r.s2, r.lo2, r.hi2),
                            Stats::from_sum(r.n3, r.s3, r.lo3, r.hi3),
                        ]
                        .into_iter()
                        .take(n)
                        .collect(),
                    })
                    .collect())
            }
        }
    })
    .await
}

/// The rows of a text sensor, in time order.
pub(crate) async fn text_rows(
    db: &Db,
    sensor_id: i32,
    query: &SeriesQuery,
) -> Result<Vec<(NaiveDateTime, Option<String>)>, DomainError> {
    let time = time_column(query.mode);
    let sql = format!(
        "SELECT {time} AS ts, text_val AS value FROM data \
         WHERE sensor_id = $1 AND ts BETWEEN $2 AND $3 ORDER BY {time}, id"
    );
    db.bounded(async {
        let mut conn = db.get().await?;
        let rows = diesel::sql_query(sql)
            .bind::<Integer, _>(sensor_id)
            .bind::<Timestamp, _>(query.range.start)
            .bind::<Timestamp, _>(query.range.end)
            .load::<TextRow>(&mut conn)
            .await
            .map_err(query_error)?;
        Ok(rows.into_iter().map(|r| (r.ts, r.value)).collect())
    })
    .await
}
