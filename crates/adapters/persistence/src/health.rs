//! Readiness of the database for `/readyz`.

use std::time::Duration;

use async_trait::async_trait;
use diesel::sql_types::Integer;
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::health::ReadinessProbe;

use crate::pool::Db;

/// `SELECT 1` through the shared pool, so it also reports a pool that cannot hand out
/// connections (exhausted or unable to connect), which is what requests would experience.
#[derive(Debug, Clone)]
pub struct PgReadiness {
    db: Db,
    timeout: Duration,
}

impl PgReadiness {
    /// A probe with a 2 s budget: readiness endpoints are polled by orchestrators with short
    /// timeouts of their own.
    pub fn new(db: Db) -> Self {
        Self::with_timeout(db, Duration::from_secs(2))
    }

    pub fn with_timeout(db: Db, timeout: Duration) -> Self {
        Self { db, timeout }
    }

    async fn select_one(&self) -> Result<(), DomainError> {
        self.db
            .with_conn(async |conn| {
                diesel::select(diesel::dsl::sql::<Integer>("1"))
                    .get_result::<i32>(conn)
                    .await?;
                Ok(())
            })
            .await
    }
}

#[async_trait]
impl ReadinessProbe for PgReadiness {
    fn name(&self) -> &'static str {
        "database"
    }

    /// The reason never contains the URL or credentials: it is the pool's or the server's
    /// description of the failure (e.g. "Connection refused"), or just the failure's kind.
    async fn check(&self) -> Result<(), String> {
        match tokio::time::timeout(self.timeout, self.select_one()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(DomainError::Unavailable(reason))) => {
                Err(format!("database unavailable: {reason}"))
            }
            Ok(Err(error)) => {
                tracing::warn!(%error, "database readiness query failed");
                Err("database query failed".to_owned())
            }
            Err(_) => Err(format!(
                "no answer from the database within {:?}",
                self.timeout
            )),
        }
    }
}
