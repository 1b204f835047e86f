//! Stopping: the signals a process stops on, and one stop awaited by several tasks.

use std::future::Future;

use tokio::sync::watch;

/// Resolves on SIGINT or SIGTERM (the signals actix shuts down on). Never resolves when no
/// handler could be installed: nothing stops early then.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut interrupt), Ok(mut terminate)) = (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        ) else {
            tracing::warn!("no signal handler could be installed: SIGINT/SIGTERM are not heard");
            return std::future::pending().await;
        };
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// One stop for several tasks: each waits on its own [`Stop::stopped`] future, and all of
/// them resolve once [`Stop::stop`] is called or the `Stop` is dropped.
#[derive(Debug)]
pub(crate) struct Stop(watch::Sender<bool>);

impl Stop {
    pub(crate) fn new() -> Self {
        Self(watch::channel(false).0)
    }

    pub(crate) fn stop(&self) {
        self.0.send_replace(true);
    }

    /// Resolves once stopped.
    pub(crate) fn stopped(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut stopped = self.0.subscribe();
        async move {
            // An error means the sender is gone: stop as well.
            let _ = stopped.wait_for(|stop| *stop).await;
        }
    }
}
