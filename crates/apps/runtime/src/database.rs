//! The database as the processes open it: created and migrated as configured, then pooled.

use anyhow::Context;
use ents_config::Settings;
use ents_persistence::{Db, MigrationReport};
use secrecy::ExposeSecret;

use crate::settings::pool_settings;

/// The pool (it connects lazily). Errors: unusable pool settings.
pub fn pool(settings: &Settings) -> anyhow::Result<Db> {
    Db::new(&pool_settings(settings)).context("building the database pool")
}

/// Creates the database when `database.create_if_missing` and migrates it when
/// `database.migrate_on_start`, then opens the pool: what `ents serve` and `ents user` do.
pub async fn prepare_and_pool(settings: &Settings) -> anyhow::Result<Db> {
    let url = settings.database_url();
    if settings.database.create_if_missing {
        ents_persistence::ensure_database(url.expose_secret())
            .await
            .context("creating the database")?;
    }
    if settings.database.migrate_on_start {
        let report = ents_persistence::migrate(url.expose_secret())
            .await
            .context("migrating the database")?;
        tracing::info!(?report, "database schema is current");
    }
    pool(settings)
}

/// Creates the database when missing and applies pending migrations (adopting an upstream
/// database if needed), whatever the settings say: `ents migrate`.
pub async fn migrate(settings: &Settings) -> anyhow::Result<MigrationReport> {
    let url = settings.database_url();
    ents_persistence::ensure_database(url.expose_secret())
        .await
        .context("creating the database")?;
    ents_persistence::migrate(url.expose_secret())
        .await
        .context("migrating the database")
}
