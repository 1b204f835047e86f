//! How what one `FETCH` returns (the series reads' rows) becomes long-format rows.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use ents_domain::exports::{ExportRow, ExportValue, SeriesLabel};

use crate::series::rows::{BucketRow, RawRow, TextRow};

/// One output row per field with a value (a long format has no use for empty cells).
fn push_values(
    out: &mut Vec<ExportRow>,
    labels: &[Arc<SeriesLabel>],
    ts: NaiveDateTime,
    values: [Option<f64>; 4],
    logger: Option<&Arc<str>>,
) {
    for (label, value) in labels.iter().zip(values) {
        if let Some(v) = value {
            out.push(ExportRow {
                series: label.clone(),
                ts,
                value: ExportValue::Number(v),
                logger: logger.cloned(),
            });
        }
    }
}

/// `loggers`: names by id, for the power rows' logger.
pub(crate) fn from_raw(
    out: &mut Vec<ExportRow>,
    labels: &[Arc<SeriesLabel>],
    rows: Vec<RawRow>,
    loggers: &HashMap<i32, Arc<str>>,
) {
    for r in rows {
        let logger = r.logger_id.and_then(|id| loggers.get(&id));
        push_values(out, labels, r.ts, r.values(), logger);
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
        push_values(out, labels, r.bucket, values, None);
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
                logger: None,
            });
        }
    }
}
