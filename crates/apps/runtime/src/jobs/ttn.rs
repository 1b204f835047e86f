//! The TTN job handlers (`ttn.register`, `ttn.rename`, `ttn.deregister`), run by either
//! process: the server's in-process runtime and the `ents-worker` consumer.

use std::sync::Arc;

use async_trait::async_trait;
use ents_config::Settings;
use ents_domain::jobs::{HandlerRegistry, Job, JobFailure, JobHandler, ProgressSink};
use ents_domain::loggers::{
    DeviceRegistry, LoggerRepository, RegistrationJobs, TTN_DEREGISTER, TTN_REGISTER, TTN_RENAME,
};
use ents_ttn::{BuildError, TtnClient};

use crate::settings::ttn_settings;

/// The TTN client, when TTN is configured. Errors: the TTN settings are invalid (a URL or
/// the app id).
pub fn device_registry(settings: &Settings) -> Result<Option<Arc<dyn DeviceRegistry>>, BuildError> {
    let Some(ttn) = ttn_settings(settings) else {
        return Ok(None);
    };
    Ok(Some(Arc::new(TtnClient::new(ttn)?)))
}

/// `handlers` plus the TTN handlers when TTN is configured (unchanged otherwise).
/// Errors: the TTN settings are invalid (a URL or the app id).
pub fn with_ttn_handlers(
    handlers: HandlerRegistry,
    settings: &Settings,
    loggers: Arc<dyn LoggerRepository>,
) -> Result<HandlerRegistry, BuildError> {
    let Some(registry) = device_registry(settings)? else {
        return Ok(handlers);
    };
    Ok(ttn_handlers(
        handlers,
        RegistrationJobs::new(loggers, registry),
    ))
}

/// Adds the three TTN handlers over `jobs`.
pub fn ttn_handlers(handlers: HandlerRegistry, jobs: RegistrationJobs) -> HandlerRegistry {
    [TTN_REGISTER, TTN_RENAME, TTN_DEREGISTER]
        .into_iter()
        .fold(handlers, |handlers, kind| {
            handlers.with(Arc::new(TtnHandler {
                kind,
                jobs: jobs.clone(),
            }))
        })
}

/// One TTN job kind.
struct TtnHandler {
    kind: &'static str,
    jobs: RegistrationJobs,
}

#[async_trait]
impl JobHandler for TtnHandler {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure> {
        let result = match self.kind {
            TTN_REGISTER => self.jobs.register(job).await,
            TTN_RENAME => self.jobs.rename(job).await,
            _ => self.jobs.deregister(job).await,
        };
        progress.report(1.0).await;
        result
    }
}
