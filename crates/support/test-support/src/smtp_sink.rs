//! A real SMTP server for tests: `scripts/smtp-sink.sh` (aiosmtpd from PyPI, installed once
//! into a virtualenv) on a free port, reporting every message it accepts.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, Command};
use tokio::task::JoinHandle;

use crate::wait::{PATIENCE, wait_until};

/// One message the sink accepted, as Python's `email` parser reads it.
#[derive(Debug, Clone, Deserialize)]
pub struct ReceivedMail {
    /// The envelope sender (`MAIL FROM`).
    pub mail_from: String,
    /// The envelope recipients the sink accepted (`RCPT TO`).
    pub rcpt_tos: Vec<String>,
    /// The `From`, `To` and `Subject` headers, decoded.
    pub from: String,
    pub to: String,
    pub subject: String,
    /// The top-level MIME type, e.g. `multipart/alternative`.
    pub content_type: String,
    /// The first `text/plain` and `text/html` parts, decoded.
    pub text: Option<String>,
    pub html: Option<String>,
}

/// The running sink; stopped when dropped (its standard input closes, and it is killed).
/// Recipients whose local part starts with `refuse` are refused with 550, with `defer`
/// deferred with 451. It offers `AUTH` (without TLS) and accepts only the user
/// [`SmtpSink::USER`] with [`SmtpSink::PASSWORD`]; clients that do not authenticate are served
/// too.
pub struct SmtpSink {
    port: u16,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
    _child: Child,
    _stdin: ChildStdin,
    reader: JoinHandle<()>,
}

impl SmtpSink {
    pub const USER: &'static str = "alerts";
    pub const PASSWORD: &'static str = "s3cret pass";

    /// Starts the sink (installing aiosmtpd first if needed); panics if it cannot.
    pub async fn start() -> Self {
        let script =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../scripts/smtp-sink.sh");
        let mut child = Command::new("bash")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            panic!("the SMTP sink's pipes are missing");
        };
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(PATIENCE, lines.next_line())
            .await
            .unwrap_or_else(|_| panic!("the SMTP sink did not start within {PATIENCE:?}"))
            .unwrap_or_else(|e| panic!("reading the SMTP sink's output: {e}"))
            .unwrap_or_else(|| panic!("the SMTP sink exited before listening (see its stderr)"));
        let port = first
            .strip_prefix("PORT ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line from the SMTP sink: {first:?}"));
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&received);
        let reader = tokio::spawn(async move {
            while let Ok(Some(line)) = lines.next_line().await {
                match serde_json::from_str::<ReceivedMail>(&line) {
                    Ok(mail) => sink
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(mail),
                    Err(e) => {
                        tracing::warn!(%line, error = %e, "unreadable line from the SMTP sink")
                    }
                }
            }
        });
        Self {
            port,
            received,
            _child: child,
            _stdin: stdin,
            reader,
        }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The messages accepted so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.received
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Waits (bounded) until at least `count` messages were accepted; returns them all.
    pub async fn wait_for(&self, count: usize) -> Vec<ReceivedMail> {
        wait_until(&format!("{count} message(s) in the SMTP sink"), || async {
            self.received().len() >= count
        })
        .await;
        self.received()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.reader.abort();
    }
}
