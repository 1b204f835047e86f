use std::io::Write;

use clap::Parser;
use ents_config::Settings;
use ents_server::Application;
use ents_server::cli::{Cli, Command};
use figment::providers::Serialized;
use secrecy::ExposeSecret;

#[actix_web::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut figment = Settings::figment(cli.config.as_deref())?;
    if let Command::Serve { listen: Some(addr) } = &cli.command {
        figment = figment.merge(Serialized::default("http.listen", addr.to_string()));
    }
    let settings = Settings::from_figment(&figment)?;
    ents_worker::telemetry::init(&settings.log);

    match cli.command {
        Command::Serve { .. } => {
            let app = Application::build(&settings).await?;
            app.close_live_sessions_on_signal();
            app.run_until_stopped().await
        }
        Command::Migrate => {
            let url = settings.database_url();
            ents_persistence::ensure_database(url.expose_secret()).await?;
            let report = ents_persistence::migrate(url.expose_secret()).await?;
            tracing::info!(?report, "migrations done");
            Ok(())
        }
        Command::User { command } => ents_server::cli_user::run(&settings, command).await,
        Command::Config => {
            let text = serde_json::to_string_pretty(&settings.redacted())?;
            writeln!(std::io::stdout(), "{text}")?;
            Ok(())
        }
    }
}
