//! The internal listener: socketioxide served by hyper on a loopback port of this process.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use socketioxide::SocketIo;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::error::LiveError;
use crate::namespace;
use crate::settings::LiveSettings;
use crate::subscribers::SocketIoSubscribers;

/// The running Socket.IO server. Stops accepting when dropped.
pub struct LiveServer {
    io: SocketIo,
    addr: SocketAddr,
    accept: JoinHandle<()>,
}

impl LiveServer {
    /// Binds an ephemeral loopback port and serves Socket.IO (path `/socket.io`) on it, on
    /// the current tokio runtime. Only the actix app is meant to connect: the port is not
    /// configured, not published, and answers on 127.0.0.1 only.
    ///
    /// Errors: `Bind` when no loopback port can be bound.
    pub async fn start(settings: &LiveSettings) -> Result<Self, LiveError> {
        let (service, io) = SocketIo::builder()
            .ping_interval(settings.ping_interval)
            .ping_timeout(settings.ping_timeout)
            .max_payload(settings.max_payload)
            .build_svc();
        namespace::register(&io);
        // Present from the start, so dashboards show 0 rather than "no data".
        metrics::gauge!(crate::metrics::CLIENTS).set(0.0);
        metrics::gauge!(crate::metrics::ROOMS).set(0.0);
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(LiveError::Bind)?;
        let addr = listener.local_addr().map_err(LiveError::Bind)?;
        // An async block rather than a fn: socketioxide does not export the service's
        // inner type parameter, so the type is left to inference.
        let accept = tokio::spawn(async move {
            loop {
                let stream = match listener.accept().await {
                    Ok((stream, _)) => stream,
                    Err(error) => {
                        // Typically out of file descriptors: pause instead of spinning.
                        tracing::warn!(%error, "internal Socket.IO listener cannot accept");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let connection = http1::Builder::new()
                    .timer(TokioTimer::new())
                    .serve_connection(TokioIo::new(stream), service.clone())
                    .with_upgrades();
                tokio::spawn(async move {
                    if let Err(error) = connection.await {
                        tracing::debug!(%error, "internal Socket.IO connection ended with an error");
                    }
                });
            }
        });
        tracing::debug!(%addr, "internal Socket.IO listener");
        Ok(Self { io, addr, accept })
    }

    /// Where the actix app forwards `/socket.io/`.
    pub fn internal_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Delivery into this server's rooms, for the relay listener.
    pub fn subscribers(&self) -> SocketIoSubscribers {
        SocketIoSubscribers::new(self.io.clone())
    }

    /// A handle that closes every client's session, for a shutdown signal handler.
    pub fn closer(&self) -> LiveCloser {
        LiveCloser {
            io: self.io.clone(),
        }
    }

    /// Stops accepting and closes every client's session.
    pub async fn shutdown(&self) {
        self.accept.abort();
        self.io.close().await;
    }
}

/// Closes every Socket.IO session of a [`LiveServer`].
#[derive(Clone)]
pub struct LiveCloser {
    io: SocketIo,
}

impl LiveCloser {
    /// Disconnects every client (they reconnect, to this or another instance).
    pub async fn close(&self) {
        self.io.close().await;
    }
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        self.accept.abort();
    }
}
