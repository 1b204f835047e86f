//! Creating, reading, listing, changing and deleting cells.

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::cells::{
    CELL_NOT_FOUND, Cell, CellChanges, CellFilter, DUPLICATE_CELL_NAME, NewCell,
};
use ents_domain::{ConflictKind, DomainError};

use super::tags::replace_tags;
use super::{CellRow, PgCellRepository};
use crate::error::StoreError;
use crate::schema::{cell, cell_tag, cell_user};
use crate::tags::like_pattern;

/// The cell row, locked against concurrent deletion for the rest of the transaction.
/// Errors: `NotFound("Cell not found")`.
pub(super) async fn locked_cell(
    conn: &mut AsyncPgConnection,
    id: i32,
) -> Result<CellRow, StoreError> {
    cell::table
        .find(id)
        .select(CellRow::as_select())
        .for_no_key_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| DomainError::NotFound(CELL_NOT_FOUND.to_owned()).into())
}

/// A unique violation on this table can only be the name.
fn duplicate_name(error: DomainError) -> DomainError {
    error.refine_conflict(ConflictKind::DuplicateName, DUPLICATE_CELL_NAME)
}

#[derive(AsChangeset, Default)]
#[diesel(table_name = cell)]
struct CellChangeset {
    name: Option<String>,
    location: Option<Option<String>>,
    latitude: Option<Option<f64>>,
    longitude: Option<Option<f64>>,
    archive: Option<bool>,
}

impl PgCellRepository {
    pub(super) async fn create_cell(&self, new: NewCell) -> Result<Cell, DomainError> {
        self.db
            .transaction(async |conn| {
                let row = diesel::insert_into(cell::table)
                    .values((
                        cell::name.eq(&new.name),
                        cell::location.eq(&new.location),
                        cell::latitude.eq(new.latitude),
                        cell::longitude.eq(new.longitude),
                        cell::archive.eq(new.archive),
                        cell::user_id.eq(new.owner.0),
                    ))
                    .returning(CellRow::as_returning())
                    .get_result(conn)
                    .await?;
                diesel::insert_into(cell_user::table)
                    .values((
                        cell_user::cell_id.eq(row.id),
                        cell_user::user_id.eq(new.owner.0),
                    ))
                    .execute(conn)
                    .await?;
                replace_tags(conn, row.id, &new.tag_ids).await?;
                Ok(row)
            })
            .await
            .map(Cell::from)
            .map_err(duplicate_name)
    }

    pub(super) async fn get_cell(&self, id: i32) -> Result<Cell, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(cell::table
                    .find(id)
                    .select(CellRow::as_select())
                    .first(conn)
                    .await
                    .optional()?)
            })
            .await?;
        row.map(Cell::from)
            .ok_or_else(|| DomainError::NotFound(CELL_NOT_FOUND.to_owned()))
    }

    pub(super) async fn list_cells(&self, filter: CellFilter) -> Result<Vec<Cell>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let mut query = cell::table.select(CellRow::as_select()).into_boxed();
                if let Some(name) = filter.name.as_deref().filter(|n| !n.is_empty()) {
                    query = query.filter(cell::name.ilike(like_pattern(name)));
                }
                if let Some(member) = filter.member {
                    query = query.filter(
                        cell::id.eq_any(
                            cell_user::table
                                .filter(cell_user::user_id.eq(member.0))
                                .select(cell_user::cell_id),
                        ),
                    );
                }
                if !filter.any_tag.is_empty() {
                    query = query.filter(
                        cell::id.eq_any(
                            cell_tag::table
                                .filter(cell_tag::tag_id.eq_any(filter.any_tag.clone()))
                                .select(cell_tag::cell_id),
                        ),
                    );
                }
                let rows = query.order(cell::id).load(conn).await?;
                Ok(rows.into_iter().map(Cell::from).collect())
            })
            .await
    }

    pub(super) async fn update_cell(
        &self,
        id: i32,
        changes: CellChanges,
    ) -> Result<Cell, DomainError> {
        self.db
            .transaction(async |conn| {
                let current = locked_cell(conn, id).await?;
                let changeset = CellChangeset {
                    name: changes.name.clone(),
                    location: changes.location.clone(),
                    latitude: changes.latitude,
                    longitude: changes.longitude,
                    archive: changes.archive,
                };
                let row = if changeset_is_empty(&changeset) {
                    current
                } else {
                    diesel::update(cell::table.find(id))
                        .set(&changeset)
                        .returning(CellRow::as_returning())
                        .get_result(conn)
                        .await?
                };
                if let Some(tag_ids) = &changes.tag_ids {
                    replace_tags(conn, id, tag_ids).await?;
                }
                Ok(row)
            })
            .await
            .map(Cell::from)
            .map_err(duplicate_name)
    }

    pub(super) async fn delete_cell(&self, id: i32) -> Result<(), DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                diesel::delete(cell_user::table.filter(cell_user::cell_id.eq(id)))
                    .execute(conn)
                    .await?;
                diesel::delete(cell_tag::table.filter(cell_tag::cell_id.eq(id)))
                    .execute(conn)
                    .await?;
                // power_data, teros_data, sensor (and through it data) cascade from the
                // cell (docs/compatibility.md#schema); the rollup triggers follow the deletes.
                diesel::delete(cell::table.find(id)).execute(conn).await?;
                Ok(())
            })
            .await
    }
}

fn changeset_is_empty(c: &CellChangeset) -> bool {
    c.name.is_none()
        && c.location.is_none()
        && c.latitude.is_none()
        && c.longitude.is_none()
        && c.archive.is_none()
}
