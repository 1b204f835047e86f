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

/// The body deadline is not a connection deadline: a WebSocket (the live push) outlives it.
#[tokio::test]
async fn a_websocket_outlives_the_body_deadline() {
    let app = app().await;
    let mut stream = TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    stream
        .write_all(
            b"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: x\r\n\
              Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        )
        .await
        .unwrap();
    let opened = read_until(&mut stream, "\"sid\"").await;
    assert!(opened.starts_with("HTTP/1.1 101"), "{opened}");

    // Past the 1 s body deadline, the socket still talks: Socket.IO's connect to `/`.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let mask = [1u8, 2, 3, 4];
    let mut frame = vec![0x81, 0x80 | 2];
    frame.extend_from_slice(&mask);
    frame.extend(b"40".iter().zip(mask.iter().cycle()).map(|(b, m)| b ^ m));
    stream.write_all(&frame).await.unwrap();
    let answer = read_until(&mut stream, "40{").await;
    assert!(answer.contains("40{"), "{answer}");
}

/// Reads until `needle` shows up (or the server closes, or [`GIVE_UP`]).
async fn read_until(stream: &mut TcpStream, needle: &str) -> String {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    let _ = tokio::time::timeout(GIVE_UP, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&buffer[..n]),
            }
            if String::from_utf8_lossy(&seen).contains(needle) {
                break;
            }
        }
    })
    .await;
    String::from_utf8_lossy(&seen).into_owned()
}

/// `http.max_connections` caps the connections one worker holds: while silent clients hold
/// them all, a new client is not served; once the request timeout closes them, it is.
#[tokio::test]
async fn the_connection_cap_holds_and_frees_itself() {
    let app = TestApp::spawn_with(|s| {
        s.http.client_request_timeout_ms = 2_000;
        s.http.max_connections = 2;
    })
    .await;
    // Two connections that never send a byte: the cap is reached.
    let mut silent = Vec::new();
    for _ in 0..2 {
        silent.push(TcpStream::connect(("127.0.0.1", app.port)).await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut third = TcpStream::connect(("127.0.0.1", app.port)).await.unwrap();
    third
        .write_all(b"GET /api/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // Not served while the cap is held (the kernel queues the connection)…
    let early = tokio::time::timeout(Duration::from_millis(500), third.read(&mut [0; 1])).await;
    assert!(early.is_err(), "served beyond the connection cap");
    // …served once the silent connections are closed by the request timeout.
    tokio::time::timeout(GIVE_UP, third.read_to_end(&mut answer))
        .await
        .expect("never served after the cap freed")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(status_line(&answer).starts_with("HTTP/1.1 200"), "{answer}");
    drop(silent);
}
