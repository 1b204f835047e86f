//! Loggers wiring: the use case behind the routes, and the TTN job handlers of the embedded
//! job runtime (the `ents-worker` binary adds the same handlers).

use std::sync::Arc;

use anyhow::Context;
use ents_config::Settings;
use ents_domain::jobs::HandlerRegistry;
use ents_domain::loggers::{LoggerRepository, LoggerService};
use ents_persistence::{Db, PgLoggerRepository};

use crate::jobs::JobRuntime;

/// The built-in handlers plus the TTN ones when TTN is configured.
pub fn handlers(settings: &Settings, db: &Db) -> anyhow::Result<HandlerRegistry> {
    ents_worker::ttn::with_ttn_handlers(
        ents_worker::builtin_handlers(),
        settings,
        Arc::new(PgLoggerRepository::new(db.clone())),
    )
    .context("the [ttn] settings")
}

/// The logger use case. Registration jobs are submitted, and devices read for `ttn_status`,
/// only when TTN is configured. Errors: the TTN settings are invalid.
pub fn service(
    settings: &Settings,
    db: &Db,
    jobs: &JobRuntime,
) -> anyhow::Result<Arc<LoggerService>> {
    let repo: Arc<dyn LoggerRepository> = Arc::new(PgLoggerRepository::new(db.clone()));
    let ttn_jobs = settings
        .ttn
        .registry_configured()
        .then(|| jobs.service().clone());
    let mut service = LoggerService::new(repo, ttn_jobs, crate::identity::access_policy(settings));
    if let Some(registry) =
        ents_worker::ttn::device_registry(settings).context("the [ttn] settings")?
    {
        tracing::info!(app_id = ?settings.ttn.app_id, "TTN device registration is on");
        service = service.with_device_registry(registry);
    }
    Ok(Arc::new(service))
}
