use async_trait::async_trait;
use ents_domain::jobs::{HandlerRegistry, Job, JobFailure, JobHandler, ProgressSink};
use std::sync::Arc;

/// Kind `ping`: answers `{"pong": true, "payload": <payload>}`. Lets a smoke test or an
/// operator check the whole path (API → queue → worker → job store) without side effects.
#[derive(Debug, Default, Clone, Copy)]
pub struct PingHandler;

impl PingHandler {
    pub const KIND: &'static str = "ping";
}

#[async_trait]
impl JobHandler for PingHandler {
    fn kind(&self) -> &'static str {
        Self::KIND
    }

    async fn run(
        &self,
        job: &Job,
        progress: &dyn ProgressSink,
    ) -> Result<serde_json::Value, JobFailure> {
        progress.report(1.0).await;
        Ok(serde_json::json!({ "pong": true, "payload": job.payload }))
    }
}

/// The handlers that need nothing but the job itself; [`super::handlers`] adds the ones that
/// need adapters (exports, TTN registration…).
pub fn builtin_handlers() -> HandlerRegistry {
    HandlerRegistry::new().with(Arc::new(PingHandler))
}
