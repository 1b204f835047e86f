//! Helpers: a fresh database, SQL, and the `ents` binary pointed at it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use ents_persistence::testing::TestDb;
use tokio_postgres::NoTls;

/// Cells 1 (`c1`) and 2 (`c2`), logger 1; power with a NULL current, a generic sensor, TEROS.
pub const SEED: &str = "INSERT INTO cell (id, name) VALUES (1, 'c1'), (2, 'c2'); \
     SELECT setval('cell_id_seq', 2); \
     INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'logger-1', gen_random_uuid(), now()); \
     SELECT setval('logger_id_seq', 1); \
     INSERT INTO power_data (cell_id, ts, voltage, current) VALUES \
       (1, '2024-01-01 10:00:00', 2, NULL), (1, '2024-01-01 10:30:00', 1, 0.002); \
     INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) VALUES \
       (1, '2024-01-02 00:00:00', 25, 2000.5, 21.5, 120); \
     INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
       (7, 1, 'pressure', 'float', 'kPa', 'bme280'); \
     SELECT setval('sensor_id_seq', 7); \
     INSERT INTO data (sensor_id, ts, float_val) VALUES \
       (7, '2024-01-01 05:10:00', 100), (7, '2024-01-01 05:50:00', 101.25), \
       (7, '2024-01-04 00:00:00', 999)";

pub async fn client(db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(db.url(), NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

pub async fn sql(db: &TestDb, statements: &str) {
    client(db).await.batch_execute(statements).await.unwrap();
}

pub async fn seeded() -> TestDb {
    let db = TestDb::new().await;
    sql(&db, SEED).await;
    db
}

/// `ents` on `db`, with a clean environment.
pub fn ents(db: &TestDb) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ents"));
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", db.url())
        .env("ENTS_DATABASE__CREATE_IF_MISSING", "false")
        .current_dir(std::env::temp_dir());
    command
}

/// Runs `command` off the async runtime; the output whatever the exit status.
pub async fn run(mut command: Command) -> Output {
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts success, showing standard error otherwise.
pub fn assert_ok(output: &Output) {
    assert!(output.status.success(), "failed: {}", stderr(output));
}

/// A power `Measurement` of cell 1, logger 1, at `ts`, of `voltage` V (as a device sends it).
pub fn power(ts: u32, voltage: f64) -> ents_wire::proto::Measurement {
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

/// `text` in a new `.csv` file of the temporary directory.
pub fn write_file(text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!(
        "{}.csv",
        ents_test_support::unique_name("ents-import")
    ));
    std::fs::write(&path, text).unwrap();
    path
}

/// `ents import <file> --quiet <extra>`, whatever its exit status.
pub async fn import(db: &TestDb, file: &Path, extra: &[&str]) -> Output {
    let mut command = ents(db);
    command
        .arg("import")
        .arg(file)
        .args(["--quiet"])
        .args(extra);
    run(command).await
}
