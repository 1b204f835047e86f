//! Tags (upstream `tag`, linked to cells by `cell_tag`): the [`TagRepository`] port.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::dsl::{count_star, now};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::cells::Cell;
use ents_domain::tags::{
    DUPLICATE_TAG_NAME, NewTag, TAG_NOT_FOUND, Tag, TagChanges, TagRepository,
};
use ents_domain::users::UserId;
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use crate::cells::CellRow;
use crate::error::StoreError;
use crate::pool::Db;
use crate::schema::{cell, cell_tag, tag};

/// [`TagRepository`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgTagRepository {
    db: Db,
}

impl PgTagRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = tag, check_for_backend(Pg))]
pub(crate) struct TagRow {
    id: i32,
    name: String,
    description: Option<String>,
    created_at: Option<NaiveDateTime>,
    created_by: Option<Uuid>,
}

/// The rows as domain tags, with how many cells carry each.
pub(crate) async fn with_counts(
    conn: &mut AsyncPgConnection,
    rows: Vec<TagRow>,
) -> Result<Vec<Tag>, diesel::result::Error> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let counts: HashMap<i32, i64> = cell_tag::table
        .filter(cell_tag::tag_id.eq_any(&ids))
        .group_by(cell_tag::tag_id)
        .select((cell_tag::tag_id, count_star()))
        .load::<(i32, i64)>(conn)
        .await?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| Tag {
            cell_count: counts.get(&r.id).copied().unwrap_or(0),
            id: r.id,
            name: r.name,
            description: r.description,
            created_at: r.created_at,
            created_by: r.created_by.map(UserId),
        })
        .collect())
}

/// One tag with its count. Errors: `NotFound("Tag not found")`.
pub(crate) async fn load_tag(conn: &mut AsyncPgConnection, id: i32) -> Result<Tag, StoreError> {
    let row = tag::table
        .find(id)
        .select(TagRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| DomainError::NotFound(TAG_NOT_FOUND.to_owned()))?;
    let mut tags = with_counts(conn, vec![row]).await?;
    tags.pop()
        .ok_or_else(|| StoreError::Domain(DomainError::NotFound(TAG_NOT_FOUND.to_owned())))
}

/// A unique violation on this table can only be the name.
fn duplicate_name(error: DomainError) -> DomainError {
    error.refine_conflict(ConflictKind::DuplicateName, DUPLICATE_TAG_NAME)
}

/// `%`, `_` and `\` stand for themselves in a search (upstream let them act as wildcards).
pub(crate) fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

#[async_trait]
impl TagRepository for PgTagRepository {
    async fn create(&self, new: NewTag) -> Result<Tag, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = diesel::insert_into(tag::table)
                    .values((
                        tag::name.eq(&new.name),
                        tag::description.eq(&new.description),
                        tag::created_at.eq(now),
                        tag::created_by.eq(new.created_by.0),
                    ))
                    .returning(TagRow::as_returning())
                    .get_result(conn)
                    .await?;
                let mut tags = with_counts(conn, vec![row]).await?;
                Ok(tags
                    .pop()
                    .ok_or_else(|| DomainError::internal("inserted tag vanished"))?)
            })
            .await
            .map_err(duplicate_name)
    }

    async fn get(&self, id: i32) -> Result<Tag, DomainError> {
        self.db
            .with_conn(async |conn| load_tag(conn, id).await)
            .await
    }

    async fn list(&self, search: Option<&str>) -> Result<Vec<Tag>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let mut query = tag::table.select(TagRow::as_select()).into_boxed();
                if let Some(search) = search.filter(|s| !s.is_empty()) {
                    query = query.filter(tag::name.ilike(like_pattern(search)));
                }
                let rows = query.order(tag::id).load(conn).await?;
                Ok(with_counts(conn, rows).await?)
            })
            .await
    }

    async fn update(&self, id: i32, changes: TagChanges) -> Result<Tag, DomainError> {
        self.db
            .transaction(async |conn| {
                load_tag(conn, id).await?;
                if let Some(name) = &changes.name {
                    diesel::update(tag::table.find(id))
                        .set(tag::name.eq(name))
                        .execute(conn)
                        .await?;
                }
                if let Some(description) = &changes.description {
                    diesel::update(tag::table.find(id))
                        .set(tag::description.eq(description))
                        .execute(conn)
                        .await?;
                }
                load_tag(conn, id).await
            })
            .await
            .map_err(duplicate_name)
    }

    async fn delete(&self, id: i32) -> Result<(), DomainError> {
        self.db
            .transaction(async |conn| {
                diesel::delete(cell_tag::table.filter(cell_tag::tag_id.eq(id)))
                    .execute(conn)
                    .await?;
                let deleted = diesel::delete(tag::table.find(id)).execute(conn).await?;
                if deleted == 0 {
                    return Err(DomainError::NotFound(TAG_NOT_FOUND.to_owned()).into());
                }
                Ok(())
            })
            .await
    }

    async fn cells(&self, id: i32) -> Result<(Tag, Vec<Cell>), DomainError> {
        self.db
            .with_conn(async |conn| {
                let found = load_tag(conn, id).await?;
                let cells = cell::table
                    .filter(
                        cell::id.eq_any(
                            cell_tag::table
                                .filter(cell_tag::tag_id.eq(id))
                                .select(cell_tag::cell_id),
                        ),
                    )
                    .order(cell::id)
                    .select(CellRow::as_select())
                    .load(conn)
                    .await?;
                Ok((found, cells.into_iter().map(Cell::from).collect()))
            })
            .await
    }
}
