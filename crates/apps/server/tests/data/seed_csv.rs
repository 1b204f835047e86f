//! The seed-era wide CSV (`timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type`,
//! `void` for gaps): `ents export --format seed-csv` and `ents import --format seed-csv
//! --cell`, round trip included.

use std::path::Path;

use ents_persistence::testing::TestDb;

use super::support;
use super::support::{assert_ok, client, ents, run, seeded, sql, stderr, stdout, write_file};

/// The seed plus what the seed-era layout adds: the `phytos31` voltage series, a TEROS row
/// at a power row's time (merged into one line) and a second logger's power row there.
const PHYTOS: &str = "INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
       (8, 1, 'voltage', 'float', 'V', 'phytos31'); \
     SELECT setval('sensor_id_seq', 8); \
     INSERT INTO data (sensor_id, ts, float_val) VALUES \
       (8, '2024-01-01 10:30:00', 0.25), (8, '2024-01-03 00:00:00', 1e-05); \
     INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) VALUES \
       (1, '2024-01-01 10:30:00', 0.3, 1999, 20, 118); \
     INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) VALUES \
       (1, 1, '2024-01-01 10:30:00', 1.5, 0.001)";

async fn export_seed(db: &TestDb) -> String {
    let mut command = ents(db);
    command.args([
        "export",
        "--cell",
        "1",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--format",
        "seed-csv",
        "--quiet",
    ]);
    let output = run(command).await;
    assert_ok(&output);
    stdout(&output)
}

/// `ents import --format seed-csv` of `file`, whatever its exit status.
async fn import(db: &TestDb, file: &Path, extra: &[&str]) -> std::process::Output {
    support::import(db, file, &[&["--format", "seed-csv"], extra].concat()).await
}

async fn count(db: &TestDb, table: &str) -> i64 {
    client(db)
        .await
        .query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_seed_layout_exports_merged_lines_and_imports_back_the_same() {
    let source = seeded().await;
    sql(&source, PHYTOS).await;
    let original = export_seed(&source).await;
    assert_eq!(
        original,
        "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n\
         2024-01-01 10:00:00,void,void,void,void,2000.0,void,void,void,void,void,void\n\
         2024-01-01 10:30:00,30.0,20.0,118.0,1999.0,1000.0,2000.0,2000.0,0.25,voltage,V,float\n\
         2024-01-01 10:30:00,30.0,20.0,118.0,1999.0,1500.0,1000.0,1500.0,0.25,voltage,V,float\n\
         2024-01-02 00:00:00,25.0,21.5,120.0,2000.5,void,void,void,void,void,void,void\n\
         2024-01-03 00:00:00,void,void,void,void,void,void,void,1e-05,voltage,V,float\n"
    );

    let target = TestDb::new().await;
    sql(
        &target,
        "INSERT INTO cell (id, name) VALUES (4, 'other'); SELECT setval('cell_id_seq', 4);",
    )
    .await;
    let file = write_file(&original);
    // The layout names no cell.
    let output = import(&target, &file, &[]).await;
    assert!(!output.status.success());
    assert!(stderr(&output).contains("--cell"), "{}", stderr(&output));

    let output = import(&target, &file, &["--cell", "4", "--batch-rows", "2"]).await;
    assert_ok(&output);
    let report = stdout(&output);
    // 2 TEROS + 3 power + 2 phytos31 rows; the merge's repeated rows are read once. The
    // layout has no logger: the two loggers' power rows at 10:30 have one key (cell, no
    // logger, time), so the second is a duplicate (docs/import-export.md).
    assert!(
        report.contains("5 lines: 7 rows, stored 6, 1 duplicates"),
        "{report}"
    );
    assert!(report.contains("0 bad lines"), "{report}");
    assert_eq!(count(&target, "power_data").await, 2);
    assert_eq!(count(&target, "teros_data").await, 2);
    assert_eq!(count(&target, "data").await, 2);
    let (name, unit, data_type): (String, String, String) = {
        let row = client(&target)
            .await
            .query_one("SELECT name, unit, data_type FROM sensor", &[])
            .await
            .unwrap();
        (row.get(0), row.get(1), row.get(2))
    };
    assert_eq!(
        (name.as_str(), unit.as_str(), data_type.as_str()),
        ("phytos31", "V", "float")
    );

    // Cell 4 exports as cell 1 did but for the second logger's row (vwc comes back as
    // shown: 30 %, not 0.3).
    let mut command = ents(&target);
    command.args([
        "export",
        "--cell",
        "4",
        "--from",
        "2000-01-01",
        "--to",
        "2100-01-01",
        "--format",
        "seed-csv",
        "--quiet",
    ]);
    let output = run(command).await;
    assert_ok(&output);
    let without_second_logger: String = original
        .lines()
        .filter(|line| !line.contains(",1500.0,"))
        .map(|line| format!("{line}\n"))
        .collect();
    assert_eq!(stdout(&output), without_second_logger);

    // Again: nothing new.
    let output = import(&target, &file, &["--cell", "4"]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(
        report.contains("stored 0, 7 duplicates skipped"),
        "{report}"
    );
    std::fs::remove_file(file).unwrap();
}

#[tokio::test]
async fn bad_seed_lines_are_reported_and_a_foreign_header_refused() {
    let db = TestDb::new().await;
    sql(&db, "INSERT INTO cell (id, name) VALUES (1, 'c1')").await;
    let file = write_file(
        "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n\
         2024-01-01 10:00:00,void,void,void,void,2000.0,void,void,void,void,void,void\n\
         2024-01-01 11:00:00,void,void,1.5,void,void,void,void,void,void,void,void\n\
         soon,void,void,void,void,1.0,void,void,void,void,void,void\n",
    );
    let output = import(&db, &file, &["--cell", "1"]).await;
    assert_ok(&output);
    let report = stdout(&output);
    assert!(report.contains("line 3: ec"), "{report}");
    assert!(report.contains("line 4: timestamp"), "{report}");
    assert!(report.contains("stored 1,"), "{report}");
    std::fs::remove_file(file).unwrap();

    let file = write_file("cell_id,cell_name,source\n1,c1,power\n");
    let output = import(&db, &file, &["--cell", "1"]).await;
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("not a seed-era CSV"),
        "{}",
        stderr(&output)
    );
    std::fs::remove_file(file).unwrap();
}
