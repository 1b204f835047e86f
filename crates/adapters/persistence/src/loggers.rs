//! Loggers: the [`LoggerRepository`] port on the upstream `logger` table (plus the TTN
//! registration columns of migration 20261129000040).

use async_trait::async_trait;
use chrono::NaiveDateTime;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::loggers::{
    DUPLICATE_LOGGER_NAME, LOGGER_NOT_FOUND, Logger, LoggerChanges, LoggerFilter, LoggerId,
    LoggerRepository, LoraCredentials, NewLogger, PendingRegistration, TtnState,
};
use ents_domain::users::UserId;
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use crate::error::StoreError;
use crate::pool::Db;
use crate::schema::{logger, power_data};

/// [`LoggerRepository`] on PostgreSQL.
#[derive(Debug, Clone)]
pub struct PgLoggerRepository {
    db: Db,
}

impl PgLoggerRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = logger, check_for_backend(Pg))]
struct LoggerRow {
    id: i32,
    name: String,
    type_: Option<String>,
    device_eui: Option<String>,
    description: Option<String>,
    date_created: NaiveDateTime,
    user_id: Option<Uuid>,
    ttn_state: Option<String>,
    ttn_error: Option<String>,
}

impl From<LoggerRow> for Logger {
    fn from(row: LoggerRow) -> Self {
        Logger {
            id: LoggerId(row.id),
            name: row.name,
            kind: row.type_.unwrap_or_default(),
            device_eui: row.device_eui.unwrap_or_default(),
            description: row.description.unwrap_or_default(),
            date_created: row.date_created,
            owner: row.user_id.map(UserId),
            // ck_logger_ttn_state admits only the states `parse` knows.
            ttn_state: row.ttn_state.as_deref().and_then(TtnState::parse),
            ttn_error: row.ttn_error,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = logger)]
struct NewLoggerRow<'a> {
    name: &'a str,
    uuid: Uuid,
    type_: &'a str,
    device_eui: &'a str,
    description: &'a str,
    date_created: NaiveDateTime,
    user_id: Uuid,
    ttn_state: Option<&'a str>,
    ttn_dev_eui: Option<&'a str>,
    ttn_join_eui: Option<&'a str>,
    ttn_app_key: Option<&'a str>,
}

#[derive(AsChangeset)]
#[diesel(table_name = logger)]
struct ChangesRow<'a> {
    name: Option<&'a str>,
    description: Option<&'a str>,
}

fn not_found() -> DomainError {
    DomainError::NotFound(LOGGER_NOT_FOUND.to_owned())
}

/// A unique violation on this table is the name (the uuid is fresh).
fn duplicate_name(error: DomainError) -> DomainError {
    error.refine_conflict(ConflictKind::DuplicateName, DUPLICATE_LOGGER_NAME)
}

/// The result of a statement about one logger: diesel's `NotFound` is the logger's.
fn found<T>(result: QueryResult<T>) -> Result<T, StoreError> {
    result.map_err(|error| match error {
        diesel::result::Error::NotFound => not_found().into(),
        other => other.into(),
    })
}

async fn load(conn: &mut AsyncPgConnection, id: LoggerId) -> Result<Logger, StoreError> {
    let row = logger::table
        .find(id.0)
        .select(LoggerRow::as_select())
        .first::<LoggerRow>(conn)
        .await;
    Ok(found(row)?.into())
}

#[async_trait]
impl LoggerRepository for PgLoggerRepository {
    async fn create(&self, new: NewLogger) -> Result<Logger, DomainError> {
        self.db
            .with_conn(async |conn| {
                let creds = new.registration.as_ref();
                let row = NewLoggerRow {
                    name: &new.name,
                    uuid: Uuid::new_v4(),
                    type_: &new.kind,
                    device_eui: &new.device_eui,
                    description: &new.description,
                    date_created: chrono::Utc::now().naive_utc(),
                    user_id: new.owner.0,
                    ttn_state: creds.map(|_| TtnState::Pending.as_str()),
                    ttn_dev_eui: creds.map(|c| c.dev_eui.as_str()),
                    ttn_join_eui: creds.map(|c| c.join_eui.as_str()),
                    ttn_app_key: creds.map(|c| c.app_key.expose()),
                };
                let row = diesel::insert_into(logger::table)
                    .values(&row)
                    .returning(LoggerRow::as_returning())
                    .get_result::<LoggerRow>(conn)
                    .await?;
                Ok(Logger::from(row))
            })
            .await
            .map_err(duplicate_name)
    }

    async fn get(&self, id: LoggerId) -> Result<Logger, DomainError> {
        self.db.with_conn(async |conn| load(conn, id).await).await
    }

    async fn update(&self, id: LoggerId, changes: LoggerChanges) -> Result<Logger, DomainError> {
        self.db
            .with_conn(async |conn| {
                if changes.is_empty() {
                    return load(conn, id).await;
                }
                let row = ChangesRow {
                    name: changes.name.as_deref(),
                    description: changes.description.as_deref(),
                };
                let updated = diesel::update(logger::table.find(id.0))
                    .set(&row)
                    .returning(LoggerRow::as_returning())
                    .get_result::<LoggerRow>(conn)
                    .await;
                Ok(found(updated)?.into())
            })
            .await
            .map_err(duplicate_name)
    }

    async fn delete(&self, id: LoggerId) -> Result<Logger, DomainError> {
        self.db
            .transaction(async |conn| {
                // Measurements stay with their cell (D-54). A row that would duplicate a
                // logger-less row of the same cell and instant (uq_power_data_cell_id_ts_
                // logger_id treats NULLs as equal) is dropped: the cell keeps that reading.
                diesel::sql_query(
                    "DELETE FROM power_data p WHERE p.logger_id = $1 AND EXISTS \
                         (SELECT 1 FROM power_data q WHERE q.logger_id IS NULL \
                          AND q.cell_id = p.cell_id AND q.ts = p.ts)",
                )
                .bind::<diesel::sql_types::Integer, _>(id.0)
                .execute(conn)
                .await?;
                diesel::update(power_data::table.filter(power_data::logger_id.eq(id.0)))
                    .set(power_data::logger_id.eq(None::<i32>))
                    .execute(conn)
                    .await?;
                let deleted = diesel::delete(logger::table.find(id.0))
                    .returning(LoggerRow::as_returning())
                    .get_result::<LoggerRow>(conn)
                    .await;
                Ok(found(deleted)?.into())
            })
            .await
    }

    async fn list(&self, filter: LoggerFilter) -> Result<Vec<Logger>, DomainError> {
        self.db
            .with_conn(async |conn| {
                let mut query = logger::table
                    .select(LoggerRow::as_select())
                    .order(logger::id.asc())
                    .into_boxed();
                if let Some(owner) = filter.owner {
                    query = query.filter(logger::user_id.eq(owner.0));
                }
                let rows = query.load::<LoggerRow>(conn).await?;
                Ok(rows.into_iter().map(Logger::from).collect())
            })
            .await
    }

    async fn pending_registration(
        &self,
        id: LoggerId,
    ) -> Result<Option<PendingRegistration>, DomainError> {
        self.db
            .with_conn(async |conn| {
                type Pending = (
                    String,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                    Option<String>,
                );
                let (name, state, dev, join, key): Pending = found(
                    logger::table
                        .find(id.0)
                        .select((
                            logger::name,
                            logger::ttn_state,
                            logger::ttn_dev_eui,
                            logger::ttn_join_eui,
                            logger::ttn_app_key,
                        ))
                        .first(conn)
                        .await,
                )?;
                if state.as_deref() != Some(TtnState::Pending.as_str()) {
                    return Ok(None);
                }
                Ok(match (dev, join, key) {
                    (Some(dev), Some(join), Some(key)) => Some(PendingRegistration {
                        name,
                        credentials: LoraCredentials::from_stored(dev, join, key),
                    }),
                    _ => None,
                })
            })
            .await
    }

    async fn finish_registration(
        &self,
        id: LoggerId,
        state: TtnState,
        error: Option<&str>,
    ) -> Result<(), DomainError> {
        self.db
            .with_conn(async |conn| {
                let updated = diesel::update(logger::table.find(id.0))
                    .set((
                        logger::ttn_state.eq(state.as_str()),
                        logger::ttn_error.eq(error),
                        logger::ttn_dev_eui.eq(None::<String>),
                        logger::ttn_join_eui.eq(None::<String>),
                        logger::ttn_app_key.eq(None::<String>),
                    ))
                    .execute(conn)
                    .await?;
                if updated == 0 {
                    return Err(not_found().into());
                }
                Ok(())
            })
            .await
    }
}
