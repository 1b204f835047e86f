//! `ents import --format protobuf`: what a device buffered, imported, then uploaded live
//! late: each reading is stored once.

use ents_runtime::testing::TestApp;
use prost::Message as _;

use super::support::{assert_ok, client, ents, run, stdout};

fn power(ts: u32, voltage: f64) -> ents_wire::proto::Measurement {
    use ents_wire::proto::{Measurement, MeasurementMetadata, PowerMeasurement, measurement};
    Measurement {
        meta: Some(MeasurementMetadata {
            cell_id: 1,
            logger_id: 1,
            ts,
        }),
        measurement: Some(measurement::Measurement::Power(PowerMeasurement {
            voltage,
            current: 0.002,
        })),
    }
}

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
