//! Wiring of the live push (docs/live-push.md): the Socket.IO server on its internal listener,
//! the `LISTEN` relay that feeds it, and the `LiveFeed` the ingestion publishes to.

use std::sync::Arc;

use anyhow::Context;
use ents_config::Settings;
use ents_domain::live::LiveFeed;
use ents_http::SocketIoUpstream;
use ents_live::{LiveServer, LiveSettings};
use ents_persistence::{Db, ListenerSettings, PgLiveFeed, PgLiveListener};
use secrecy::ExposeSecret;

/// The running live push of one instance.
pub(super) struct LiveRuntime {
    server: LiveServer,
    listener: PgLiveListener,
    feed: Arc<dyn LiveFeed>,
}

impl LiveRuntime {
    /// Starts the Socket.IO server and the relay listener. Returns once the listener is in
    /// place (or has tried for a few seconds: a database down at start is retried in the
    /// background, like the pool).
    pub async fn start(settings: &Settings, db: &Db) -> anyhow::Result<Self> {
        let server = LiveServer::start(&LiveSettings::default())
            .await
            .context("starting the Socket.IO server")?;
        let listener = PgLiveListener::start(
            settings.database_url().expose_secret(),
            Arc::new(server.subscribers()),
            ListenerSettings::default(),
        )
        .await
        .context("starting the live push listener")?;
        Ok(Self {
            server,
            listener,
            feed: Arc::new(PgLiveFeed::new(db.clone())),
        })
    }

    /// What uploads publish their committed measurements to.
    pub fn feed(&self) -> Arc<dyn LiveFeed> {
        self.feed.clone()
    }

    /// Where the HTTP app forwards `/socket.io/`.
    pub fn upstream(&self) -> SocketIoUpstream {
        SocketIoUpstream {
            addr: self.server.internal_addr(),
        }
    }

    /// Closes every Socket.IO session as soon as SIGINT or SIGTERM arrives, when actix
    /// starts its graceful shutdown: open WebSockets and pending long-polls would otherwise
    /// hold that shutdown for its whole timeout. For the binary only (a test process keeps
    /// its default signal handling).
    pub fn close_on_shutdown_signal(&self) {
        let closer = self.server.closer();
        tokio::spawn(async move {
            crate::shutdown_signal().await;
            tracing::info!("closing live push sessions for shutdown");
            closer.close().await;
        });
    }

    /// Stops relaying and closes every Socket.IO session.
    pub async fn shutdown(&self) {
        self.listener.stop();
        self.server.shutdown().await;
    }
}
