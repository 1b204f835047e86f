//! Users in the upstream `"user"` table: the [`UserRepository`] port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use ents_domain::auth::USER_NOT_FOUND;
use ents_domain::users::{NewUser, ProfileUpdate, User, UserId, UserRepository};
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use crate::error::query_error;
use crate::pool::Db;
use crate::schema::users;

/// [`UserRepository`] on `"user"`.
#[derive(Debug, Clone)]
pub struct PgUserRepository {
    db: Db,
}

impl PgUserRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

/// The columns a [`User`] is made of: never the password hash or the legacy key.
#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = users, check_for_backend(Pg))]
struct UserRow {
    id: Uuid,
    first_name: Option<String>,
    last_name: Option<String>,
    email: Option<String>,
    google_sub: Option<String>,
}

impl From<UserRow> for User {
    fn from(row: UserRow) -> Self {
        User {
            id: UserId(row.id),
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
            google_sub: row.google_sub,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = users)]
struct NewUserRow<'a> {
    id: Uuid,
    email: &'a str,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    /// Upstream's NOT NULL column, always "" (docs/compatibility.md#schema).
    password: &'a str,
    google_sub: Option<&'a str>,
    password_hash: Option<&'a str>,
}

#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct ProfileChanges {
    first_name: Option<String>,
    last_name: Option<String>,
    updated_at: DateTime<Utc>,
}

fn not_found() -> DomainError {
    DomainError::NotFound(USER_NOT_FOUND.to_owned())
}

/// A conflict naming what is taken (the generic one says "already exists").
fn taken(error: DomainError) -> DomainError {
    error.refine_conflict(ConflictKind::Duplicate, "User already exists")
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(&self, new: NewUser) -> Result<User, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                let row = NewUserRow {
                    id: UserId::new().0,
                    email: &new.email,
                    first_name: new.first_name.as_deref(),
                    last_name: new.last_name.as_deref(),
                    password: "",
                    google_sub: new.google_sub.as_deref(),
                    password_hash: new.password_hash.as_deref(),
                };
                diesel::insert_into(users::table)
                    .values(&row)
                    .returning(UserRow::as_returning())
                    .get_result::<UserRow>(&mut conn)
                    .await
                    .map(User::from)
                    .map_err(|e| taken(query_error(e)))
            })
            .await
    }

    async fn get(&self, id: UserId) -> Result<User, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                users::table
                    .find(id.0)
                    .select(UserRow::as_select())
                    .first::<UserRow>(&mut conn)
                    .await
                    .optional()
                    .map_err(query_error)?
                    .map(User::from)
                    .ok_or_else(not_found)
            })
            .await
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                users::table
                    .filter(users::email.eq(email))
                    .select(UserRow::as_select())
                    .first::<UserRow>(&mut conn)
                    .await
                    .optional()
                    .map(|row| row.map(User::from))
                    .map_err(query_error)
            })
            .await
    }

    async fn find_by_google_sub(&self, sub: &str) -> Result<Option<User>, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                users::table
                    .filter(users::google_sub.eq(sub))
                    .select(UserRow::as_select())
                    .first::<UserRow>(&mut conn)
                    .await
                    .optional()
                    .map(|row| row.map(User::from))
                    .map_err(query_error)
            })
            .await
    }

    async fn link_google_sub(&self, id: UserId, sub: &str) -> Result<(), DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                let updated = diesel::update(users::table.find(id.0))
                    .set((users::google_sub.eq(sub), users::updated_at.eq(Utc::now())))
                    .execute(&mut conn)
                    .await
                    .map_err(query_error)?;
                if updated == 0 {
                    return Err(not_found());
                }
                Ok(())
            })
            .await
    }

    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> Result<User, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                let changes = ProfileChanges {
                    first_name: update.first_name,
                    last_name: update.last_name,
                    updated_at: Utc::now(),
                };
                diesel::update(users::table.find(id.0))
                    .set(&changes)
                    .returning(UserRow::as_returning())
                    .get_result::<UserRow>(&mut conn)
                    .await
                    .optional()
                    .map_err(query_error)?
                    .map(User::from)
                    .ok_or_else(not_found)
            })
            .await
    }

    async fn credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                users::table
                    .filter(users::email.eq(email))
                    .select((UserRow::as_select(), users::password_hash))
                    .first::<(UserRow, Option<String>)>(&mut conn)
                    .await
                    .optional()
                    .map(|found| found.map(|(row, hash)| (User::from(row), hash)))
                    .map_err(query_error)
            })
            .await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), DomainError> {
        self.db
            .bounded(async {
                let mut conn = self.db.get().await?;
                let updated = diesel::update(users::table.find(id.0))
                    .set((
                        users::password_hash.eq(hash),
                        users::updated_at.eq(Utc::now()),
                    ))
                    .execute(&mut conn)
                    .await
                    .map_err(query_error)?;
                if updated == 0 {
                    return Err(not_found());
                }
                Ok(())
            })
            .await
    }
}
