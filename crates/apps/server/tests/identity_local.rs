#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Local accounts and the brute-force limits (per client IP, `X-Forwarded-For` only from a
//! trusted proxy), and the `ents user` subcommands.

use crate::common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::identity::*;
use ents_runtime::testing::{ACCESS_SECRET, REFRESH_SECRET, TestApp};
use serde_json::json;

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    forwarded: Option<&str>,
) -> reqwest::Response {
    let mut request = client()
        .post(app.url("/api/auth/login"))
        .json(&json!({"email": email, "password": password}));
    if let Some(ip) = forwarded {
        request = request.header("x-forwarded-for", ip);
    }
    request.send().await.unwrap()
}

async fn register(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    client()
        .post(app.url("/api/auth/register"))
        .json(&json!({"email": email, "password": password, "first_name": "Ada"}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn register_then_sign_in_with_the_password() {
    let app = TestApp::spawn().await;
    assert_eq!(
        register(&app, "Ada@Example.com", "correct horse")
            .await
            .status(),
        201
    );
    assert_eq!(
        register(&app, "ada@example.com", "another password")
            .await
            .status(),
        409
    );
    assert_eq!(
        register(&app, "not-an-address", "correct horse")
            .await
            .status(),
        400
    );
    assert_eq!(
        register(&app, "grace@example.com", "short").await.status(),
        400
    );

    let response = login(&app, "ada@example.com", "correct horse", None).await;
    assert_eq!(response.status(), 201);
    assert!(refresh_cookie(&response).is_some());
    let jwt = response.text().await.unwrap();
    let profile: serde_json::Value = client()
        .get(app.url("/api/user"))
        .header("authorization", format!("Bearer {jwt}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["email"], "ada@example.com");
    assert_eq!(profile["first_name"], "Ada");
}

#[tokio::test]
async fn failed_sign_ins_look_the_same_whether_or_not_the_account_exists() {
    let app = TestApp::spawn().await;
    register(&app, "ada@example.com", "correct horse").await;
    let google_only = seed_user(&app, None).await;
    for (email, password) in [
        ("ada@example.com", "wrong horse"),
        ("nobody@example.com", "correct horse"),
        (google_only.email.as_str(), ""),
    ] {
        let response = login(&app, email, password, None).await;
        assert!(refresh_cookie(&response).is_none());
        assert_eq!(
            msg(response).await,
            (401, "Invalid email or password".to_owned()),
            "{email}"
        );
    }
}

/// The budget is the deployment's, not each instance's: the counts live in PostgreSQL, so
/// failures through one instance count on the other — two instances do not double the
/// guesses an attacker gets.
#[tokio::test]
async fn instances_on_one_database_share_the_sign_in_budget() {
    let first = TestApp::spawn_with(|s| s.auth.max_login_failures = 4).await;
    let second = ents_runtime::Application::build(&first.settings)
        .await
        .unwrap();
    let second_url = format!("http://127.0.0.1:{}/api/auth/login", second.port());
    let second_server = tokio::spawn(second.run_until_stopped());
    register(&first, "ada@example.com", "correct horse").await;
    let on_second = |password: &'static str| {
        let request = client()
            .post(&second_url)
            .json(&json!({"email": "ada@example.com", "password": password}));
        async move { request.send().await.unwrap().status() }
    };

    // Registration and two failures on the first, one on the second: the budget of 4 is spent.
    for _ in 0..2 {
        assert_eq!(
            login(&first, "ada@example.com", "wrong", None)
                .await
                .status(),
            401
        );
    }
    assert_eq!(on_second("wrong").await, 401);
    assert_eq!(on_second("correct horse").await, 429);
    assert_eq!(
        login(&first, "ada@example.com", "correct horse", None)
            .await
            .status(),
        429,
        "the first counts the second's failure"
    );
    second_server.abort();
}

#[tokio::test]
async fn too_many_failed_sign_ins_from_one_address_get_429() {
    let app = TestApp::spawn_with(|s| s.auth.max_login_failures = 3).await;
    register(&app, "ada@example.com", "correct horse").await;
    // Registration spent one of the three.
    for _ in 0..2 {
        assert_eq!(
            login(&app, "ada@example.com", "wrong", None).await.status(),
            401
        );
    }
    let blocked = login(&app, "ada@example.com", "correct horse", None).await;
    assert_eq!(blocked.status(), 429);
    let retry_after: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=600).contains(&retry_after), "{retry_after}");
    assert!(blocked.json::<serde_json::Value>().await.unwrap()["msg"].is_string());
    // X-Forwarded-For from an untrusted peer changes nothing.
    assert_eq!(
        login(
            &app,
            "ada@example.com",
            "correct horse",
            Some("198.51.100.7")
        )
        .await
        .status(),
        429
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_budget() {
    let app = TestApp::spawn_with(|s| {
        s.auth.max_login_failures = 2;
        s.http.trusted_proxies = vec!["127.0.0.1".into(), "::1".into()];
    })
    .await;
    for _ in 0..2 {
        let response = login(&app, "x@example.com", "wrong", Some("198.51.100.7")).await;
        assert_eq!(response.status(), 401);
    }
    assert_eq!(
        login(&app, "x@example.com", "wrong", Some("198.51.100.7"))
            .await
            .status(),
        429
    );
    assert_eq!(
        login(&app, "x@example.com", "wrong", Some("203.0.113.5"))
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn unknown_api_keys_are_limited_too() {
    let app = TestApp::spawn_with(|s| s.auth.max_credential_failures = 2).await;
    let try_key = || {
        client()
            .get(app.url("/api/user"))
            .header("x-api-key", "not-real-key")
            .send()
    };
    assert_eq!(try_key().await.unwrap().status(), 401);
    assert_eq!(try_key().await.unwrap().status(), 401);
    let blocked = try_key().await.unwrap();
    assert_eq!(blocked.status(), 429);
    assert!(blocked.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn registration_can_be_turned_off() {
    let app = TestApp::spawn_with(|s| s.auth.allow_registration = false).await;
    let response = register(&app, "ada@example.com", "correct horse").await;
    assert_eq!(
        msg(response).await,
        (403, "Registration is disabled".to_owned())
    );
}

fn ents(app: &TestApp) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ents"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.db.url())
        .env("ACCESS_TOKEN_SECRET", ACCESS_SECRET)
        .env("REFRESH_TOKEN_SECRET", REFRESH_SECRET)
        .env("ENTS_LOG__FILTER", "warn")
        .current_dir(std::env::temp_dir());
    command
}

fn run(mut command: Command, stdin: Option<&str>) -> String {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[tokio::test]
async fn the_cli_creates_users_sets_passwords_and_prints_a_login_cookie() {
    let app = TestApp::spawn().await;
    let mut create = ents(&app);
    create.args([
        "user",
        "create",
        "--email",
        "cli@example.com",
        "--password-stdin",
    ]);
    let id = run(create, Some("first password\n")).trim().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    assert_eq!(
        login(&app, "cli@example.com", "first password", None)
            .await
            .status(),
        201
    );

    let mut set = ents(&app);
    set.args(["user", "set-password", "--email", "cli@example.com"]);
    run(set, Some("second password\n"));
    assert_eq!(
        login(&app, "cli@example.com", "first password", None)
            .await
            .status(),
        401
    );
    assert_eq!(
        login(&app, "cli@example.com", "second password", None)
            .await
            .status(),
        201
    );

    // The conformance suite's cookie hook: `<cmd> <user-id> <email>`.
    let seeded = seed_user(&app, None).await;
    let mut hook = ents(&app);
    hook.args(["user", "cookie", &seeded.id.to_string(), &seeded.email]);
    let cookie = run(hook, None).trim().to_owned();
    let response = refresh(&app, &cookie).await;
    assert_eq!(response.status(), 201);

    let mut wrong = ents(&app);
    wrong.args([
        "user",
        "cookie",
        &seeded.id.to_string(),
        "someone@else.example",
    ]);
    assert!(!wrong.output().unwrap().status.success());
}
