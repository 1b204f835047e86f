//! `ents user …`: local accounts from the command line, and the cookie hook of the
//! conformance suite (`ENTS_COOKIE_LOGIN_HOOK="ents user cookie"`).

use std::io::{BufRead, Write};

use anyhow::{Context, bail};
use clap::Subcommand;
use ents_config::Settings;
use ents_domain::auth::Password;
use ents_domain::users::UserId;
use ents_persistence::Db;
use ents_worker::wiring::pool_settings;
use secrecy::ExposeSecret;
use uuid::Uuid;

use crate::identity::{IdentityWiring, wire};

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

fn read_password() -> anyhow::Result<Password> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    Password::new(password).map_err(|e| anyhow::anyhow!("password: {e:?}"))
}

async fn connect(settings: &Settings) -> anyhow::Result<(Db, IdentityWiring)> {
    if settings.database.migrate_on_start {
        let url = settings.database_url();
        ents_persistence::ensure_database(url.expose_secret()).await?;
        ents_persistence::migrate(url.expose_secret()).await?;
    }
    let db = Db::new(&pool_settings(settings)).context("building the database pool")?;
    let wiring = wire(settings, &db)?;
    Ok((db, wiring))
}

/// Runs one `user` subcommand; what it prints goes to standard output.
pub async fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let (_db, wiring) = connect(settings).await?;
    let services = &wiring.services;
    let mut out = std::io::stdout();
    match command {
        UserCommand::Create {
            email,
            first_name,
            last_name,
            password_stdin,
        } => {
            let user = if password_stdin {
                let password = read_password()?;
                services
                    .accounts
                    .register(&email, password, first_name, last_name)
                    .await?
            } else {
                services
                    .users
                    .repository()
                    .create(ents_domain::users::NewUser {
                        email: ents_domain::users::Email::parse(&email, "email")?.into_string(),
                        first_name,
                        last_name,
                        google_sub: None,
                        password_hash: None,
                    })
                    .await?
            };
            writeln!(out, "{}", user.id)?;
        }
        UserCommand::SetPassword { email } => {
            let email = ents_domain::users::Email::parse(&email, "email")?;
            let Some(user) = services
                .users
                .repository()
                .find_by_email(email.as_str())
                .await?
            else {
                bail!("no user with e-mail address {}", email.as_str());
            };
            let password = read_password()?;
            services.accounts.set_password(user.id, password).await?;
            writeln!(out, "{}", user.id)?;
        }
        UserCommand::Cookie { id, email } => {
            if !wiring.refresh_secret_configured {
                bail!("REFRESH_TOKEN_SECRET is not set: the server would not accept the cookie");
            }
            let user = services.users.profile(UserId(id)).await?;
            if user.email.as_deref() != Some(email.as_str()) {
                bail!("user {id} does not have the e-mail address {email}");
            }
            let session = services.sessions.start(user.id).await?;
            writeln!(out, "{}", session.refresh_token)?;
        }
    }
    Ok(())
}
