//! A cell's tags (`cell_tag`).

use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::tags::{Tag, tag_id_not_found};
use ents_domain::{ConflictKind, DomainError};

use super::PgCellRepository;
use super::crud::locked_cell;
use crate::error::StoreError;
use crate::schema::{cell_tag, tag};
use crate::tags::{TagRow, load_tag, with_counts};

pub(super) const ALREADY_ASSIGNED: &str = "Tag already assigned to cell";
pub(super) const NOT_ASSIGNED: &str = "Tag not assigned to this cell";

/// Replaces the cell's tags with `tag_ids`. Errors: `NotFound("Tag with ID <id> not
/// found")` for the first unknown id (the caller's transaction then rolls back).
pub(super) async fn replace_tags(
    conn: &mut AsyncPgConnection,
    cell_id: i32,
    tag_ids: &[i32],
) -> Result<(), StoreError> {
    let mut wanted: Vec<i32> = tag_ids.to_vec();
    wanted.sort_unstable();
    wanted.dedup();
    let known: Vec<i32> = tag::table
        .filter(tag::id.eq_any(&wanted))
        .select(tag::id)
        .load(conn)
        .await?;
    if let Some(missing) = tag_ids.iter().find(|id| !known.contains(id)) {
        return Err(DomainError::NotFound(tag_id_not_found(*missing)).into());
    }
    diesel::delete(cell_tag::table.filter(cell_tag::cell_id.eq(cell_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = wanted
        .iter()
        .map(|tag_id| (cell_tag::cell_id.eq(cell_id), cell_tag::tag_id.eq(*tag_id)))
        .collect();
    diesel::insert_into(cell_tag::table)
        .values(rows)
        .execute(conn)
        .await?;
    Ok(())
}

pub(super) async fn tags_of(
    conn: &mut AsyncPgConnection,
    cell_id: i32,
) -> Result<Vec<Tag>, StoreError> {
    let rows = tag::table
        .filter(
            tag::id.eq_any(
                cell_tag::table
                    .filter(cell_tag::cell_id.eq(cell_id))
                    .select(cell_tag::tag_id),
            ),
        )
        .order(tag::id)
        .select(TagRow::as_select())
        .load(conn)
        .await?;
    Ok(with_counts(conn, rows).await?)
}

impl PgCellRepository {
    pub(super) async fn cell_tags(&self, id: i32) -> Result<Vec<Tag>, DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                tags_of(conn, id).await
            })
            .await
    }

    pub(super) async fn set_cell_tags(
        &self,
        id: i32,
        tag_ids: &[i32],
    ) -> Result<Vec<Tag>, DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                replace_tags(conn, id, tag_ids).await?;
                tags_of(conn, id).await
            })
            .await
    }

    pub(super) async fn add_cell_tag(&self, id: i32, tag_id: i32) -> Result<Tag, DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                load_tag(conn, tag_id).await?;
                let inserted = diesel::insert_into(cell_tag::table)
                    .values((cell_tag::cell_id.eq(id), cell_tag::tag_id.eq(tag_id)))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                if inserted == 0 {
                    return Err(DomainError::conflict(
                        ConflictKind::AlreadyLinked,
                        ALREADY_ASSIGNED,
                    )
                    .into());
                }
                load_tag(conn, tag_id).await
            })
            .await
    }

    pub(super) async fn remove_cell_tag(&self, id: i32, tag_id: i32) -> Result<(), DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                load_tag(conn, tag_id).await?;
                let deleted = diesel::delete(
                    cell_tag::table
                        .filter(cell_tag::cell_id.eq(id))
                        .filter(cell_tag::tag_id.eq(tag_id)),
                )
                .execute(conn)
                .await?;
                if deleted == 0 {
                    return Err(DomainError::NotFound(NOT_ASSIGNED.to_owned()).into());
                }
                Ok(())
            })
            .await
    }
}
