//! A RabbitMQ node of the fleet test's own — its own AMQP and distribution ports, its own data
//! directory — so that restarting it does not disturb the other tests, which share the
//! machine's broker. Started from Debian's `rabbitmq-server` scripts; stopped (and its files
//! removed) on drop.

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use super::processes::free_port;

const SCRIPTS: &str = "/usr/lib/rabbitmq/bin";

pub struct PrivateBroker {
    node: String,
    dir: PathBuf,
    pub port: u16,
}

impl PrivateBroker {
    /// Starts the node and waits (bounded) until it accepts AMQP connections.
    pub async fn start() -> Self {
        let port = free_port();
        let dist_port = free_port();
        let node = format!("ents-fleet-{port}@localhost");
        let dir = std::env::temp_dir().join(format!("ents-fleet-broker-{port}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("env.conf"),
            format!("NODENAME={node}\nERL_EPMD_ADDRESS=127.0.0.1\n"),
        )
        .unwrap();
        std::fs::write(
            dir.join("rabbitmq.conf"),
            format!("listeners.tcp.local = 127.0.0.1:{port}\n"),
        )
        .unwrap();
        // No plugins: the machine's node already holds the management port.
        std::fs::write(dir.join("enabled_plugins"), "[].\n").unwrap();
        let broker = Self { node, dir, port };
        let status = broker
            .command("rabbitmq-server")
            .arg("-detached")
            .env("RABBITMQ_DIST_PORT", dist_port.to_string())
            .status()
            .unwrap();
        assert!(status.success(), "rabbitmq-server -detached: {status}");
        broker.wait_accepting().await;
        broker
    }

    pub fn url(&self) -> String {
        format!("amqp://guest:guest@127.0.0.1:{}/%2f", self.port)
    }

    /// Stops and starts the broker application (queues and persistent messages come back
    /// from disk; every connection is dropped), then waits until it accepts again.
    pub async fn restart(&self) {
        self.ctl("stop_app").await;
        self.ctl("start_app").await;
        self.wait_accepting().await;
    }

    /// Messages ready in `queue` (0 when it does not exist).
    pub async fn messages(&self, queue: &str) -> u64 {
        let output = tokio::process::Command::from(self.command("rabbitmqctl"))
            .args(["-n", &self.node, "-q", "list_queues", "name", "messages"])
            .output()
            .await
            .unwrap();
        assert!(output.status.success(), "rabbitmqctl list_queues");
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .find(|(name, _)| *name == queue)
            .map_or(0, |(_, n)| n.trim().parse().unwrap_or(0))
    }

    async fn ctl(&self, verb: &str) {
        let output = tokio::process::Command::from(self.command("rabbitmqctl"))
            .args(["-n", &self.node, verb])
            .output()
            .await
            .unwrap();
        assert!(
            output.status.success(),
            "rabbitmqctl {verb}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn command(&self, script: &str) -> Command {
        let mut command = Command::new(format!("{SCRIPTS}/{script}"));
        let dir = &self.dir;
        command
            .current_dir(dir)
            // The Erlang cookie the node and its CLI share lives in HOME.
            .env("HOME", dir)
            .env("RABBITMQ_CONF_ENV_FILE", dir.join("env.conf"))
            .env("RABBITMQ_CONFIG_FILE", dir.join("rabbitmq"))
            .env("RABBITMQ_ENABLED_PLUGINS_FILE", dir.join("enabled_plugins"))
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_MNESIA_BASE", dir.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", dir.join("log"))
            .env("RABBITMQ_PID_FILE", dir.join("pid"));
        command
    }

    async fn wait_accepting(&self) {
        let address = format!("127.0.0.1:{}", self.port);
        let accepting = ents_e2e::eventually(|| async {
            tokio::net::TcpStream::connect(&address)
                .await
                .ok()
                .map(|_| ())
        })
        .await;
        assert!(accepting.is_some(), "the private broker never accepted");
        // The listener opens a moment before the vhost is ready for sessions.
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = self
            .command("rabbitmqctl")
            .args(["-n", &self.node, "stop"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
