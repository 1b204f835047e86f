//! Running a piece of housekeeping on a timer until shutdown.

use std::future::Future;
use std::time::Duration;

use tokio::time::MissedTickBehavior;

/// Runs `tick` every `interval` (first at once; a late tick is delayed, never doubled) until
/// `shutdown` resolves. A tick in progress when shutdown comes is dropped at its next await.
pub(crate) async fn every<S, T, F>(interval: Duration, shutdown: S, mut tick: T)
where
    S: Future<Output = ()> + Send,
    T: FnMut() -> F + Send,
    F: Future<Output = ()> + Send,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            () = &mut shutdown => return,
            _ = ticks.tick() => tick().await,
        }
    }
}
