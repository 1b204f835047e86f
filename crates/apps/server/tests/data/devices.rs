//! `ents import --format protobuf|ttn`: what a device or a gateway buffered, imported, then
//! uploaded live late: each reading is stored once. A directory: every file, each reported.

use ents_runtime::testing::TestApp;
use prost::Message as _;

use super::support::{assert_ok, client, ents, power, run, stdout};

#[tokio::test]
async fn imported_readings_are_not_stored_again_by_late_live_uploads() {
    let app = TestApp::spawn().await;
    client(&app.db)
        .await
        .batch_execute(
            "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
             INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now());",
        )
        .await
        .unwrap();
    let mut file = Vec::new();
    power(1_700_000_000, 1.5)
        .encode_length_delimited(&mut file)
        .unwrap();
    power(1_700_000_060, 1.6)
        .encode_length_delimited(&mut file)
        .unwrap();
    // A frame that is not a Measurement: reported, the others stored.
    file.extend_from_slice(&[2, 0xff, 0xff]);
    let path = std::env::temp_dir().join(ents_test_support::unique_name("ents-import-pb"));
    std::fs::write(&path, &file).unwrap();

    let mut command = ents(&app.db);
    command
        .arg("import")
        .arg(&path)
        .args(["--format", "protobuf", "--quiet"]);
    let output = run(command).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(report.contains("stored 2,"), "{report}");
    assert!(report.contains("line 3:"), "{report}");

    // The device comes back online and sends what it buffered.
    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(power(1_700_000_000, 1.5).encode_to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows: i64 = client(&app.db)
        .await
        .query_one(
            "SELECT count(*) FROM power_data WHERE cell_id = 1 AND logger_id = 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
    std::fs::remove_file(path).unwrap();
}

/// A TTN v3 uplink webhook body carrying `message` on `f_port`, on one line.
fn uplink(f_port: u32, message: &[u8]) -> String {
    use base64::Engine as _;
    serde_json::json!({
        "end_device_ids": {"device_id": "ents-1", "dev_eui": "0004A30B001C0530"},
        "uplink_message": {
            "f_port": f_port,
            "frm_payload": base64::engine::general_purpose::STANDARD.encode(message),
        },
    })
    .to_string()
}

#[tokio::test]
async fn a_directory_of_ttn_uplink_lines_is_imported_file_by_file_as_the_webhook_would() {
    let app = TestApp::spawn().await;
    client(&app.db)
        .await
        .batch_execute(
            "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
             INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now());",
        )
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(ents_test_support::unique_name("ents-import-ttn"));
    std::fs::create_dir(&dir).unwrap();
    let first = [
        uplink(1, &power(1_700_000_000, 1.5).encode_to_vec()),
        String::new(),
        r#"{"uplink_message": {"f_port": 202}}"#.to_owned(),
        uplink(99, b"x"),
        "not json".to_owned(),
        uplink(1, &[0xff, 0xff]),
    ]
    .join("\n");
    std::fs::write(dir.join("b.jsonl"), first).unwrap();
    let second = uplink(1, &power(1_700_000_060, 1.6).encode_to_vec());
    std::fs::write(dir.join("a.jsonl"), second + "\n").unwrap();

    let mut command = ents(&app.db);
    command
        .arg("import")
        .arg(&dir)
        .args(["--format", "ttn", "--quiet"]);
    let output = run(command).await;
    assert_ok(&output);
    let report = stdout(&output);
    // In name order, each with its own summary and line numbers.
    let a = report.find("a.jsonl:\n").unwrap();
    let b = report.find("b.jsonl:\n").unwrap();
    assert!(a < b, "{report}");
    let (a_part, b_part) = report.split_at(b);
    assert!(
        a_part.contains("read 1 lines: 1 rows, stored 1,"),
        "{report}"
    );
    assert!(
        b_part.contains("read 5 lines: 1 rows, stored 1,"),
        "{report}"
    );
    assert!(b_part.contains("line 4: f_port 99"), "{report}");
    assert!(b_part.contains("line 5:"), "{report}");
    assert!(b_part.contains("line 6:"), "{report}");

    // The same uplink through the webhook afterwards: already stored.
    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/json")
        .body(uplink(1, &power(1_700_000_000, 1.5).encode_to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let rows: i64 = client(&app.db)
        .await
        .query_one(
            "SELECT count(*) FROM power_data WHERE cell_id = 1 AND logger_id = 1",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(rows, 2);
    std::fs::remove_dir_all(dir).unwrap();
}
