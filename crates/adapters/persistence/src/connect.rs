//! Opening one PostgreSQL connection the way every part of the adapter needs it: plain TCP (no TLS:
//! diesel-async's tokio-postgres connects with `NoTls`, and no libpq), bounded in time, and with
//! the session settings the schema relies on (UTC, a statement timeout).

use std::str::FromStr;
use std::time::Duration;

use diesel::ConnectionError;
use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

use crate::error::PersistenceError;

/// What a new session must look like.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionOptions {
    /// Bounds the whole establishment: TCP connect, startup, authentication and setup.
    pub connect_timeout: Duration,
    /// Server-side bound on any one statement; `None` disables it explicitly, whatever the
    /// server or role default (migrations may legitimately run long).
    pub statement_timeout: Option<Duration>,
    /// Server-side bound on a transaction left idle (`idle_in_transaction_session_timeout`):
    /// a client that vanished mid-transaction behind a partition would otherwise hold its
    /// locks, and a retried upload would wait on them. `None` disables it explicitly.
    pub idle_in_transaction_timeout: Option<Duration>,
    /// `TCP_USER_TIMEOUT`: how long sent data may stay unacknowledged before the kernel
    /// drops the connection (a cut network). `None` keeps the system default.
    pub tcp_user_timeout: Option<Duration>,
    /// `SET track_functions = 'pl'`: PostgreSQL then times the PL/pgSQL functions this
    /// session runs — the rollup triggers ([`crate::rollup_stats`]).
    pub track_functions: bool,
}

/// TCP keepalive on every connection, so an idle pooled connection to a vanished peer is
/// found dead in about `IDLE + INTERVAL × RETRIES` (16 s) rather than the kernel's two hours.
const KEEPALIVE_IDLE: Duration = Duration::from_secs(10);
const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(2);
const KEEPALIVE_RETRIES: u32 = 3;

/// Connects to `url` and prepares the session.
///
/// Sets `TimeZone` to UTC on every connection: the upstream tables store UTC in
/// `timestamp without time zone`, so `now()` defaults and comparisons with `timestamptz`
/// values must happen in UTC whatever the server's configuration (docs/compatibility.md#schema).
pub(crate) async fn establish(
    url: &str,
    options: SessionOptions,
) -> Result<AsyncPgConnection, PersistenceError> {
    let mut config = tokio_postgres::Config::from_str(url)
        .map_err(|e| PersistenceError::InvalidUrl(e.to_string()))?;
    config.connect_timeout(options.connect_timeout);
    config
        .keepalives(true)
        .keepalives_idle(KEEPALIVE_IDLE)
        .keepalives_interval(KEEPALIVE_INTERVAL)
        .keepalives_retries(KEEPALIVE_RETRIES);
    if let Some(timeout) = options.tcp_user_timeout {
        config.tcp_user_timeout(timeout);
    }
    if config.get_application_name().is_none() {
        config.application_name("ents-backend");
    }
    let setup = async {
        let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
        let mut conn = AsyncPgConnection::try_from_client_and_connection(client, connection)
            .await
            .map_err(|e| PersistenceError::Connect(e.to_string()))?;
        conn.batch_execute(&session_sql(
            options.statement_timeout,
            options.idle_in_transaction_timeout,
        ))
        .await?;
        if options.track_functions {
            track_functions(&mut conn).await;
        }
        Ok::<_, PersistenceError>(conn)
    };
    // tokio-postgres' own connect_timeout covers only the TCP connect; a server (or proxy)
    // that accepts and then stays silent must not hang the caller either.
    match tokio::time::timeout(options.connect_timeout, setup).await {
        Ok(Ok(conn)) => Ok(conn),
        Ok(Err(PersistenceError::Postgres(e))) => Err(PersistenceError::Connect(e.to_string())),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(PersistenceError::Connect(format!(
            "no answer within {:?}",
            options.connect_timeout
        ))),
    }
}

/// The same, shaped for `ManagerConfig::custom_setup`.
pub(crate) async fn establish_for_pool(
    url: String,
    options: SessionOptions,
) -> Result<AsyncPgConnection, ConnectionError> {
    establish(&url, options).await.map_err(|e| match e {
        PersistenceError::InvalidUrl(reason) => ConnectionError::InvalidConnectionUrl(reason),
        other => ConnectionError::BadConnection(other.to_string()),
    })
}

/// Turns on the timing of PL/pgSQL functions for this session. It takes a superuser, or
/// `GRANT SET ON PARAMETER track_functions` (PostgreSQL 15): a role without either gets a
/// warning and a working connection, only unmeasured — a statistics setting is no reason to
/// refuse every request.
async fn track_functions(conn: &mut AsyncPgConnection) {
    if let Err(error) = conn.batch_execute("SET track_functions = 'pl'").await {
        tracing::warn!(
            %error,
            "database.track_functions is on but this role may not set track_functions \
             (it needs superuser or GRANT SET ON PARAMETER track_functions): \
             rollup maintenance is not measured on this connection"
        );
    }
}

fn session_sql(
    statement_timeout: Option<Duration>,
    idle_in_transaction: Option<Duration>,
) -> String {
    // 0 means "no timeout" to PostgreSQL: never let a rounding turn a bound into none.
    let millis = |t: Option<Duration>| t.map_or(0, |t| t.as_millis().clamp(1, i32::MAX as u128));
    format!(
        "SET TIME ZONE 'UTC'; SET statement_timeout = {}; \
         SET idle_in_transaction_session_timeout = {};",
        millis(statement_timeout),
        millis(idle_in_transaction)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_sets_utc_and_a_nonzero_statement_timeout() {
        assert_eq!(
            session_sql(None, None),
            "SET TIME ZONE 'UTC'; SET statement_timeout = 0; \
             SET idle_in_transaction_session_timeout = 0;"
        );
        assert_eq!(
            session_sql(Some(Duration::from_secs(30)), Some(Duration::from_secs(5))),
            "SET TIME ZONE 'UTC'; SET statement_timeout = 30000; \
             SET idle_in_transaction_session_timeout = 5000;"
        );
        let tiny = Some(Duration::from_micros(10));
        assert!(
            session_sql(tiny, tiny).ends_with("= 1; SET idle_in_transaction_session_timeout = 1;")
        );
    }
}
