//! Schema migrations, embedded in the binary, including the adoption of an existing upstream
//! (Flask/alembic) database (docs/compatibility.md#schema).
//!
//! What [`migrate`] does, under a PostgreSQL advisory lock so that servers starting together
//! take turns instead of racing:
//! - a database already managed by us (`__diesel_schema_migrations` exists): applies the
//!   pending migrations;
//! - an empty database: applies them all;
//! - an upstream database at alembic head `14612231efb8` (and no diesel table): records the
//!   baseline migration as applied without running it, then applies the forward ones; no row
//!   is touched (`alembic_version` is kept, so upstream tooling can still see where it was);
//! - an upstream database at any other revision, or upstream tables without any migration
//!   history: refuses, saying what to do.
//!
//! Diesel's migration harness is synchronous: it runs on `spawn_blocking` over an
//! `AsyncConnectionWrapper` of the same connection that holds the lock (run directly inside the
//! runtime, the wrapper would `block_on` inside it).

use std::time::Duration;

use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::connect::{SessionOptions, establish};
use crate::error::{PersistenceError, UPSTREAM_HEAD};

/// Every migration in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../../migrations");

/// The migration that reproduces the upstream schema; recorded, not run, on adoption.
pub const BASELINE_VERSION: &str = "20260703000000";

/// The tables of the upstream schema (docs/compatibility.md#schema).
pub const UPSTREAM_TABLES: [&str; 11] = [
    "cell",
    "logger",
    "power_data",
    "teros_data",
    "sensor",
    "data",
    "user",
    "oauth_token",
    "tag",
    "cell_tag",
    "cell_user",
];

/// Serialises migrators of one database ("ENTSMIGR"). Advisory locks are per database, so
/// unrelated databases on the same server never wait for each other.
const MIGRATION_LOCK_KEY: i64 = 0x454e_5453_4d49_4752;

/// Generous: a migrator may start while PostgreSQL itself is still coming up.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// What one [`migrate`] run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MigrationReport {
    /// Versions applied by this run, in order (empty when the database was up to date).
    /// The baseline of an adopted database is not listed: it was recorded, not run.
    pub applied: Vec<String>,
    /// True when this run adopted an upstream (alembic) database.
    pub adopted: bool,
}

/// What the database looked like before this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Origin {
    Empty,
    Managed,
    UpstreamAtHead,
}

/// Brings the database at `url` up to date. See the module docs for the cases.
/// Errors: `Connect`/`InvalidUrl` when the database cannot be reached;
/// `UnsupportedAlembicRevision`/`UnrecognisedSchema` when it is not ours to migrate;
/// `Migration` when a migration fails (earlier ones stay applied).
pub async fn migrate(url: &str) -> Result<MigrationReport, PersistenceError> {
    let mut conn = connect(url).await?;
    lock(&mut conn).await?;
    let origin = inspect(&mut conn).await?;
    if origin == Origin::UpstreamAtHead {
        adopt(&mut conn).await?;
    }
    warn_about_unknown_versions(&mut conn).await;
    let (mut conn, applied) = run_pending(conn).await?;
    // Closing the session would release the lock too; unlocking explicitly just frees it
    // sooner for a waiting server.
    if let Err(error) =
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
            .execute(&mut conn)
            .await
    {
        tracing::debug!(%error, "could not release the migration lock; closing releases it");
    }
    let adopted = origin == Origin::UpstreamAtHead;
    tracing::info!(
        applied = applied.len(),
        adopted,
        "database schema is up to date"
    );
    Ok(MigrationReport { applied, adopted })
}

/// The version of every embedded migration, in apply order.
pub fn embedded_versions() -> Result<Vec<String>, PersistenceError> {
    let mut versions: Vec<String> = MigrationSource::<Pg>::migrations(&MIGRATIONS)
        .map_err(PersistenceError::Migration)?
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    versions.sort();
    Ok(versions)
}

/// The versions recorded as applied in the database (empty when it has no diesel history,
/// e.g. an empty or not yet adopted upstream database).
pub async fn applied_versions(url: &str) -> Result<Vec<String>, PersistenceError> {
    let mut conn = connect(url).await?;
    applied_on(&mut conn).await
}

/// Embedded versions not yet recorded in the database. For a not yet adopted upstream
/// database this includes the baseline, which [`migrate`] will record rather than run.
pub async fn pending_versions(url: &str) -> Result<Vec<String>, PersistenceError> {
    let applied = applied_versions(url).await?;
    Ok(embedded_versions()?
        .into_iter()
        .filter(|v| !applied.contains(v))
        .collect())
}

async fn connect(url: &str) -> Result<AsyncPgConnection, PersistenceError> {
    establish(
        url,
        SessionOptions {
            connect_timeout: CONNECT_TIMEOUT,
            statement_timeout: None,
            idle_in_transaction_timeout: None,
            tcp_user_timeout: None,
            track_functions: false,
        },
    )
    .await
}

async fn lock(conn: &mut AsyncPgConnection) -> Result<(), PersistenceError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let first_try = diesel::sql_query(format!(
        "SELECT pg_try_advisory_lock({MIGRATION_LOCK_KEY}) AS locked"
    ))
    .get_result::<Locked>(conn)
    .await?;
    if !first_try.locked {
        tracing::info!("another process is migrating this database; waiting for it");
        diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

/// Which of `names` are tables visible on the search path (where diesel and alembic create
/// theirs).
async fn existing_tables(
    conn: &mut AsyncPgConnection,
    names: &[&str],
) -> Result<Vec<String>, PersistenceError> {
    let rows = diesel::sql_query(
        "SELECT name FROM unnest($1::text[]) AS name WHERE to_regclass(quote_ident(name)) IS NOT NULL",
    )
    .bind::<Array<Text>, _>(names)
    .load::<Name>(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

async fn inspect(conn: &mut AsyncPgConnection) -> Result<Origin, PersistenceError> {
    let markers = existing_tables(conn, &["__diesel_schema_migrations", "alembic_version"]).await?;
    if markers.iter().any(|t| t == "__diesel_schema_migrations") {
        return Ok(Origin::Managed);
    }
    let upstream = existing_tables(conn, &UPSTREAM_TABLES).await?;
    if markers.iter().any(|t| t == "alembic_version") {
        let revisions: Vec<String> =
            diesel::sql_query("SELECT version_num::text AS name FROM alembic_version ORDER BY 1")
                .load::<Name>(conn)
                .await?
                .into_iter()
                .map(|r| r.name)
                .collect();
        if revisions != [UPSTREAM_HEAD] {
            let found = if revisions.is_empty() {
                "(none)".to_owned()
            } else {
                revisions.join(", ")
            };
            return Err(PersistenceError::UnsupportedAlembicRevision { found });
        }
        let missing: Vec<&str> = UPSTREAM_TABLES
            .iter()
            .copied()
            .filter(|t| !upstream.iter().any(|u| u == t))
            .collect();
        if !missing.is_empty() {
            return Err(PersistenceError::UnrecognisedSchema(format!(
                "alembic_version says {UPSTREAM_HEAD} but table(s) {} are missing",
                missing.join(", ")
            )));
        }
        return Ok(Origin::UpstreamAtHead);
    }
    if !upstream.is_empty() {
        return Err(PersistenceError::UnrecognisedSchema(format!(
            "table(s) {} exist but there is neither an alembic_version nor a \
             __diesel_schema_migrations table; restore the upstream database completely \
             or migrate an empty one",
            upstream.join(", ")
        )));
    }
    Ok(Origin::Empty)
}

/// Creates diesel's bookkeeping table with diesel's own DDL and records the baseline, in one
/// implicit transaction (a multi-statement simple query is atomic).
async fn adopt(conn: &mut AsyncPgConnection) -> Result<(), PersistenceError> {
    tracing::info!(alembic = UPSTREAM_HEAD, "adopting the upstream database");
    let sql = format!(
        "{create}\nINSERT INTO __diesel_schema_migrations (version) VALUES ('{BASELINE_VERSION}');",
        create = diesel::migration::CREATE_MIGRATIONS_TABLE.trim_end(),
    );
    conn.batch_execute(&sql).await?;
    Ok(())
}

async fn applied_on(conn: &mut AsyncPgConnection) -> Result<Vec<String>, PersistenceError> {
    if existing_tables(conn, &["__diesel_schema_migrations"])
        .await?
        .is_empty()
    {
        return Ok(Vec::new());
    }
    let rows = diesel::sql_query(
        "SELECT version::text AS name FROM __diesel_schema_migrations ORDER BY version",
    )
    .load::<Name>(conn)
    .await?;
    Ok(rows.into_iter().map(|r| r.name).collect())
}

/// A database migrated by a newer release still works with this one as long as the newer
/// migrations were additive; say so instead of failing.
async fn warn_about_unknown_versions(conn: &mut AsyncPgConnection) {
    let (Ok(applied), Ok(known)) = (applied_on(conn).await, embedded_versions()) else {
        return;
    };
    let unknown: Vec<&String> = applied.iter().filter(|v| !known.contains(v)).collect();
    if !unknown.is_empty() {
        tracing::warn!(
            ?unknown,
            "the database has migrations this release does not know"
        );
    }
}

async fn run_pending(
    conn: AsyncPgConnection,
) -> Result<(AsyncPgConnection, Vec<String>), PersistenceError> {
    let (conn, result) = tokio::task::spawn_blocking(move || {
        let mut harness = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let result = harness
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect::<Vec<_>>());
        (harness.into_inner(), result)
    })
    .await?;
    let applied = result.map_err(PersistenceError::Migration)?;
    for version in &applied {
        tracing::info!(%version, "applied migration");
    }
    Ok((conn, applied))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_the_first_migration() {
        let versions = embedded_versions().unwrap_or_default();
        assert_eq!(
            versions.as_slice().first().map(String::as_str),
            Some(BASELINE_VERSION)
        );
        assert!(versions.len() >= 3, "{versions:?}");
    }
}
