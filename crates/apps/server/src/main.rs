//! `ents`: the API server (`serve`) and its administration commands. The assembly is
//! `ents_runtime`; this is the command line.

mod cli;
mod data;
mod user;

use std::io::Write;

use clap::Parser;
use ents_config::Settings;
use ents_runtime::Application;
use figment::providers::Serialized;

use crate::cli::{Cli, Command};

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut figment = Settings::figment(cli.config.as_deref())?;
    if let Command::Serve { listen: Some(addr) } = &cli.command {
        figment = figment.merge(Serialized::default("http.listen", addr.to_string()));
    }
    let settings = Settings::from_figment(&figment)?;
    // Logs go to standard error: standard output is the commands' data (`ents export -`).
    let telemetry = ents_runtime::telemetry::init(&settings.log, &settings.telemetry, "ents")?;
    let outcome = run(cli.command, &settings).await;
    // The last spans (a request answered during the shutdown) go out, within a bound.
    telemetry.shutdown().await;
    outcome
}

async fn run(command: Command, settings: &Settings) -> anyhow::Result<()> {
    match command {
        Command::Serve { .. } => {
            let app = Application::build(settings).await?;
            app.close_live_sessions_on_signal();
            app.run_until_stopped().await
        }
        Command::Migrate => {
            let report = ents_runtime::database::migrate(settings).await?;
            tracing::info!(?report, "migrations done");
            Ok(())
        }
        Command::User { command } => user::run(settings, command).await,
        Command::Export(args) => data::export(settings, args).await,
        Command::Import(args) => data::import(settings, args).await,
        Command::Config => {
            let text = serde_json::to_string_pretty(&settings.redacted())?;
            writeln!(std::io::stdout(), "{text}")?;
            Ok(())
        }
    }
}
