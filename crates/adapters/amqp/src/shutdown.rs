use std::future::Future;
use std::pin::Pin;

/// A caller's shutdown future that loops can `select!` on repeatedly: it keeps its progress
/// across cancelled selects and, once fired, answers at once instead of being polled again
/// after completion (which many futures forbid).
pub(crate) struct Shutdown<'a> {
    signal: Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
    fired: bool,
}

impl<'a> Shutdown<'a> {
    pub(crate) fn new(signal: impl Future<Output = ()> + Send + 'a) -> Self {
        Self {
            signal: Box::pin(signal),
            fired: false,
        }
    }

    /// Resolves when shutdown was requested (now or earlier). Cancel-safe.
    pub(crate) async fn wait(&mut self) {
        if !self.fired {
            (&mut self.signal).await;
            self.fired = true;
        }
    }
}
