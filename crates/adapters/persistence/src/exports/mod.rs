//! Export rows from PostgreSQL: the [`ExportRowSource`] port.
//!
//! One `REPEATABLE READ, READ ONLY` transaction gives the whole export one snapshot. Each
//! series (a cell's power, its TEROS, each of its generic sensors) is read through a
//! server-side cursor (`DECLARE … NO SCROLL CURSOR` + `FETCH n`), so memory holds one batch
//! whatever the size. The SQL is the series reads' own (`series::query`): the same units,
//! and for hour/day/week/month the same rollups + raw edges, so an export's means equal
//! the API's.

mod parts;
mod rows;
mod stream;

use async_trait::async_trait;
use diesel::QueryableByName;
use diesel::sql_types::{Array, Integer, Text};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::cells::CELL_NOT_FOUND;
use ents_domain::exports::{ExportRequest, ExportRowSource, RowSink};

use crate::error::StoreError;
use crate::pool::Db;

/// [`ExportRowSource`] on the series tables and their rollups.
#[derive(Debug, Clone)]
pub struct PgExportRowSource {
    db: Db,
    use_rollups: bool,
}

impl PgExportRowSource {
    /// `use_rollups = false` computes every mean from the raw rows (benchmarks; the
    /// answers are the same).
    pub fn new(db: Db, use_rollups: bool) -> Self {
        Self { db, use_rollups }
    }
}

#[derive(QueryableByName)]
struct CellRow {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Text)]
    name: String,
}

/// The names of `cell_ids`, in that order. Errors: `NotFound` for an unknown id.
pub(crate) async fn cell_names(
    conn: &mut diesel_async::AsyncPgConnection,
    cell_ids: &[i32],
) -> Result<Vec<String>, StoreError> {
    let rows = diesel::sql_query("SELECT id, name FROM cell WHERE id = ANY($1)")
        .bind::<Array<Integer>, _>(cell_ids)
        .load::<CellRow>(conn)
        .await?;
    let name = |id: &i32| {
        rows.iter()
            .find(|r| r.id == *id)
            .map(|r| r.name.clone())
            .ok_or_else(|| DomainError::NotFound(CELL_NOT_FOUND.to_owned()).into())
    };
    cell_ids.iter().map(name).collect()
}

#[async_trait]
impl ExportRowSource for PgExportRowSource {
    async fn cell_names(&self, cell_ids: &[i32]) -> Result<Vec<String>, DomainError> {
        self.db
            .with_conn(async |conn| cell_names(conn, cell_ids).await)
            .await
    }

    async fn stream(
        &self,
        request: &ExportRequest,
        batch_rows: usize,
        sink: &mut dyn RowSink,
    ) -> Result<(), DomainError> {
        // Not `bounded`: an export may legitimately run for a long time. Every FETCH is
        // bounded by the session's statement_timeout instead.
        let mut conn = self.db.get().await?;
        stream::run(&mut conn, request, batch_rows, self.use_rollups, sink).await
    }
}
