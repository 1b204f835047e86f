//! What one `FETCH` returns, per reader, and how it becomes long-format rows.

use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Double, Nullable, Text, Timestamp};
use ents_domain::exports::{ExportRow, ExportValue, SeriesLabel};

/// A raw row of `series::query::raw_sql` (`ts, v0..v3`).
#[derive(QueryableByName)]
pub(crate) struct RawRow {
    #[diesel(sql_type = Timestamp)]
    pub ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Double>)]
    v0: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v1: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v2: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    v3: Option<f64>,
}

/// A bucket of `series::query::bucket_sql` (the count and sum of each field; its min and
/// max columns are not read).
#[derive(QueryableByName)]
pub(crate) struct BucketRow {
    #[diesel(sql_type = Timestamp)]
    pub bucket: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    n0: i64,
    #[diesel(sql_type = Double)]
    s0: f64,
    #[diesel(sql_type = BigInt)]
    n1: i64,
    #[diesel(sql_type = Double)]
    s1: f64,
    #[diesel(sql_type = BigInt)]
    n2: i64,
    #[diesel(sql_type = Double)]
    s2: f64,
    #[diesel(sql_type = BigInt)]
    n3: i64,
    #[diesel(sql_type = Double)]
    s3: f64,
}

#[derive(QueryableByName)]
pub(crate) struct TextRow {
    #[diesel(sql_type = Timestamp)]
    pub ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    value: Option<String>,
}

/// One output row per field with a value (a long format has no use for empty cells).
fn push_values(
    out: &mut Vec<ExportRow>,
    labels: &[Arc<SeriesLabel>],
    ts: NaiveDateTime,
    values: [Option<f64>; 4],
) {
    for (label, value) in labels.iter().zip(values) {
        if let Some(v) = value {
            out.push(ExportRow {
                series: label.clone(),
                ts,
                value: ExportValue::Number(v),
            });
        }
    }
}

pub(crate) fn from_raw(out: &mut Vec<ExportRow>, labels: &[Arc<SeriesLabel>], rows: Vec<RawRow>) {
    for r in rows {
        push_values(out, labels, r.ts, [r.v0, r.v1, r.v2, r.v3]);
    }
}

pub(crate) fn from_buckets(
    out: &mut Vec<ExportRow>,
    labels: &[Arc<SeriesLabel>],
    rows: Vec<BucketRow>,
) {
    // `n as f64` is exact below 2^53 rows per bucket.
    let mean = |n: i64, s: f64| (n > 0).then(|| s / n as f64);
    for r in rows {
        let values = [
            mean(r.n0, r.s0),
            mean(r.n1, r.s1),
            mean(r.n2, r.s2),
            mean(r.n3, r.s3),
        ];
        push_values(out, labels, r.bucket, values);
    }
}

pub(crate) fn from_text(out: &mut Vec<ExportRow>, labels: &[Arc<SeriesLabel>], rows: Vec<TextRow>) {
    let Some(label) = labels.first() else {
        return;
    };
    for r in rows {
        if let Some(text) = r.value {
            out.push(ExportRow {
                series: label.clone(),
                ts: r.ts,
                value: ExportValue::Text(text),
            });
        }
    }
}
