//! A TCP proxy a test can cut and restore, to simulate a database or broker outage
//! (the crates.io approach) without touching the real shared service.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast;

/// Forwards connections from `addr()` to a target while enabled. `cut()` drops every open
/// connection and refuses new ones (they are accepted then closed at once) until `restore()`.
pub struct ChaosProxy {
    addr: SocketAddr,
    enabled: Arc<AtomicBool>,
    kill: broadcast::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl ChaosProxy {
    /// Starts a proxy on 127.0.0.1 (port 0) in front of `target` (`host:port`).
    pub async fn start(target: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let enabled = Arc::new(AtomicBool::new(true));
        let (kill, _) = broadcast::channel(4);
        let target = target.to_owned();
        let task = tokio::spawn(accept_loop(listener, target, enabled.clone(), kill.clone()));
        Ok(Self {
            addr,
            enabled,
            kill,
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Drops all connections and refuses new ones.
    pub fn cut(&self) {
        self.enabled.store(false, Ordering::SeqCst);
        let _ = self.kill.send(());
    }

    /// Lets connections through again.
    pub fn restore(&self) {
        self.enabled.store(true, Ordering::SeqCst);
    }

    /// Drops the open connections but keeps accepting new ones (a network blip).
    pub fn reset_connections(&self) {
        let _ = self.kill.send(());
    }
}

impl Drop for ChaosProxy {
    fn drop(&mut self) {
        self.task.abort();
        let _ = self.kill.send(());
    }
}

async fn accept_loop(
    listener: TcpListener,
    target: String,
    enabled: Arc<AtomicBool>,
    kill: broadcast::Sender<()>,
) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else {
            continue;
        };
        if !enabled.load(Ordering::SeqCst) {
            drop(inbound);
            continue;
        }
        let target = target.clone();
        let mut killed = kill.subscribe();
        tokio::spawn(async move {
            let Ok(mut outbound) = TcpStream::connect(&target).await else {
                return;
            };
            tokio::select! {
                _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                _ = killed.recv() => {}
            }
        });
    }
}
