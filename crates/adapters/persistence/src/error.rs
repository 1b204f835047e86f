//! Errors of the PostgreSQL adapter, and the one mapping of them into [`DomainError`].
//!
//! When to use which:
//! - [`PersistenceError`] is returned by what the *binaries* call directly and must be able
//!   to report precisely: building the pool, running migrations, test-database setup. Its
//!   variants say what went wrong for an operator (e.g. "upgrade upstream to 14612231efb8
//!   first").
//! - [`DomainError`] is what every port implementation (repositories, readiness) returns.
//!   Diesel and pool errors reach it only through `query_error` / `pool_error` (or
//!   `From<PersistenceError>`), so the classification lives in this file alone:
//!   - unique violation → `Conflict(Duplicate)` (a repository that knows which value it
//!     was refines it, e.g. `DuplicateName`);
//!   - pool wait timeout, connection refused / failed, connection closed or broken, server
//!     shutting down, statement timeout → `Unavailable` (retrying later may work);
//!   - everything else → `Internal` (the cause is kept for the logs only).

use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::PoolError as ManagerError;
use diesel_async::pooled_connection::deadpool::PoolError;
use ents_domain::{ConflictKind, DomainError};

/// The alembic revision an upstream database must be at to be adopted.
pub const UPSTREAM_HEAD: &str = "14612231efb8";

/// Failures of the adapter's own operations (pool construction, migrations, test setup).
#[derive(Debug, thiserror::Error)]
pub enum PersistenceError {
    /// The database URL could not be parsed. The URL itself is not repeated (it may hold a
    /// password).
    #[error("invalid database URL: {0}")]
    InvalidUrl(String),
    /// Could not open a connection (refused, authentication, timeout…).
    #[error("could not connect to the database: {0}")]
    Connect(String),
    /// A statement failed.
    #[error("database query failed: {0}")]
    Query(#[from] DieselError),
    /// The connection pool could not be built.
    #[error("could not build the connection pool: {0}")]
    PoolBuild(#[from] deadpool::managed::BuildError),
    /// The pool could not hand out a connection.
    #[error("could not get a database connection: {0}")]
    Pool(#[from] PoolError),
    /// A migration failed; the database is left at the last migration that succeeded
    /// (each migration runs in its own transaction).
    #[error("migration failed: {0}")]
    Migration(#[source] Box<dyn std::error::Error + Send + Sync + 'static>),
    /// The database is an upstream (alembic-managed) one at another revision.
    #[error(
        "the database is managed by the upstream (alembic) backend at revision {found}; \
         upgrade it with upstream to {UPSTREAM_HEAD} first (`flask db upgrade`), then run \
         the migrations again"
    )]
    UnsupportedAlembicRevision { found: String },
    /// The database holds something we cannot safely take over.
    #[error("refusing to migrate: {0}")]
    UnrecognisedSchema(String),
    /// A blocking task (the migration harness) panicked or was cancelled.
    #[error("migration task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    /// A direct tokio-postgres call failed (connection setup, test-database admin).
    #[error("database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
}

impl From<PersistenceError> for DomainError {
    fn from(error: PersistenceError) -> Self {
        match error {
            PersistenceError::Query(e) => query_error(e),
            PersistenceError::Pool(e) => pool_error(e),
            PersistenceError::Connect(reason) => DomainError::Unavailable(reason),
            other => DomainError::internal(other),
        }
    }
}

/// Classifies a failed statement. See the module docs for the rules.
pub(crate) fn query_error(error: DieselError) -> DomainError {
    match &error {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            tracing::debug!(constraint = info.constraint_name(), "unique violation");
            DomainError::conflict(ConflictKind::Duplicate, "already exists")
        }
        DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | DieselError::BrokenTransactionManager => {
            DomainError::Unavailable("database connection lost".to_owned())
        }
        DieselError::DatabaseError(DatabaseErrorKind::Unknown, info)
            if is_unavailable_message(info.message()) =>
        {
            DomainError::Unavailable(info.message().to_owned())
        }
        _ => DomainError::internal(error),
    }
}

/// Classifies a failure to get a pooled connection: all of them mean the database cannot
/// be used right now, except a misconfigured pool.
pub(crate) fn pool_error(error: PoolError) -> DomainError {
    match error {
        PoolError::Timeout(kind) => {
            DomainError::Unavailable(format!("database connection pool timed out ({kind:?})"))
        }
        PoolError::Backend(ManagerError::ConnectionError(e)) => {
            DomainError::Unavailable(format!("cannot connect to the database: {e}"))
        }
        PoolError::Backend(ManagerError::QueryError(e)) => query_error(e),
        PoolError::Closed => DomainError::Unavailable("database pool is closed".to_owned()),
        other @ (PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_)) => {
            DomainError::internal(other)
        }
    }
}

/// Server errors that mean "not now" rather than "wrong". diesel-async exposes only the
/// message of errors it does not classify (no SQLSTATE), so these are the server's own
/// English messages for: query_canceled by statement_timeout (57014), admin/crash shutdown
/// (57P01/57P02), cannot_connect_now (57P03) and too_many_connections (53300). A server
/// with translated messages falls back to `Internal`, which is still safe.
fn is_unavailable_message(message: &str) -> bool {
    const PATTERNS: [&str; 6] = [
        "canceling statement due to statement timeout",
        "terminating connection due to administrator command",
        "terminating connection because of crash of another server process",
        "the database system is shutting down",
        "the database system is starting up",
        "too many clients already",
    ];
    PATTERNS.iter().any(|p| message.contains(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_violation_is_a_conflict() {
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key value violates unique constraint".to_owned()),
        );
        assert!(matches!(
            query_error(e),
            DomainError::Conflict {
                kind: ConflictKind::Duplicate,
                ..
            }
        ));
    }

    #[test]
    fn lost_connection_is_unavailable() {
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new("connection closed".to_owned()),
        );
        assert!(matches!(query_error(e), DomainError::Unavailable(_)));
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::ClosedConnection,
            Box::new("closed".to_owned()),
        );
        assert!(matches!(query_error(e), DomainError::Unavailable(_)));
    }

    #[test]
    fn statement_timeout_is_unavailable() {
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::Unknown,
            Box::new("canceling statement due to statement timeout".to_owned()),
        );
        assert!(matches!(query_error(e), DomainError::Unavailable(_)));
    }

    #[test]
    fn other_errors_are_internal() {
        assert!(matches!(
            query_error(DieselError::NotFound),
            DomainError::Internal(_)
        ));
        let e = DieselError::DatabaseError(
            DatabaseErrorKind::CheckViolation,
            Box::new("violates check constraint".to_owned()),
        );
        assert!(matches!(query_error(e), DomainError::Internal(_)));
    }

    #[test]
    fn pool_timeout_is_unavailable() {
        let e = PoolError::Timeout(deadpool::managed::TimeoutType::Wait);
        assert!(matches!(pool_error(e), DomainError::Unavailable(_)));
        assert!(matches!(
            pool_error(PoolError::Closed),
            DomainError::Unavailable(_)
        ));
    }

    #[test]
    fn alembic_error_names_the_required_revision() {
        let e = PersistenceError::UnsupportedAlembicRevision {
            found: "fd48c93ccf7b".into(),
        };
        let text = e.to_string();
        assert!(
            text.contains("fd48c93ccf7b") && text.contains(UPSTREAM_HEAD),
            "{text}"
        );
    }
}

/// The error of a repository operation ([`crate::pool::Db::with_conn`],
/// [`crate::pool::Db::transaction`]): a failed statement, still to be classified, or a
/// domain answer (e.g. "Tag with ID 3 not found"), which rolls a transaction back like a
/// failed statement. `?` converts both.
#[derive(Debug)]
pub(crate) enum StoreError {
    Query(DieselError),
    Domain(DomainError),
}

impl From<DieselError> for StoreError {
    fn from(error: DieselError) -> Self {
        Self::Query(error)
    }
}

impl From<DomainError> for StoreError {
    fn from(error: DomainError) -> Self {
        Self::Domain(error)
    }
}

impl From<StoreError> for DomainError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Query(e) => query_error(e),
            StoreError::Domain(e) => e,
        }
    }
}
