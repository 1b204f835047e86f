//! `ents import` of the export CSV: the round trip, batches, duplicates, bad lines,
//! --strict, --dry-run, --cell and --create-missing.

use ents_persistence::testing::TestDb;

use super::support::{
    assert_ok, client, ents, import, run, seeded, sql, stderr, stdout, write_file,
};

fn export_args() -> [&'static str; 7] {
    [
        "export",
        "--cell",
        "1",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
    ]
}

async fn export_of(db: &TestDb) -> String {
    let mut command = ents(db);
    command.args(export_args()).arg("--quiet");
    let output = run(command).await;
    assert_ok(&output);
    stdout(&output)
}

async fn count(db: &TestDb, table: &str) -> i64 {
    client(db)
        .await
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

/// An empty database with the cells of the seed (no rows).
async fn empty_with_cells() -> TestDb {
    let db = TestDb::new().await;
    sql(
        &db,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'), (2, 'c2'); SELECT setval('cell_id_seq', 2);",
    )
    .await;
    db
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_exports_the_same() {
    let source = seeded().await;
    let original = export_of(&source).await;
    let file = write_file(&original);

    let target = empty_with_cells().await;
    // Small batches: several transactions.
    let output = import(&target, &file, &["--batch-rows", "2"]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(report.contains("stored 6,"), "{report}");
    assert!(report.contains("0 bad lines"), "{report}");
    assert_eq!(export_of(&target).await, original);
    assert_eq!(count(&target, "power_data").await, 2);
    assert_eq!(count(&target, "teros_data").await, 1);
    assert_eq!(count(&target, "data").await, 3);
    // The rollups followed (statement triggers): the hourly power bucket holds both rows.
    let buckets: i64 = client(&target)
        .await
        .query_one(
            "SELECT sum(n_rows)::bigint FROM power_rollup WHERE width = 'hour'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(buckets, 2);

    // Again: every row is a duplicate, nothing changes.
    let output = import(&target, &file, &[]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(
        report.contains("stored 0, 6 duplicates skipped"),
        "{report}"
    );
    assert_eq!(export_of(&target).await, original);
    std::fs::remove_file(file).unwrap();
}

const BAD: &str = "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100\n\
    1,c1,sensor,bme280,pressure,kPa,not-a-time,100\n\
    9,c9,sensor,bme280,pressure,kPa,2024-01-01T05:10:00Z,100\n\
    1,c1,sensor,bme280,pressure,kPa,2024-01-01T05:20:00Z,101\n";

#[tokio::test]
async fn bad_lines_are_reported_with_their_numbers_and_skipped() {
    let db = empty_with_cells().await;
    let file = write_file(BAD);
    let output = import(&db, &file, &[]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(report.contains("line 3: timestamp"), "{report}");
    assert!(report.contains("line 4: unknown cell 9"), "{report}");
    assert!(report.contains("stored 2,"), "{report}");
    assert!(report.contains("1 refused"), "{report}");
    assert_eq!(count(&db, "data").await, 2);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn strict_stops_at_the_first_bad_line_before_writing_its_batch() {
    let db = empty_with_cells().await;
    let file = write_file(BAD);
    let output = import(&db, &file, &["--strict"]).await;
    assert!(!output.status.success());
    assert!(stderr(&output).contains("line 3"), "{}", stderr(&output));
    assert_eq!(count(&db, "data").await, 0);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn dry_run_counts_everything_and_writes_nothing() {
    let source = seeded().await;
    let file = write_file(&export_of(&source).await);
    let db = empty_with_cells().await;
    sql(
        &db,
        "INSERT INTO teros_data (cell_id, ts, vwc) VALUES (1, '2024-01-02 00:00:00', 1)",
    )
    .await;
    let output = import(&db, &file, &["--dry-run"]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(report.contains("dry run"), "{report}");
    assert!(
        report.contains("would store 5, 1 duplicates skipped"),
        "{report}"
    );
    assert!(report.contains("cell 1 power: 2 rows"), "{report}");
    assert!(
        report.contains("cell 1 sensor/bme280/pressure: 3 rows"),
        "{report}"
    );
    assert!(
        report.contains("time range: 2024-01-01 05:10:00 .. 2024-01-04 00:00:00"),
        "{report}"
    );
    assert_eq!(count(&db, "power_data").await, 0);
    assert_eq!(count(&db, "data").await, 0);
    assert_eq!(count(&db, "sensor").await, 0);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn rows_go_to_the_cell_given_or_to_cells_created_for_an_owner() {
    let source = seeded().await;
    let file = write_file(&export_of(&source).await);

    let db = TestDb::new().await;
    sql(
        &db,
        "INSERT INTO cell (id, name) VALUES (5, 'target'); SELECT setval('cell_id_seq', 5);",
    )
    .await;
    // Unknown cell 1, nothing created without --create-missing.
    let output = import(&db, &file, &[]).await;
    assert_ok(&output);
    assert!(stdout(&output).contains("6 refused"), "{}", stdout(&output));
    assert_eq!(count(&db, "power_data").await, 0);

    let output = import(&db, &file, &["--cell", "5"]).await;
    assert_ok(&output);
    let cells: i64 = client(&db)
        .await
        .query_one("SELECT count(*) FROM power_data WHERE cell_id = 5", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(cells, 2);

    let owner = "owner@example.com";
    sql(
        &db,
        &format!(
            "INSERT INTO \"user\" (id, email, password) VALUES (gen_random_uuid(), '{owner}', '')"
        ),
    )
    .await;
    let output = import(&db, &file, &["--create-missing", "--owner", owner]).await;
    assert_ok(&output);
    assert!(stdout(&output).contains("(c1)"), "{}", stdout(&output));
    let owned: i64 = client(&db)
        .await
        .query_one(
            "SELECT count(*) FROM cell c JOIN cell_user cu ON cu.cell_id = c.id \
             JOIN \"user\" u ON u.id = cu.user_id WHERE c.name = 'c1' AND u.email = $1",
            &[&owner],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(owned, 1);

    let output = import(
        &db,
        &file,
        &["--create-missing", "--owner", "nobody@example.com"],
    )
    .await;
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--owner"), "{}", stderr(&output));
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn a_file_that_is_not_an_export_is_refused_up_front() {
    let db = empty_with_cells().await;
    let file = write_file("timestamp,vwc,temp\n2024-01-01,1,2\n");
    let output = import(&db, &file, &[]).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not an export CSV"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(file).unwrap();
}

/// Power rows keep their logger through export and import (by its name: the target's logger
/// of that name has another id), and the device's late live upload of an imported reading
/// stores nothing twice.
#[tokio::test]
async fn loggers_survive_the_round_trip_and_late_live_uploads_add_nothing() {
    use prost::Message as _;
    let source = TestDb::new().await;
    sql(
        &source,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES \
           (1, 'logger-a', gen_random_uuid(), now()), (2, 'logger-b', gen_random_uuid(), now()); \
         INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) VALUES \
           (1, 1, '2023-11-14 22:13:20', 1.5, 0.002), \
           (1, 2, '2023-11-14 22:13:20', 1.25, 0.001), \
           (1, NULL, '2023-11-14 22:14:20', 1, 0.003)",
    )
    .await;
    let exported = export_of(&source).await;
    assert!(
        exported.contains("2023-11-14T22:13:20Z,1500,logger-a\n"),
        "{exported}"
    );
    assert!(
        exported.contains("2023-11-14T22:13:20Z,1250,logger-b\n"),
        "{exported}"
    );

    let app = ents_runtime::testing::TestApp::spawn().await;
    sql(
        &app.db,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES \
           (7, 'logger-a', gen_random_uuid(), now()), (8, 'logger-b', gen_random_uuid(), now())",
    )
    .await;
    let file = write_file(&exported);
    let output = import(&app.db, &file, &[]).await;
    assert_ok(&output);
    assert!(stdout(&output).contains("stored 3,"), "{}", stdout(&output));
    let loggers: Vec<Option<i32>> = client(&app.db)
        .await
        .query("SELECT logger_id FROM power_data ORDER BY ts, voltage", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(loggers, [Some(8), Some(7), None]);
    assert_eq!(export_of(&app.db).await, exported);

    // Logger-a (id 7 here) comes back online and sends its buffered reading.
    let reading = ents_wire::proto::Measurement {
        meta: Some(ents_wire::proto::MeasurementMetadata {
            cell_id: 1,
            logger_id: 7,
            ts: 1_700_000_000,
        }),
        measurement: Some(ents_wire::proto::measurement::Measurement::Power(
            ents_wire::proto::PowerMeasurement {
                voltage: 1.5,
                current: 0.002,
            },
        )),
    };
    let response = app
        .client
        .post(app.url("/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(reading.encode_to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(count(&app.db, "power_data").await, 3);
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn an_export_without_the_logger_column_is_still_imported() {
    let db = empty_with_cells().await;
    let file = write_file(
        "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n\
         1,c1,power,power,voltage,mV,2024-01-01T10:00:00Z,2000\n",
    );
    let output = import(&db, &file, &[]).await;
    assert_ok(&output);
    assert!(stdout(&output).contains("stored 1,"), "{}", stdout(&output));
    std::fs::remove_file(file).unwrap();
}
