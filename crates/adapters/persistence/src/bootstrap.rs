//! Creating the application database on a fresh server, so `ents serve` works on a new
//! machine with nothing but a running PostgreSQL.

use std::str::FromStr;
use std::time::Duration;

use crate::error::PersistenceError;

/// Creates the database named in `url` when it does not exist, connecting to the server's
/// `postgres` maintenance database with the same credentials. Returns whether it created it.
/// Concurrent callers are safe: "already exists" counts as success.
pub async fn ensure_database(url: &str) -> Result<bool, PersistenceError> {
    let target = tokio_postgres::Config::from_str(url)
        .map_err(|e| PersistenceError::InvalidUrl(e.to_string()))?;
    let Some(name) = target.get_dbname().map(str::to_owned) else {
        return Ok(false);
    };
    // Connecting to the target itself is the cheap common case.
    let mut probe = target.clone();
    probe.connect_timeout(Duration::from_secs(5));
    match probe.connect(tokio_postgres::NoTls).await {
        Ok(_) => return Ok(false),
        Err(e) if !is_missing_database(&e) => return Err(PersistenceError::Connect(e.to_string())),
        Err(_) => {}
    }

    let mut admin = target.clone();
    admin
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(5));
    let (client, connection) = admin
        .connect(tokio_postgres::NoTls)
        .await
        .map_err(|e| PersistenceError::Connect(e.to_string()))?;
    let driver = tokio::spawn(connection);
    let statement = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    let created = match client.batch_execute(&statement).await {
        Ok(()) => {
            tracing::info!(database = %name, "created the database");
            true
        }
        Err(e) if e.code() == Some(&tokio_postgres::error::SqlState::DUPLICATE_DATABASE) => false,
        Err(e) => return Err(PersistenceError::Connect(e.to_string())),
    };
    drop(client);
    driver.abort();
    Ok(created)
}

fn is_missing_database(error: &tokio_postgres::Error) -> bool {
    error.code() == Some(&tokio_postgres::error::SqlState::INVALID_CATALOG_NAME)
}
