//! The connection pool every repository shares.
//!
//! Failure model: with the database down, a request must fail fast with `DomainError::Unavailable`
//! instead of hanging, and the pool must heal by itself when the database returns. Hence: every
//! pool operation has a timeout (which needs the tokio runtime to be given to deadpool, and its
//! `rt_tokio_1` feature, which diesel-async does not enable), connection establishment is bounded
//! (`connect.rs`), and a pooled connection is verified (`SELECT 1`) before it is handed out, so
//! connections broken by a restart are dropped and replaced instead of failing a request.
//!
//! Repositories reach the database through `Db::with_conn` (one operation on a pooled
//! connection) and `Db::transaction` (the same, inside `BEGIN … COMMIT`): both check the
//! connection out, bound the whole operation by the deadline and classify its errors, so
//! no repository repeats that.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use deadpool::managed::{Object, Pool, Timeouts};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use ents_domain::DomainError;
use futures_util::FutureExt;

use crate::connect::{SessionOptions, establish_for_pool};
use crate::error::{PersistenceError, StoreError, pool_error};

/// A connection checked out of the pool; it returns to the pool when dropped.
pub type PooledConnection = Object<AsyncDieselConnectionManager<AsyncPgConnection>>;

/// How to reach PostgreSQL and how long to wait for it.
#[derive(Clone)]
pub struct PoolSettings {
    /// `postgres://user:password@host:port/database` (no TLS).
    pub url: String,
    /// Most connections open at once.
    pub max_size: usize,
    /// Longest wait for a free connection when all are busy.
    pub wait_timeout: Duration,
    /// Longest time to open a new connection (TCP, startup, session setup).
    pub create_timeout: Duration,
    /// Longest time to check that an idle connection still works before reusing it.
    pub recycle_timeout: Duration,
    /// Longest TCP + startup time of one connection attempt (at most `create_timeout` in
    /// effect, as the pool gives up first).
    pub connect_timeout: Duration,
    /// Server-side bound on any one statement (`SET statement_timeout`).
    pub statement_timeout: Duration,
    /// Client-side bound on one whole repository operation, checkout included (see
    /// [`Db::bounded`]); also the session's `idle_in_transaction_session_timeout` and the
    /// socket's `TCP_USER_TIMEOUT`.
    pub operation_timeout: Duration,
    /// Every session times its PL/pgSQL functions (`SET track_functions = 'pl'`), so the
    /// rollup triggers' time can be read ([`crate::rollup_stats`]).
    pub track_functions: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            url: "postgres://postgres@127.0.0.1:5432/ents".to_owned(),
            max_size: 16,
            wait_timeout: Duration::from_secs(5),
            create_timeout: Duration::from_secs(5),
            recycle_timeout: Duration::from_secs(2),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
            operation_timeout: Duration::from_secs(5),
            track_functions: false,
        }
    }
}

/// Hides the password: settings get logged at start-up.
impl fmt::Debug for PoolSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolSettings")
            .field("url", &redact_password(&self.url))
            .field("max_size", &self.max_size)
            .field("wait_timeout", &self.wait_timeout)
            .field("create_timeout", &self.create_timeout)
            .field("recycle_timeout", &self.recycle_timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("operation_timeout", &self.operation_timeout)
            .field("track_functions", &self.track_functions)
            .finish()
    }
}

/// The shared pool. Cheap to clone (an `Arc` inside); build one per process.
#[derive(Clone)]
pub struct Db {
    pool: Pool<AsyncDieselConnectionManager<AsyncPgConnection>>,
    /// Client-side bound on one whole repository operation, see [`Db::bounded`].
    operation_timeout: Duration,
}

impl fmt::Debug for Db {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Db")
            .field("status", &self.pool.status())
            .finish_non_exhaustive()
    }
}

impl Db {
    /// Builds the pool. Connects lazily: this succeeds with the database down, and the
    /// first request then fails with `Unavailable` (readiness reports it).
    pub fn new(settings: &PoolSettings) -> Result<Self, PersistenceError> {
        let options = SessionOptions {
            connect_timeout: settings.connect_timeout,
            statement_timeout: Some(settings.statement_timeout),
            idle_in_transaction_timeout: Some(settings.operation_timeout),
            tcp_user_timeout: Some(settings.operation_timeout),
            track_functions: settings.track_functions,
        };
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        config.custom_setup =
            Box::new(move |url: &str| establish_for_pool(url.to_owned(), options).boxed());
        let manager = AsyncDieselConnectionManager::new_with_config(&settings.url, config);
        let pool = Pool::builder(manager)
            .max_size(settings.max_size.max(1))
            .runtime(deadpool::Runtime::Tokio1)
            .timeouts(Timeouts {
                wait: Some(settings.wait_timeout),
                create: Some(settings.create_timeout),
                recycle: Some(settings.recycle_timeout),
            })
            .build()?;
        Ok(Self {
            pool,
            operation_timeout: settings.operation_timeout,
        })
    }

    /// A connection from the pool. Errors: `Unavailable` when none can be had within the
    /// pool's timeouts (database down, unreachable, or every connection busy).
    pub async fn get(&self) -> Result<PooledConnection, DomainError> {
        let started = std::time::Instant::now();
        let conn = self.pool.get().await;
        metrics::histogram!(crate::metrics::POOL_CHECKOUT_SECONDS)
            .record(started.elapsed().as_secs_f64());
        conn.map_err(|e| {
            let error = pool_error(e);
            tracing::warn!(%error, "no database connection");
            error
        })
    }

    /// Runs `work` on a pooled connection, under the operation deadline (see
    /// [`Db::bounded`]). Inside, `?` takes both diesel's and the domain's errors.
    /// Errors: those of `work` (statements classified by `query_error`), `Unavailable`
    /// without a connection or at the deadline.
    pub(crate) async fn with_conn<R: Send>(&self, work: impl Work<R>) -> Result<R, DomainError> {
        self.bounded(async {
            let mut conn = self.get().await?;
            Ok(work(&mut conn).await?)
        })
        .await
    }

    /// [`Db::with_conn`] inside one transaction: committed when `work` succeeds, rolled back
    /// when it fails (a domain answer such as "Tag not found" included), so nothing is
    /// half-written.
    pub(crate) async fn transaction<R: Send>(&self, work: impl Work<R>) -> Result<R, DomainError> {
        self.bounded(async {
            let mut conn = self.get().await?;
            Ok(AsyncPgConnection::transaction(&mut conn, work).await?)
        })
        .await
    }

    /// Runs one repository operation under a client-side deadline. The pool timeouts bound
    /// getting a connection and `statement_timeout` bounds the server, but a connection
    /// whose peer vanished without closing (a network partition, a frozen VM) would otherwise
    /// wait for TCP to give up: this deadline is what a request can count on. A transaction
    /// cut here is never committed by us (its connection is discarded as broken), and the
    /// server rolls it back at `idle_in_transaction_session_timeout` at the latest.
    /// Errors: those of `operation`, or `Unavailable` at the deadline.
    pub(crate) async fn bounded<T>(
        &self,
        operation: impl Future<Output = Result<T, DomainError>>,
    ) -> Result<T, DomainError> {
        tokio::time::timeout(self.operation_timeout, operation)
            .await
            .unwrap_or_else(|_| {
                tracing::warn!(timeout = ?self.operation_timeout, "database operation timed out");
                Err(DomainError::Unavailable(
                    "database operation timed out".to_owned(),
                ))
            })
    }

    /// Pool occupancy, for metrics and diagnostics.
    pub fn status(&self) -> deadpool::Status {
        self.pool.status()
    }

    /// Closes the pool: waiting and future `get`s fail, open connections are dropped when
    /// returned. For graceful shutdown.
    pub fn close(&self) {
        self.pool.close();
    }
}

/// What [`Db::with_conn`] and [`Db::transaction`] run: an `async |conn| { … }` closure
/// whose future is `Send`.
pub(crate) trait Work<R>:
    for<'c> AsyncFnOnce(&'c mut AsyncPgConnection) -> Result<R, StoreError>
    + for<'c> ConnFn<&'c mut AsyncPgConnection, Result<R, StoreError>, Fut: Send>
    + Send
{
}

impl<R, F> Work<R> for F where
    F: for<'c> AsyncFnOnce(&'c mut AsyncPgConnection) -> Result<R, StoreError>
        + for<'c> ConnFn<&'c mut AsyncPgConnection, Result<R, StoreError>, Fut: Send>
        + Send
{
}

/// An `async` closure over a connection, with its future named so that a bound can require
/// it to be `Send` (async-trait methods need that, and stable Rust cannot say it of an
/// `AsyncFnOnce` directly). diesel-async's `transaction` takes its closures the same way;
/// every `async |conn| { … }` closure has it.
pub(crate) trait ConnFn<T, R>:
    AsyncFnOnce(T) -> R + FnOnce(T) -> <Self as ConnFn<T, R>>::Fut
{
    type Fut: Future<Output = R>;
}

impl<F, T, Fut, R> ConnFn<T, R> for F
where
    F: AsyncFnOnce(T) -> R + FnOnce(T) -> Fut,
    Fut: Future<Output = R>,
{
    type Fut = Fut;
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub(crate) fn redact_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    match authority[..at].find(':') {
        Some(colon) => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_the_password() {
        let settings = PoolSettings {
            url: "postgres://ents:s3cret@db:5432/ents?sslmode=disable".to_owned(),
            ..PoolSettings::default()
        };
        let text = format!("{settings:?}");
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("postgres://ents:***@db:5432/ents"), "{text}");
    }

    #[test]
    fn urls_without_password_are_unchanged() {
        for url in [
            "postgres://postgres@127.0.0.1/x",
            "postgres://h/x",
            "host=x",
        ] {
            assert_eq!(redact_password(url), url);
        }
    }
}
