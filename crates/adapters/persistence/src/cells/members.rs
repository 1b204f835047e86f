//! Who a cell is shared with (`cell_user`).

use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::auth::USER_NOT_FOUND;
use ents_domain::cells::Member;
use ents_domain::users::UserId;
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use super::PgCellRepository;
use super::crud::locked_cell;
use crate::error::StoreError;
use crate::schema::{cell_user, users};

const NOT_A_MEMBER: &str = "User not assigned to this cell";
const OWNER_STAYS: &str = "The owner cannot be removed from their own cell";

/// The columns a [`Member`] is made of: never a key, hash or token.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
struct MemberRow {
    id: Uuid,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Self {
        Member {
            id: UserId(row.id),
            first_name: row.first_name,
            last_name: row.last_name,
            email: row.email,
        }
    }
}

async fn members_of(conn: &mut AsyncPgConnection, cell_id: i32) -> Result<Vec<Member>, StoreError> {
    let rows = users::table
        .filter(
            users::id.eq_any(
                cell_user::table
                    .filter(cell_user::cell_id.eq(cell_id))
                    .select(cell_user::user_id),
            ),
        )
        .order((users::email, users::id))
        .select(MemberRow::as_select())
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(Member::from).collect())
}

async fn load_user(conn: &mut AsyncPgConnection, user: UserId) -> Result<Member, StoreError> {
    users::table
        .find(user.0)
        .select(MemberRow::as_select())
        .first(conn)
        .await
        .optional()?
        .map(Member::from)
        .ok_or_else(|| DomainError::NotFound(USER_NOT_FOUND.to_owned()).into())
}

impl PgCellRepository {
    pub(super) async fn cell_members(&self, id: i32) -> Result<Vec<Member>, DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                members_of(conn, id).await
            })
            .await
    }

    pub(super) async fn set_cell_members(
        &self,
        id: i32,
        wanted: &[UserId],
    ) -> Result<Vec<Member>, DomainError> {
        self.db
            .transaction(async |conn| {
                let cell = locked_cell(conn, id).await?;
                let mut ids: Vec<Uuid> = wanted.iter().map(|u| u.0).collect();
                let known: Vec<Uuid> = users::table
                    .filter(users::id.eq_any(&ids))
                    .select(users::id)
                    .load(conn)
                    .await?;
                if let Some(missing) = ids.iter().find(|u| !known.contains(u)) {
                    return Err(
                        DomainError::NotFound(format!("User with ID {missing} not found")).into(),
                    );
                }
                if let Some(owner) = cell.user_id {
                    ids.push(owner);
                }
                ids.sort_unstable();
                ids.dedup();
                diesel::delete(cell_user::table.filter(cell_user::cell_id.eq(id)))
                    .execute(conn)
                    .await?;
                let rows: Vec<_> = ids
                    .iter()
                    .map(|u| (cell_user::cell_id.eq(id), cell_user::user_id.eq(*u)))
                    .collect();
                diesel::insert_into(cell_user::table)
                    .values(rows)
                    .execute(conn)
                    .await?;
                members_of(conn, id).await
            })
            .await
    }

    pub(super) async fn add_cell_member(
        &self,
        id: i32,
        user: UserId,
    ) -> Result<Member, DomainError> {
        self.db
            .transaction(async |conn| {
                locked_cell(conn, id).await?;
                let member = load_user(conn, user).await?;
                let inserted = diesel::insert_into(cell_user::table)
                    .values((cell_user::cell_id.eq(id), cell_user::user_id.eq(user.0)))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                if inserted == 0 {
                    return Err(DomainError::conflict(
                        ConflictKind::AlreadyLinked,
                        "User already assigned to cell",
                    )
                    .into());
                }
                Ok(member)
            })
            .await
    }

    pub(super) async fn remove_cell_member(
        &self,
        id: i32,
        user: UserId,
    ) -> Result<(), DomainError> {
        self.db
            .transaction(async |conn| {
                let cell = locked_cell(conn, id).await?;
                load_user(conn, user).await?;
                if cell.user_id == Some(user.0) {
                    return Err(DomainError::conflict(ConflictKind::OwnerStays, OWNER_STAYS).into());
                }
                let deleted = diesel::delete(
                    cell_user::table
                        .filter(cell_user::cell_id.eq(id))
                        .filter(cell_user::user_id.eq(user.0)),
                )
                .execute(conn)
                .await?;
                if deleted == 0 {
                    return Err(DomainError::NotFound(NOT_A_MEMBER.to_owned()).into());
                }
                Ok(())
            })
            .await
    }

    pub(super) async fn member_by_email(&self, email: &str) -> Result<Option<Member>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = users::table
                    .filter(users::email.eq(email))
                    .select(MemberRow::as_select())
                    .first(conn)
                    .await
                    .optional()?;
                Ok(row.map(Member::from))
            })
            .await
    }

    pub(super) async fn member(&self, user: UserId) -> Result<Member, DomainError> {
        self.db
            .with_conn(async |conn| load_user(conn, user).await)
            .await
    }
}
