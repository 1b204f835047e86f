//! Users in the upstream `"user"` table: the [`UserRepository`] port.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::auth::USER_NOT_FOUND;
use ents_domain::users::{NewUser, ProfileUpdate, User, UserId, UserRepository};
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use crate::error::StoreError;
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

/// The columns a change may set; `None` leaves one as it is.
#[derive(AsChangeset)]
#[diesel(table_name = users)]
struct UserChanges<'a> {
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    google_sub: Option<&'a str>,
    password_hash: Option<&'a str>,
    updated_at: DateTime<Utc>,
}

impl UserChanges<'_> {
    /// No column but `updated_at`.
    fn now() -> Self {
        Self {
            first_name: None,
            last_name: None,
            google_sub: None,
            password_hash: None,
            updated_at: Utc::now(),
        }
    }
}

fn not_found() -> DomainError {
    DomainError::NotFound(USER_NOT_FOUND.to_owned())
}

/// The first user `query` matches, if any.
async fn first_user(
    conn: &mut AsyncPgConnection,
    query: users::BoxedQuery<'_, Pg>,
) -> Result<Option<User>, StoreError> {
    let row = query
        .select(UserRow::as_select())
        .first::<UserRow>(conn)
        .await
        .optional()?;
    Ok(row.map(User::from))
}

impl PgUserRepository {
    /// Applies `changes` to the user. Errors: `NotFound`.
    async fn change(&self, id: UserId, changes: UserChanges<'_>) -> Result<User, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = diesel::update(users::table.find(id.0))
                    .set(&changes)
                    .returning(UserRow::as_returning())
                    .get_result::<UserRow>(conn)
                    .await
                    .optional()?;
                Ok(row.map(User::from).ok_or_else(not_found)?)
            })
            .await
    }
}

#[async_trait]
impl UserRepository for PgUserRepository {
    async fn create(&self, new: NewUser) -> Result<User, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = NewUserRow {
                    id: UserId::new().0,
                    email: &new.email,
                    first_name: new.first_name.as_deref(),
                    last_name: new.last_name.as_deref(),
                    password: "",
                    google_sub: new.google_sub.as_deref(),
                    password_hash: new.password_hash.as_deref(),
                };
                let row = diesel::insert_into(users::table)
                    .values(&row)
                    .returning(UserRow::as_returning())
                    .get_result::<UserRow>(conn)
                    .await?;
                Ok(User::from(row))
            })
            .await
            .map_err(|e| e.refine_conflict(ConflictKind::Duplicate, "User already exists"))
    }

    async fn get(&self, id: UserId) -> Result<User, DomainError> {
        self.db
            .with_conn(async |conn| first_user(conn, users::table.find(id.0).into_boxed()).await)
            .await?
            .ok_or_else(not_found)
    }

    async fn find_by_email(&self, email: &str) -> Result<Option<User>, DomainError> {
        self.db
            .with_conn(async |conn| {
                first_user(
                    conn,
                    users::table.filter(users::email.eq(email)).into_boxed(),
                )
                .await
            })
            .await
    }

    async fn find_by_google_sub(&self, sub: &str) -> Result<Option<User>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let query = users::table.filter(users::google_sub.eq(sub)).into_boxed();
                first_user(conn, query).await
            })
            .await
    }

    async fn link_google_sub(&self, id: UserId, sub: &str) -> Result<(), DomainError> {
        let changes = UserChanges {
            google_sub: Some(sub),
            ..UserChanges::now()
        };
        self.change(id, changes).await.map(|_| ())
    }

    async fn update_profile(&self, id: UserId, update: ProfileUpdate) -> Result<User, DomainError> {
        let changes = UserChanges {
            first_name: update.first_name.as_deref(),
            last_name: update.last_name.as_deref(),
            ..UserChanges::now()
        };
        self.change(id, changes).await
    }

    async fn credentials_by_email(
        &self,
        email: &str,
    ) -> Result<Option<(User, Option<String>)>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let found = users::table
                    .filter(users::email.eq(email))
                    .select((UserRow::as_select(), users::password_hash))
                    .first::<(UserRow, Option<String>)>(conn)
                    .await
                    .optional()?;
                Ok(found.map(|(row, hash)| (User::from(row), hash)))
            })
            .await
    }

    async fn set_password_hash(&self, id: UserId, hash: &str) -> Result<(), DomainError> {
        let changes = UserChanges {
            password_hash: Some(hash),
            ..UserChanges::now()
        };
        self.change(id, changes).await.map(|_| ())
    }
}
