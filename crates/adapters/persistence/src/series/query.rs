//! The SQL of series reads, generated from a [`SeriesSpec`].

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::pg::Pg;
use diesel::query_builder::{BoxedSqlQuery, SqlQuery};
use diesel::sql_types::{Double, Integer, Nullable, Text, Timestamp};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::series::{Fields, Point, ReadMode, Resample, SeriesQuery, Stats, TimeRange};
use futures_util::TryStreamExt;

use super::plan::plan;
use super::rows::{BucketRow, TextRow};
use super::spec::{MAX_FIELDS, SeriesSpec};
use crate::pool::Db;

/// The time a point of `table` is labelled with and ordered by.
fn time_column(table: &str, mode: ReadMode) -> &'static str {
    match mode {
        // Upstream's power and TEROS streams label rows with the server receive time (D-51);
        // rows from before `ts_server` existed fall back to the device time. Its generic
        // sensor stream uses the device time (D-48: only its missing ORDER BY was a defect).
        ReadMode::Stream if table != "data" => "coalesce(ts_server, ts)",
        ReadMode::Stream | ReadMode::Raw | ReadMode::Buckets(_) => "ts",
    }
}

/// The raw-row statement around its three binds (key, start, end):
/// `<ts>, v0..v3 FROM <table> WHERE <key> = `, ` AND ts BETWEEN `, ` AND `, ` ORDER BY …`.
fn raw_sql_parts(spec: &SeriesSpec, mode: ReadMode) -> (String, String) {
    let time = time_column(spec.table, mode);
    let values: Vec<String> = (0..MAX_FIELDS)
        .map(|k| match spec.fields.get(k) {
            Some(f) => format!("{} AS v{k}", f.raw),
            None => format!("NULL::double precision AS v{k}"),
        })
        .collect();
    (
        format!(
            "{time} AS ts, {values} FROM {table} WHERE {key} = ",
            values = values.join(", "),
            table = spec.table,
            key = spec.key,
        ),
        format!(" ORDER BY {time}, id"),
    )
}

/// `SELECT <ts>, v0..v3, logger_id` of the raw rows, in time order.
pub(crate) fn raw_sql(spec: &SeriesSpec, mode: ReadMode) -> String {
    let (head, tail) = raw_sql_parts(spec, mode);
    let head = head.replacen(
        " FROM ",
        &format!(", {} AS logger_id FROM ", spec.logger),
        1,
    );
    format!("SELECT {head}$1 AND ts BETWEEN $2 AND $3{tail}")
}

/// The SQL types of a raw row: the time and four values, decoded by position.
type RawSqlRow = (
    Timestamp,
    Nullable<Double>,
    Nullable<Double>,
    Nullable<Double>,
    Nullable<Double>,
);
type RawTuple = (
    NaiveDateTime,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
);

/// The raw rows of one series as points: the same statement as [`raw_sql`], decoded by
/// column position instead of by name (`sql_query` rows look every column up by its name,
/// which a raw day of 16,666 rows pays 80,000 times), each row straight into its point as it
/// arrives (no vector of rows first).
async fn raw_points(
    db: &Db,
    spec: &SeriesSpec,
    key: i32,
    query: &SeriesQuery,
) -> Result<Vec<Point>, DomainError> {
    let n = spec.fields.len();
    let (head, tail) = raw_sql_parts(spec, query.mode);
    let statement = diesel::select(
        sql::<RawSqlRow>(&head)
            .bind::<Integer, _>(key)
            .sql(" AND ts BETWEEN ")
            .bind::<Timestamp, _>(query.range.start)
            .sql(" AND ")
            .bind::<Timestamp, _>(query.range.end)
            .sql(&tail),
    );
    db.with_conn(async |conn| {
        let rows = statement.load_stream::<RawTuple>(conn).await?;
        let points = rows
            .try_fold(Vec::new(), |mut points, (ts, v0, v1, v2, v3)| {
                let single = Stats::single;
                points.push(Point {
                    ts,
                    fields: Fields::new([single(v0), single(v1), single(v2), single(v3)], n),
                });
                std::future::ready(Ok(points))
            })
            .await?;
        Ok(points)
    })
    .await
}

/// `SELECT <ts>, text_val AS value` of a text sensor's rows ([`TextRow`]), in time order.
pub(crate) fn text_sql(mode: ReadMode) -> String {
    let time = time_column("data", mode);
    format!(
        "SELECT {time} AS ts, text_val AS value FROM data \
         WHERE sensor_id = $1 AND ts BETWEEN $2 AND $3 ORDER BY {time}, id"
    )
}

/// Buckets of `date_trunc($4, …)`: rollup rows of width `$5` in `[$6, $7)` plus the raw rows
/// of `[$2, $6)` and `[$7, $3]` (see `plan.rs`), regrouped when `regroup`. Without it each
/// part's rows are the buckets: right when `$4` is `$5` (an hourly read of hourly rollups),
/// since the raw edges then lie in other buckets than the whole ones; that skips a hash
/// aggregate over every bucket, most of a one-year hourly chart's SQL time (bench-scale).
pub(crate) fn bucket_sql(spec: &SeriesSpec, regroup: bool) -> String {
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
        outer_cols.push(if regroup {
            format!(
                "sum(n{k})::bigint AS n{k}, sum(s{k}) AS s{k}, min(lo{k}) AS lo{k}, max(hi{k}) AS hi{k}"
            )
        } else {
            format!("n{k}, s{k}, lo{k}, hi{k}")
        });
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
         SELECT b AS bucket, {outer} FROM parts {group} ORDER BY b",
        rollup_cols = rollup_cols.join(", "),
        outer = outer_cols.join(", "),
        group = if regroup { "GROUP BY b" } else { "" },
    )
}

/// The SQL and bind values that read one numeric series (`key` = cell id or sensor id) as
/// `query.mode` asks: raw rows ([`RawRow`]) or buckets ([`BucketRow`]). Exports declare a
/// cursor over the same statement.
pub(crate) fn series_sql<'a>(
    spec: &SeriesSpec,
    key: i32,
    range: TimeRange,
    mode: ReadMode,
    use_rollups: bool,
    wrap: impl FnOnce(&str) -> String,
) -> BoxedSqlQuery<'a, Pg, SqlQuery> {
    let (sql, buckets) = match mode {
        ReadMode::Raw | ReadMode::Stream => (raw_sql(spec, mode), None),
        ReadMode::Buckets(resample) => {
            let p = plan(range, resample, use_rollups && resample != Resample::None);
            let unit = resample.unit().unwrap_or("hour");
            (bucket_sql(spec, unit != p.width), Some((unit, p)))
        }
    };
    let query = diesel::sql_query(wrap(&sql))
        .into_boxed()
        .bind::<Integer, _>(key)
        .bind::<Timestamp, _>(range.start)
        .bind::<Timestamp, _>(range.end);
    match buckets {
        None => query,
        Some((unit, p)) => query
            .bind::<Text, _>(unit)
            .bind::<Text, _>(p.width)
            .bind::<Timestamp, _>(p.inner_start)
            .bind::<Timestamp, _>(p.inner_end),
    }
}

/// The points of one series (`key` = cell id or sensor id).
pub(crate) async fn points(
    db: &Db,
    spec: &SeriesSpec,
    key: i32,
    query: &SeriesQuery,
    use_rollups: bool,
) -> Result<Vec<Point>, DomainError> {
    if matches!(query.mode, ReadMode::Raw | ReadMode::Stream) {
        return raw_points(db, spec, key, query).await;
    }
    let n = spec.fields.len();
    let statement = series_sql(
        spec,
        key,
        query.range,
        query.mode,
        use_rollups,
        str::to_owned,
    );
    db.with_conn(async |conn| {
        let points = statement
            .load::<BucketRow>(conn)
            .await?
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
            .collect();
        Ok(points)
    })
    .await
}

/// The rows of a text sensor, in time order.
pub(crate) async fn text_rows(
    db: &Db,
    sensor_id: i32,
    query: &SeriesQuery,
) -> Result<Vec<(NaiveDateTime, Option<String>)>, DomainError> {
    db.with_conn(async |conn| {
        let rows = diesel::sql_query(text_sql(query.mode))
            .bind::<Integer, _>(sensor_id)
            .bind::<Timestamp, _>(query.range.start)
            .bind::<Timestamp, _>(query.range.end)
            .load::<TextRow>(conn)
            .await?;
        Ok(rows.into_iter().map(|r| (r.ts, r.value)).collect())
    })
    .await
}
