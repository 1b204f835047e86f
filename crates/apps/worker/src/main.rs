//! `ents-worker`: runs the jobs published to RabbitMQ (exports, TTN registration…) and the
//! queued uploads until SIGINT/SIGTERM. Reads the same configuration as `ents`; needs
//! `amqp.url`. The assembly is `ents_runtime::worker`.

use std::path::PathBuf;

use clap::Parser;
use ents_config::Settings;

#[derive(Debug, Parser)]
#[command(
    name = "ents-worker",
    version,
    about = "ENTS job worker (RabbitMQ consumer)"
)]
struct Cli {
    /// TOML configuration file (default: ./ents.toml when it exists).
    #[arg(long, env = "ENTS_CONFIG")]
    config: Option<PathBuf>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = Settings::load(cli.config.as_deref())?;
    let telemetry =
        ents_runtime::telemetry::init(&settings.log, &settings.telemetry, "ents-worker")?;
    let outcome = ents_runtime::worker::run(&settings, ents_runtime::shutdown_signal()).await;
    // The last jobs' spans go out, within `telemetry.shutdown_timeout_ms`.
    telemetry.shutdown().await;
    outcome
}
