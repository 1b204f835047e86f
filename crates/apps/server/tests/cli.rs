#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The `ents` binary's configuration handling, run as a user would.

use std::process::Command;

fn ents() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ents"));
    // A clean environment: only what the test sets.
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command.current_dir(std::env::temp_dir());
    command
}

#[test]
fn config_prints_the_effective_configuration_without_secrets() {
    let output = ents()
        .arg("config")
        .env("ACCESS_TOKEN_SECRET", "super-secret-access")
        .env("DB_PASS", "hunter2")
        .env("DB_HOST", "db.example")
        .env("ENTS_HTTP__LISTEN", "0.0.0.0:9000")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed = String::from_utf8(output.stdout).unwrap();
    let config: serde_json::Value = serde_json::from_str(&printed).unwrap();
    assert_eq!(config["database"]["host"], "db.example");
    assert_eq!(config["http"]["listen"], "0.0.0.0:9000");
    assert_eq!(config["auth"]["access_token_secret"], "[redacted]");
    assert!(!printed.contains("super-secret-access"));
    assert!(!printed.contains("hunter2"));
}

#[test]
fn a_bad_value_fails_fast_naming_the_key() {
    let output = ents()
        .arg("config")
        .env("DB_PORT", "not-a-number")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("database.port") && stderr.contains("DB_PORT"),
        "{stderr}"
    );
}

#[test]
fn serve_listen_must_be_an_address() {
    let output = ents()
        .args(["serve", "--listen", "nowhere"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("listen"));
}

/// Scripts read the new user's id from standard output: nothing else is printed there (the
/// logs go to standard error).
#[tokio::test]
async fn user_create_prints_only_the_new_id() {
    let db = ents_persistence::testing::TestDb::new().await;
    let output = ents()
        .args(["user", "create", "--email", "script@example.com"])
        .env("DATABASE_URL", db.url())
        .env("RUST_LOG", "debug")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let id = stdout.strip_suffix('\n').unwrap_or(&stdout);
    assert!(uuid::Uuid::parse_str(id).is_ok(), "stdout: {stdout:?}");
}
