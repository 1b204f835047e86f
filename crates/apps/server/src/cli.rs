//! The command line of the `ents` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use uuid::Uuid;

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
        command: UserCommand,
    },
    /// Export the series of cells over a time range as CSV (the export API's layout).
    Export(ExportArgs),
    /// Import history from a file (the export CSV), in batches, skipping duplicates.
    Import(ImportArgs),
}

/// `ents import`: docs/import-export.md.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The file to import, or a directory: every file in it, in name order.
    pub input: PathBuf,
    /// The file's layout.
    #[arg(long, value_enum, default_value_t = ImportFileFormat::Csv)]
    pub format: ImportFileFormat,
    /// Store every row in this cell, whatever the file says (required by seed-csv).
    #[arg(long)]
    pub cell: Option<i32>,
    /// Validate and print what would be stored, without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Stop at the first bad line (by default bad lines are reported and skipped).
    #[arg(long)]
    pub strict: bool,
    /// Create cells the database does not have (by their name in the file); needs --owner.
    #[arg(long, requires = "owner")]
    pub create_missing: bool,
    /// The e-mail address of the user who owns the cells --create-missing creates.
    #[arg(long)]
    pub owner: Option<String>,
    /// Continue after the checkpoint an interrupted import left (`<file>.ents-checkpoint`);
    /// refused when the file changed since.
    #[arg(long)]
    pub resume: bool,
    /// Rows per batch (one transaction each).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_rows: u32,
    /// No progress display.
    #[arg(short, long)]
    pub quiet: bool,
}

/// `ents export`: docs/import-export.md.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// A cell id; repeat for several cells.
    #[arg(long = "cell", required = true)]
    pub cells: Vec<i32>,
    /// Start of the range (inclusive): ISO 8601 or RFC 1123, UTC when no zone is given.
    #[arg(long)]
    pub from: String,
    /// End of the range (inclusive).
    #[arg(long)]
    pub to: String,
    /// Bucket means: none, minute, hour, day, week or month.
    #[arg(long, default_value = "none")]
    pub resample: String,
    /// The file layout.
    #[arg(long, value_enum, default_value_t = ExportFileFormat::Csv)]
    pub format: ExportFileFormat,
    /// Output file; `-` (the default) is standard output.
    #[arg(short, long, default_value = "-")]
    pub output: PathBuf,
    /// No progress display on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Layouts `ents export` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFileFormat {
    /// The export API's long CSV (docs/exports.md).
    Csv,
    /// The seed-era wide CSV of `GET /api/cell/datas` (`void` for gaps).
    SeedCsv,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; with --password-stdin it can sign in with that password.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: Option<String>,
        #[arg(long)]
        last_name: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set (or replace) a user's password, read from the first line of standard input.
    SetPassword {
        #[arg(long)]
        email: String,
    },
    /// Log a user in and print the value of its `refresh-token` cookie (a test hook: the
    /// server must share this configuration's REFRESH_TOKEN_SECRET and database).
    Cookie {
        /// The user's id.
        id: Uuid,
        /// The user's e-mail address (checked against the id).
        email: String,
    },
}

/// Layouts `ents import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportFileFormat {
    /// The export CSV (`ents export`, the export API).
    Csv,
    /// The seed-era wide CSV (`ents export --format seed-csv`, `GET /api/cell/datas`) of
    /// one cell; needs --cell.
    SeedCsv,
    /// The Things Network v3 uplink JSON, one per line (decoded as the webhook does).
    Ttn,
    /// Length-delimited protobuf `Measurement` messages, as devices upload them.
    Protobuf,
    /// Length-delimited protobuf `RepeatedSensorMeasurements` messages.
    Generic,
}
