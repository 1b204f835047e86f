//! Loggers wiring: the use case behind the routes (the TTN job handlers are in
//! [`crate::jobs`]).

use std::sync::Arc;

use anyhow::Context;
use ents_config::Settings;
use ents_domain::loggers::{LoggerRepository, LoggerService};
use ents_persistence::{Db, PgLoggerRepository};

use super::JobRuntime;
use crate::settings::access_policy;

/// The logger use case. Registration jobs are submitted, and devices read for `ttn_status`,
/// only when TTN is configured. Errors: the TTN settings are invalid.
pub(super) fn service(
    settings: &Settings,
    db: &Db,
    jobs: &JobRuntime,
) -> anyhow::Result<Arc<LoggerService>> {
    let repo: Arc<dyn LoggerRepository> = Arc::new(PgLoggerRepository::new(db.clone()));
    let ttn_jobs = settings
        .ttn
        .registry_configured()
        .then(|| jobs.service().clone());
    let mut service = LoggerService::new(repo, ttn_jobs, access_policy(settings));
    if let Some(registry) = crate::jobs::device_registry(settings).context("the [ttn] settings")? {
        tracing::info!(app_id = ?settings.ttn.app_id, "TTN device registration is on");
        service = service.with_device_registry(registry);
    }
    Ok(Arc::new(service))
}
