//! Device timestamps are unix seconds in UTC whatever the zone of the server process and of the
//! database (docs/compatibility.md#ingestion): the real binary, run with `TZ=America/Los_Angeles`,
//! against a database whose default zone is Los Angeles too.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use ents_persistence::testing::TestDb;
use tokio_postgres::NoTls;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn device_time_is_stored_as_utc_in_any_zone() {
    let db = TestDb::new().await;
    let (client, connection) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
        .batch_execute(&format!(
            "ALTER DATABASE \"{}\" SET timezone = 'America/Los_Angeles'; \
             INSERT INTO cell (id, name) VALUES (1, 'c'); \
             INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l', gen_random_uuid(), now());",
            db.name()
        ))
        .await
        .unwrap();

    let port = free_port();
    let _server = Server(
        Command::new(env!("CARGO_BIN_EXE_ents"))
            .arg("serve")
            .env("TZ", "America/Los_Angeles")
            .env("PGTZ", "America/Los_Angeles")
            .env("DATABASE_URL", db.url())
            .env("ENTS_HTTP__LISTEN", format!("127.0.0.1:{port}"))
            .env("ENTS_METRICS__LISTEN", "127.0.0.1:0")
            .env("ENTS_HTTP__WORKERS", "1")
            .env("ACCESS_TOKEN_SECRET", crate_secret("access"))
            .env("REFRESH_TOKEN_SECRET", crate_secret("refresh"))
            .env("ENTS_LOG__FILTER", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut up = false;
    for _ in 0..240 {
        if http
            .get(format!("{base}/api/"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(up, "the server did not start");

    // 1700000000 = 2023-11-14 22:13:20 UTC (14:13:20 in Los Angeles).
    let response = http
        .post(format!("{base}/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(super::support::power_bytes(1, 1, 1_700_000_000, 1.0, 1.0))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let json = serde_json::json!({"logger": "l", "cell": "c", "ts": 1_700_000_001, "v": 1, "i": 2});
    let row: serde_json::Value = http
        .post(format!("{base}/api/power/"))
        .json(&json)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(row["ts"], "2023-11-14T22:13:21");

    let rows = client
        .query(
            "SELECT to_char(ts, 'YYYY-MM-DD HH24:MI:SS') FROM power_data ORDER BY ts",
            &[],
        )
        .await
        .unwrap();
    let stored: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(stored, ["2023-11-14 22:13:20", "2023-11-14 22:13:21"]);
}

fn crate_secret(kind: &str) -> String {
    format!("timezone-test-{kind}-secret-0123456789abcdef0123456789")
}
