//! A client that opens a connection and then dribbles (or never sends) its request must get
//! 408 or a closed connection within the configured bounds, while others are served.

use std::time::{Duration, Instant};

use ents_runtime::testing::TestApp;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Generous: the bound under test is 1 s; a loaded CI machine may be slow to schedule.
const GIVE_UP: Duration = Duration::from_secs(20);

async fn app() -> TestApp {
    TestApp::spawn_with(|s| {
        s.http.client_request_timeout_ms = 1_000;
        s.http.body_read_timeout_ms = 1_000;
    })
    .await
}

/// Writes `head`, then waits for the server to answer or close; returns what it sent back
/// and how long that took.
async fn stall(app: &TestApp, head: &str) -> (String, Duration) {
    let mut stream = TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut answer = Vec::new();
    tokio::time::timeout(GIVE_UP, stream.read_to_end(&mut answer))
        .await
        .expect("the server neither answered nor closed the connection")
        .ok();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

fn status_line(answer: &str) -> &str {
    answer.lines().next().unwrap_or("")
}

#[tokio::test]
async fn a_body_that_never_completes_gets_408_and_others_are_served() {
    let app = app().await;
    let slow = (0..20).map(|_| {
        stall(
            &app,
            "POST /api/sensor/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n\
             Content-Length: 100\r\n\r\n0123456789",
        )
    });
    let slow = futures_util::future::join_all(slow);
    // While twenty connections stall, the server answers others.
    let others = async {
        tokio::time::sleep(Duration::from_millis(200)).await;
        for _ in 0..5 {
            assert_eq!(app.get("/api/").await.status(), 200);
        }
    };
    let (answers, ()) = tokio::join!(slow, others);
    for (answer, took) in answers {
        let status = status_line(&answer);
        assert!(
            status.is_empty() || status.starts_with("HTTP/1.1 408"),
            "{answer}"
        );
        assert!(took < GIVE_UP, "{took:?}");
        if !status.is_empty() {
            assert!(answer.contains("not received in time"), "{answer}");
        }
    }
}

#[tokio::test]
async fn a_json_body_that_never_completes_gets_408() {
    let app = app().await;
    let (answer, _) = stall(
        &app,
        "POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: 100\r\n\r\n{\"email\":",
    )
    .await;
    assert!(status_line(&answer).starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn a_head_that_never_completes_gets_408_or_a_closed_connection() {
    let app = app().await;
    let (answer, took) = stall(&app, "GET /api/ HTTP/1.1\r\nHost: x\r\n").await;
    let status = status_line(&answer);
    assert!(
        status.is_empty() || status.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    assert!(took < GIVE_UP, "{took:?}");
    assert_eq!(app.get("/api/").await.status(), 200);
}
