//! The command line of the `ents` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "ents",
    version,
    about = "ENTS backend: the API server behind DirtViz"
)]
pub struct Cli {
    /// TOML configuration file (default: ./ents.toml when it exists).
    #[arg(long, global = true, env = "ENTS_CONFIG")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API (creating and migrating the database when needed).
    Serve {
        /// Listen address, overrides `http.listen`.
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// Apply pending database migrations (adopting an upstream database if needed), then exit.
    Migrate,
    /// Print the effective configuration, secrets redacted.
    Config,
    /// Manage users: create, set a password, print a login cookie.
    User {
        #[command(subcommand)]
        command: crate::cli_user::UserCommand,
    },
}
