//! The export's transaction: one snapshot, one cursor per series, one batch at a time.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::sql_types::{Integer, Text, Timestamp};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::DomainError;
use ents_domain::exports::{ExportRequest, ExportRow, RowSink};
use ents_domain::series::{ReadMode, Resample, TimeRange};

use super::parts::{Part, Reader, parts};
use super::rows::{from_buckets, from_raw, from_text};
use crate::error::StoreError;
use crate::series::query::{series_sql, text_sql};
use crate::series::rows::{BucketRow, RawRow, TextRow};

/// The cursor's name; one export per connection at a time, closed after each series.
const CURSOR: &str = "ents_export_rows";

pub(crate) async fn run(
    conn: &mut AsyncPgConnection,
    request: &ExportRequest,
    batch_rows: usize,
    use_rollups: bool,
    sink: &mut dyn RowSink,
) -> Result<(), DomainError> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run(async |conn: &mut AsyncPgConnection| {
            let names = super::cell_names(conn, request.cell_ids()).await?;
            let cells: Vec<(i32, String)> = request.cell_ids().iter().copied().zip(names).collect();
            let parts = parts(conn, &cells).await?;
            let loggers = logger_names(conn).await?;
            let total = parts.len().max(1) as f32;
            for (index, part) in parts.iter().enumerate() {
                let context = Progress {
                    range: request.range,
                    index,
                    total,
                };
                let at = Position {
                    progress: &context,
                    loggers: &loggers,
                };
                read_part(conn, part, request, batch_rows, use_rollups, &at, sink).await?;
            }
            Ok::<_, StoreError>(())
        })
        .await
        .map_err(DomainError::from)
}

/// The name of every logger: exported beside its raw power rows (names, unlike ids, mean
/// the same logger in another deployment).
async fn logger_names(conn: &mut AsyncPgConnection) -> Result<HashMap<i32, Arc<str>>, StoreError> {
    #[derive(QueryableByName)]
    struct Logger {
        #[diesel(sql_type = Integer)]
        id: i32,
        #[diesel(sql_type = Text)]
        name: String,
    }
    let rows = diesel::sql_query("SELECT id, name FROM logger")
        .load::<Logger>(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|l| (l.id, Arc::from(l.name)))
        .collect())
}

/// What one series' read needs to know of the whole export.
struct Position<'a> {
    progress: &'a Progress,
    loggers: &'a HashMap<i32, Arc<str>>,
}

/// Where a series stands in the whole export: its index, and the time of its last row.
struct Progress {
    range: TimeRange,
    index: usize,
    total: f32,
}

impl Progress {
    fn done(&self, last: NaiveDateTime) -> f32 {
        let span = (self.range.end - self.range.start).num_seconds().max(1) as f32;
        let within = ((last - self.range.start).num_seconds() as f32 / span).clamp(0.0, 1.0);
        ((self.index as f32 + within) / self.total).clamp(0.0, 1.0)
    }
}

async fn read_part(
    conn: &mut AsyncPgConnection,
    part: &Part,
    request: &ExportRequest,
    batch_rows: usize,
    use_rollups: bool,
    at: &Position<'_>,
    sink: &mut dyn RowSink,
) -> Result<(), StoreError> {
    let progress = at.progress;
    let range = request.range;
    let declare = |sql: &str| format!("DECLARE {CURSOR} NO SCROLL CURSOR FOR {sql}");
    let buckets = match (&part.reader, request.resample) {
        (Reader::Text, _) => {
            diesel::sql_query(declare(&text_sql(ReadMode::Raw)))
                .bind::<Integer, _>(part.key)
                .bind::<Timestamp, _>(range.start)
                .bind::<Timestamp, _>(range.end)
                .execute(conn)
                .await?;
            false
        }
        (Reader::Numeric(spec), resample) => {
            let mode = match resample {
                Resample::None => ReadMode::Raw,
                resample => ReadMode::Buckets(resample),
            };
            series_sql(spec, part.key, range, mode, use_rollups, declare)
                .execute(conn)
                .await?;
            mode != ReadMode::Raw
        }
    };
    // At most `batch_rows` output rows per batch: a fetched row yields one per field.
    let fetch = (batch_rows / part.labels.len().max(1)).max(1);
    let fetch_sql = format!("FETCH {fetch} FROM {CURSOR}");
    let mut out: Vec<ExportRow> = Vec::with_capacity(batch_rows);
    loop {
        out.clear();
        let (fetched, last) = match (&part.reader, buckets) {
            (Reader::Text, _) => {
                let rows = diesel::sql_query(&fetch_sql).load::<TextRow>(conn).await?;
                let meta = (rows.len(), rows.last().map(|r| r.ts));
                from_text(&mut out, &part.labels, rows);
                meta
            }
            (Reader::Numeric(_), false) => {
                let rows = diesel::sql_query(&fetch_sql).load::<RawRow>(conn).await?;
                let meta = (rows.len(), rows.last().map(|r| r.ts));
                from_raw(&mut out, &part.labels, rows, at.loggers);
                meta
            }
            (Reader::Numeric(_), true) => {
                let rows = diesel::sql_query(&fetch_sql)
                    .load::<BucketRow>(conn)
                    .await?;
                let meta = (rows.len(), rows.last().map(|r| r.bucket));
                from_buckets(&mut out, &part.labels, rows);
                meta
            }
        };
        if let Some(last) = last
            && !out.is_empty()
        {
            metrics::counter!(crate::metrics::EXPORT_ROWS).increment(out.len() as u64);
            sink.accept(&out, progress.done(last)).await?;
        }
        if fetched < fetch {
            break;
        }
    }
    diesel::sql_query(format!("CLOSE {CURSOR}"))
        .execute(conn)
        .await?;
    Ok(())
}
