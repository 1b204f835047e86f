//! The fleet's members as real processes: `ents serve` and `ents-worker`, built by the cargo
//! that runs this test, configured through the environment as an operator would, their JSON
//! logs kept so the test can see who ran what.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// A port nobody listens on now (the member binds it a moment later).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

pub struct Binaries {
    pub server: PathBuf,
    pub worker: PathBuf,
}

/// Builds the two binaries (fresh after the workspace's own build: nothing to do) and returns
/// their paths, as cargo reports them.
pub async fn binaries() -> Binaries {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let build = Command::new(cargo)
        .current_dir(&workspace)
        .args([
            "build",
            "--locked",
            "--all-features",
            "-p",
            "ents-server",
            "-p",
            "ents-worker",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output();
    let output = tokio::time::timeout(Duration::from_secs(1800), build)
        .await
        .expect("cargo build within 30 minutes")
        .expect("cargo runs");
    assert!(output.status.success(), "cargo build failed");
    let executable = |name: &str| -> PathBuf {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .filter(|m| m["reason"] == "compiler-artifact" && m["target"]["name"] == name)
            .find_map(|m| m["executable"].as_str().map(PathBuf::from))
            .unwrap_or_else(|| panic!("cargo built no executable {name}"))
    };
    // A private copy: another checkout sharing the target directory may overwrite the
    // uplifted binaries while the fleet runs.
    let dir = std::env::temp_dir().join(ents_test_support::unique_name("ents-fleet-bin"));
    std::fs::create_dir_all(&dir).unwrap();
    let copy = |name: &str| -> PathBuf {
        let to = dir.join(name);
        std::fs::copy(executable(name), &to).unwrap();
        to
    };
    Binaries {
        server: copy("ents"),
        worker: copy("ents-worker"),
    }
}

/// One running member and everything it logged (JSON lines on stderr; stdout beside them).
pub struct Member {
    pub name: &'static str,
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Member {
    pub fn spawn(
        name: &'static str,
        program: &PathBuf,
        args: &[&str],
        env: &[(String, String)],
    ) -> Self {
        let mut child = Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let log = Arc::new(Mutex::new(Vec::new()));
        keep_lines(child.stdout.take().unwrap(), log.clone());
        keep_lines(child.stderr.take().unwrap(), log.clone());
        Self { name, child, log }
    }

    /// Whether one line of its log contains every one of `needles`.
    pub fn logged(&self, needles: &[&str]) -> bool {
        self.log
            .lock()
            .unwrap()
            .iter()
            .any(|line| needles.iter().all(|n| line.contains(n)))
    }

    /// The last lines of its log, for a failure message.
    pub fn tail(&self) -> String {
        let log = self.log.lock().unwrap();
        let start = log.len().saturating_sub(30);
        format!("--- {} ---\n{}", self.name, log[start..].join("\n"))
    }

    /// SIGKILL: no shutdown, no clean-up, as an OOM kill or a lost node.
    pub async fn kill(&mut self) {
        self.child.start_kill().unwrap();
        self.child.wait().await.unwrap();
    }
}

fn keep_lines(
    stream: impl tokio::io::AsyncRead + Unpin + Send + 'static,
    log: Arc<Mutex<Vec<String>>>,
) {
    let mut lines = BufReader::new(stream).lines();
    tokio::spawn(async move {
        while let Ok(Some(line)) = lines.next_line().await {
            log.lock().unwrap().push(line);
        }
    });
}
