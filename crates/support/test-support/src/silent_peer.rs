//! Peers that never answer, for the timeouts and refusals of clients (the mailer, the
//! webhook sender).

use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// A TCP server on 127.0.0.1 that accepts every connection and holds it without a word (a
/// hung peer). Stops, closing what it holds, when dropped.
pub struct SilentPeer {
    port: u16,
    holder: JoinHandle<()>,
}

impl SilentPeer {
    /// # Panics
    /// When no local port can be bound.
    #[allow(clippy::expect_used)]
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a local port");
        let port = listener.local_addr().expect("a bound address").port();
        let holder = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                held.push(socket);
            }
        });
        Self { port, holder }
    }

    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for SilentPeer {
    fn drop(&mut self) {
        self.holder.abort();
    }
}

/// A port on 127.0.0.1 that nothing listens on (bound, then released): connections to it
/// are refused.
///
/// # Panics
/// When no local port can be bound.
#[allow(clippy::expect_used)]
pub async fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    listener.local_addr().expect("a bound address").port()
}
