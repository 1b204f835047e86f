//! Drives the real Socket.IO clients (`crates/live/tests/{js,py}`) as child processes: JSON
//! commands on their stdin, JSON observations from their stdout.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::Stdio;

use ents_e2e::PATIENCE;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::sync::{OnceCell, mpsc};

/// Which client library.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// npm `socket.io-client` 4.8.1, the dashboard's.
    Node,
    /// `python-socketio`, the conformance suite's.
    Python,
}

/// Which transports the client may use.
#[derive(Debug, Clone, Copy)]
pub enum Mode {
    /// `transports: ['websocket'], upgrade: false`: the dashboard's options.
    Websocket,
    /// Long-polling only.
    Polling,
    /// The library default: polling first, then the upgrade to WebSocket.
    Default,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Self::Websocket => "websocket",
            Self::Polling => "polling",
            Self::Default => "default",
        }
    }
}

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/adapters/live/tests")
}

fn venv() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/live-test-clients-venv")
}

/// Installs both clients once per test process; panics (fails the test) when it cannot.
async fn ensure_installed() {
    static INSTALLED: OnceCell<()> = OnceCell::const_new();
    INSTALLED
        .get_or_init(|| async {
            let status = Command::new("bash")
                .arg(clients_dir().join("setup-clients.sh"))
                .arg(venv())
                .status()
                .await
                .expect("bash runs setup-clients.sh");
            assert!(
                status.success(),
                "installing the Socket.IO test clients failed (node, npm and python3 are \
                 required; see the output above)"
            );
        })
        .await;
}

/// One connected client.
pub struct Client {
    kind: Kind,
    _child: Child,
    stdin: ChildStdin,
    lines: mpsc::UnboundedReceiver<Value>,
    /// Observations read while looking for another one, in arrival order.
    pending: VecDeque<Value>,
    next_id: u64,
}

impl Client {
    /// Starts a client and waits until it is connected to `base_url`.
    pub async fn connect(kind: Kind, mode: Mode, base_url: &str) -> Self {
        ensure_installed().await;
        let mut command = match kind {
            Kind::Node => {
                let mut c = Command::new("node");
                c.arg(clients_dir().join("js/client.mjs"));
                c
            }
            Kind::Python => {
                let mut c = Command::new(venv().join("bin/python"));
                c.arg(clients_dir().join("py/client.py"));
                c
            }
        };
        let mut child = command
            .arg(base_url)
            .arg(mode.arg())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the {kind:?} client: {e}"));
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, lines) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                let value = serde_json::from_str(&line)
                    .unwrap_or_else(|_| json!({"event": "unparsable", "line": line}));
                if tx.send(value).is_err() {
                    return;
                }
            }
        });
        let mut client = Self {
            kind,
            _child: child,
            stdin,
            lines,
            pending: VecDeque::new(),
            next_id: 0,
        };
        let first = client
            .expect("connection", |v| {
                matches!(v["event"].as_str(), Some("connected" | "connect_error"))
            })
            .await;
        assert_eq!(first["event"], "connected", "{kind:?} client: {first}");
        client
    }

    /// The next observation matching `wanted` (others are kept for later). Panics after
    /// [`PATIENCE`] or when the client exits first.
    pub async fn expect(&mut self, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&wanted) {
            return self.pending.remove(i).expect("position is in range");
        }
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            match tokio::time::timeout_at(deadline, self.lines.recv()).await {
                Ok(Some(v)) if wanted(&v) => return v,
                Ok(Some(v)) => self.pending.push_back(v),
                Ok(None) => panic!(
                    "{:?} client exited while waiting for {what}; seen: {:?}",
                    self.kind, self.pending
                ),
                Err(_) => panic!(
                    "{:?} client: no {what} within {PATIENCE:?}; seen: {:?}",
                    self.kind, self.pending
                ),
            }
        }
    }

    async fn command(&mut self, mut command: Value) -> u64 {
        self.next_id += 1;
        command["id"] = json!(self.next_id);
        let line = format!("{command}\n");
        self.stdin
            .write_all(line.as_bytes())
            .await
            .expect("the client reads its stdin");
        self.next_id
    }

    /// Emits `name` with `payload`; with `ack`, waits for the server's acknowledgement and
    /// returns its arguments, or `None` when none came within the client's 10 s.
    pub async fn emit(&mut self, name: &str, payload: Value, ack: bool) -> Option<Value> {
        let id = self
            .command(json!({"cmd": "emit", "name": name, "payload": payload, "ack": ack}))
            .await;
        let reply = self
            .expect("the emit's outcome", |v| v["id"] == json!(id))
            .await;
        (reply["event"] == "ack").then(|| reply["args"].clone())
    }

    /// `subscribe_cells`, acknowledged; the rooms are joined when this returns.
    pub async fn subscribe(&mut self, cell_ids: Value) {
        let args = self
            .emit("subscribe_cells", json!({ "cellIds": cell_ids }), true)
            .await;
        // python-socketio acknowledges a handler that returned nothing with no arguments.
        assert_eq!(
            args,
            Some(json!([])),
            "{:?}: subscribe_cells ack",
            self.kind
        );
    }

    pub async fn unsubscribe(&mut self, cell_ids: Value) {
        let args = self
            .emit("unsubscribe_cells", json!({ "cellIds": cell_ids }), true)
            .await;
        assert_eq!(
            args,
            Some(json!([])),
            "{:?}: unsubscribe_cells ack",
            self.kind
        );
    }

    /// `{connected, transport}` as the client library reports them.
    pub async fn status(&mut self) -> Value {
        let id = self.command(json!({"cmd": "status"})).await;
        self.expect("status", |v| v["id"] == json!(id)).await
    }

    /// The JSON text of the next `measurement_received`, as the client received it.
    pub async fn next_measurement(&mut self) -> String {
        let event = self
            .expect("measurement_received", |v| {
                v["event"] == "measurement_received"
            })
            .await;
        event["json"].as_str().expect("json text").to_owned()
    }

    /// The JSON text of the next `alert` event, as the client received it.
    pub async fn next_alert(&mut self) -> String {
        let event = self.expect("alert", |v| v["event"] == "alert").await;
        event["json"].as_str().expect("json text").to_owned()
    }

    /// Waits until the client runs on WebSocket (after the polling → WebSocket upgrade).
    pub async fn wait_for_websocket(&mut self) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let status = self.status().await;
            if status["transport"] == "websocket" {
                return;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "{:?} client never upgraded to WebSocket: {status}",
                self.kind
            );
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}
