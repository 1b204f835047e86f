//! `ents user …`: local accounts from the command line (`ents_runtime::users`); what it
//! prints goes to standard output.

use std::io::{BufRead, Write};

use anyhow::Context;
use ents_config::Settings;
use ents_runtime::users::{NewAccount, UserAdmin};

use crate::cli::UserCommand;

/// The first line of standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

pub async fn run(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let admin = UserAdmin::connect(settings).await?;
    let printed = match command {
        UserCommand::Create {
            email,
            first_name,
            last_name,
            password_stdin,
        } => {
            let password = password_stdin.then(read_password).transpose()?;
            let account = NewAccount {
                email,
                first_name,
                last_name,
                password,
            };
            admin.create(account).await?.to_string()
        }
        UserCommand::SetPassword { email } => admin
            .set_password(&email, read_password()?)
            .await?
            .to_string(),
        UserCommand::Cookie { id, email } => admin.refresh_cookie(id, &email).await?,
    };
    writeln!(std::io::stdout(), "{printed}")?;
    Ok(())
}
