use std::future::Future;
use std::time::Duration;

use ents_domain::jobs::JobService;

/// Jobs republished per sweep. Republishing does not change a record, so a sweep returns
/// the same oldest jobs until they run; a bounded batch keeps one sweep short.
pub const SWEEP_BATCH: i64 = 100;

/// Every `interval`, republishes the jobs whose message may have been lost (a publish the
/// broker refused, an in-process queue that died with its process, a consumer that died
/// mid-job): `queued` and due for longer than `grace`, or `running` with a lease expired
/// for longer than `grace`. Duplicates are harmless (the claim lets one run), so several
/// sweepers may run at once. `grace` should exceed the normal queueing delay, or a long
/// backlog gets republished needlessly. Each sweep also samples the queue's depth by state
/// for the metrics (`ents_job_queue_depth`). Returns when `shutdown` resolves.
pub async fn run_sweeper<F>(service: JobService, interval: Duration, grace: Duration, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    crate::periodic::every(interval, shutdown, || sweep(&service, grace)).await;
}

#[tracing::instrument(name = "sweep", skip(service))]
async fn sweep(service: &JobService, grace: Duration) {
    match service.republish_stale(grace, SWEEP_BATCH).await {
        Ok(0) => {}
        Ok(republished) => tracing::info!(republished, "republished stale jobs"),
        Err(error) => tracing::warn!(%error, "could not look for stale jobs"),
    }
    match service.counts().await {
        Ok(counts) => crate::metrics::record_queue_depth(&counts),
        Err(error) => tracing::debug!(%error, "could not count the jobs by state"),
    }
}
