//! A TCP proxy a test can cut and restore, to simulate a database or broker outage
//! (the crates.io approach) without touching the real shared service.

use std::net::SocketAddr;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{broadcast, watch};

/// What the proxy does with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Forward,
    /// New connections are accepted and closed at once (a stopped server: refused).
    Refuse,
    /// Connections are accepted and held, and nothing is forwarded either way (a cut
    /// network or a frozen VM: packets dropped, no RST, the peer just goes silent).
    Blackhole,
    /// What clients send is delivered, what the server answers is dropped (the server did
    /// the work, the client never hears of it: a commit or confirm lost on the way back).
    DropReplies,
}

impl Mode {
    /// Whether bytes going this way are dropped.
    fn silences(self, to_server: bool) -> bool {
        match self {
            Self::Blackhole => true,
            Self::DropReplies => !to_server,
            Self::Forward | Self::Refuse => false,
        }
    }
}

/// Forwards connections from `addr()` to a target. `cut()` drops every open connection and
/// refuses new ones until `restore()`; `blackhole()` silences every connection, open or new.
pub struct ChaosProxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    kill: broadcast::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl ChaosProxy {
    /// Starts a proxy on 127.0.0.1 (port 0) in front of `target` (`host:port`).
    pub async fn start(target: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (mode, _) = watch::channel(Mode::Forward);
        let (kill, _) = broadcast::channel(4);
        let target = target.to_owned();
        let task = tokio::spawn(accept_loop(listener, target, mode.clone(), kill.clone()));
        Ok(Self {
            addr,
            mode,
            kill,
            task,
        })
    }

    /// Starts a proxy in front of the server that `url` names (`scheme://user@host:port/…`)
    /// and returns it with `url` rewritten to go through it.
    pub async fn in_front_of(url: &str) -> std::io::Result<(Self, String)> {
        let target = authority(url).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "no host:port in the URL")
        })?;
        let proxy = Self::start(target).await?;
        let through = url.replacen(target, &proxy.addr().to_string(), 1);
        Ok((proxy, through))
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Drops all connections and refuses new ones.
    pub fn cut(&self) {
        self.mode.send_replace(Mode::Refuse);
        let _ = self.kill.send(());
    }

    /// Stops forwarding without closing anything: open connections go silent (the bytes
    /// in flight are lost), new ones are accepted and never answered. The peers see no
    /// error, only silence, until `restore()`.
    pub fn blackhole(&self) {
        self.mode.send_replace(Mode::Blackhole);
    }

    /// Delivers what clients send but drops every answer, on open and new connections,
    /// until `restore()`.
    pub fn drop_replies(&self) {
        self.mode.send_replace(Mode::DropReplies);
    }

    /// Lets connections through again. Connections silenced by `blackhole()` are closed
    /// then (as their peers' kernels would have given up on them during a long partition).
    pub fn restore(&self) {
        let _ = self.kill.send(());
        self.mode.send_replace(Mode::Forward);
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
    mode: watch::Sender<Mode>,
    kill: broadcast::Sender<()>,
) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            continue;
        };
        let current = *mode.borrow();
        match current {
            Mode::Refuse => drop(inbound),
            Mode::Blackhole => {
                let mut killed = kill.subscribe();
                tokio::spawn(async move {
                    let _held = inbound;
                    let _ = killed.recv().await;
                });
            }
            Mode::Forward | Mode::DropReplies => {
                let target = target.clone();
                let killed = kill.subscribe();
                tokio::spawn(forward(inbound, target, mode.subscribe(), killed));
            }
        }
    }
}

/// Copies both ways until both sides have closed or the connection is killed; a direction
/// the mode silences stops forwarding (its bytes are dropped) but nothing is closed.
async fn forward(
    mut inbound: TcpStream,
    target: String,
    mode: watch::Receiver<Mode>,
    mut killed: broadcast::Receiver<()>,
) {
    let Ok(mut outbound) = TcpStream::connect(&target).await else {
        return;
    };
    let (from_client, to_client) = inbound.split();
    let (from_server, to_server) = outbound.split();
    let both = async {
        tokio::join!(
            pump(from_client, to_server, mode.clone(), true),
            pump(from_server, to_client, mode, false)
        )
    };
    tokio::select! {
        _ = both => {}
        _ = killed.recv() => {}
    }
}

/// One direction: forwards until EOF (then half-closes the other side), or holds silently
/// for ever once the mode silences it.
async fn pump(
    mut from: impl AsyncRead + Unpin,
    mut to: impl AsyncWrite + Unpin,
    mut mode: watch::Receiver<Mode>,
    to_server: bool,
) {
    let mut buffer = vec![0u8; 16 * 1024];
    loop {
        let read = tokio::select! {
            read = from.read(&mut buffer) => read,
            _ = mode.wait_for(|m| m.silences(to_server)) => break,
        };
        let n = match read {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return;
            }
            Ok(n) => n,
        };
        if mode.borrow().silences(to_server) {
            break;
        }
        if to.write_all(&buffer[..n]).await.is_err() {
            return;
        }
    }
    // Silenced: keep reading (so the sender is not blocked) and drop everything.
    while matches!(from.read(&mut buffer).await, Ok(n) if n > 0) {}
    std::future::pending::<()>().await;
}

/// The `host:port` of `scheme://[user[:password]@]host:port[/…][?…]`.
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    Some(&rest[..end]).filter(|authority| !authority.is_empty())
}

#[cfg(test)]
mod tests {
    use super::authority;

    #[test]
    fn authority_is_the_host_and_port_of_the_url() {
        assert_eq!(
            authority("postgres://postgres@127.0.0.1:5432/postgres"),
            Some("127.0.0.1:5432")
        );
        assert_eq!(
            authority("amqp://guest:guest@127.0.0.1:5672/%2f"),
            Some("127.0.0.1:5672")
        );
        assert_eq!(
            authority("postgres://h:5432?sslmode=disable"),
            Some("h:5432")
        );
        assert_eq!(authority("postgres:///db"), None);
    }
}
