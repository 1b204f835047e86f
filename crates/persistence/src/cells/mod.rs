//! Cells (the upstream `cell`, `cell_user` and `cell_tag` tables).

mod facts;

use crate::pool::Db;

/// Upstream's message for an unknown cell.
pub(crate) const CELL_NOT_FOUND: &str = "Cell not found";

/// The cell store on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgCellRepository {
    db: Db,
}

impl PgCellRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}
