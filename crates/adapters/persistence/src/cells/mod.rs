//! Cells (the upstream `cell`, `cell_user` and `cell_tag` tables): the
//! [`CellRepository`](ents_domain::cells::CellRepository) and
//! [`CellFactsSource`](ents_domain::access::CellFactsSource) ports.
//!
//! Membership lives in `cell_user`, the owner (`cell.user_id`) included, as upstream keeps
//! it; the owner is never removed from it.

mod crud;
mod facts;
mod members;
mod repository;
mod tags;

use diesel::pg::Pg;
use diesel::prelude::*;
use ents_domain::cells::Cell;
use ents_domain::users::UserId;
use uuid::Uuid;

use crate::pool::Db;
use crate::schema::cell;

pub(crate) use ents_domain::cells::CELL_NOT_FOUND;

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

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = cell, check_for_backend(Pg))]
pub(crate) struct CellRow {
    id: i32,
    name: String,
    location: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    archive: bool,
    user_id: Option<Uuid>,
}

impl From<CellRow> for Cell {
    fn from(row: CellRow) -> Self {
        Cell {
            id: row.id,
            name: row.name,
            location: row.location,
            latitude: row.latitude,
            longitude: row.longitude,
            archive: row.archive,
            owner: row.user_id.map(UserId),
        }
    }
}
