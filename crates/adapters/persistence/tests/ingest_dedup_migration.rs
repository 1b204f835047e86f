//! Migration `20261129000020_ingest_idempotency` on an adopted database that already holds
//! duplicates: exact copies and conflicting values are set aside (nothing lost), duplicate
//! sensors merged, and down.sql restores every row as it was.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use diesel::migration::{Migration, MigrationSource};
use diesel::pg::Pg;
use diesel_async::AsyncPgConnection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_migrations::MigrationHarness;
use ents_persistence::migrate::MIGRATIONS;
use ents_persistence::testing::TestDb;

const VERSION: &str = "20261129000020";

fn sorted() -> Vec<Box<dyn Migration<Pg>>> {
    let mut m = MigrationSource::<Pg>::migrations(&MIGRATIONS).unwrap();
    m.sort_by_key(|m| m.name().version().to_string());
    m
}

async fn run(conn: AsyncPgConnection, index: usize, up: bool) -> AsyncPgConnection {
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncConnectionWrapper::<AsyncPgConnection>::from(conn);
        let migration = &sorted()[index];
        if up {
            harness.run_migration(migration.as_ref()).unwrap();
        } else {
            harness.revert_migration(migration.as_ref()).unwrap();
        }
        harness.into_inner()
    })
    .await
    .unwrap()
}

const DUPLICATES: &str = "
INSERT INTO cell (id, name) VALUES (1, 'c');
INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l', gen_random_uuid(), now());
-- sensor 2 duplicates sensor 1; sensor 3 is distinct
INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES
  (1, 1, 'Voltage', 'float', 'mV', 'POWER_VOLTAGE'),
  (2, 1, 'Voltage', 'float', 'mV', 'POWER_VOLTAGE'),
  (3, 1, 'Current', 'float', 'uA', 'POWER_CURRENT');
INSERT INTO data (id, sensor_id, ts, ts_server, float_val) VALUES
  (10, 1, '2024-01-01 00:00:00', '2024-01-01 00:00:01', 1.5),
  (11, 2, '2024-01-01 00:00:00', '2024-01-01 00:00:09', 1.5),   -- exact, via the merge
  (12, 2, '2024-01-01 00:01:00', NULL, 2.5),                    -- distinct, re-pointed
  (13, 3, '2024-01-01 00:00:00', NULL, 7),
  (14, 3, '2024-01-01 00:00:00', NULL, 8);                      -- conflicting value
INSERT INTO power_data (id, logger_id, cell_id, ts, voltage, current) VALUES
  (20, 1, 1, '2024-01-01', 1, 2), (21, 1, 1, '2024-01-01', 1, 2),
  (22, NULL, 1, '2024-01-01', 1, 2), (23, NULL, 1, '2024-01-01', 1, 3);
INSERT INTO teros_data (id, cell_id, ts, vwc, temp, ec) VALUES
  (30, 1, '2024-01-01', 0.2, 20, 5), (31, 1, '2024-01-01', 0.2, 20, 5),
  (32, 1, '2024-01-02', 0.2, 20, 5);
";

async fn snapshot(conn: &mut AsyncPgConnection) -> Vec<Vec<String>> {
    let mut all = Vec::new();
    for table in ["sensor", "data", "power_data", "teros_data"] {
        all.push(common::table_rows(conn, table).await);
    }
    all
}

#[tokio::test]
async fn duplicates_are_set_aside_not_lost_and_come_back_on_revert() {
    let test_db = TestDb::empty().await;
    let mut conn = common::connect(test_db.url()).await;
    common::exec(&mut conn, diesel::migration::CREATE_MIGRATIONS_TABLE).await;
    let all = sorted();
    let mine = all
        .iter()
        .position(|m| m.name().version().to_string() == VERSION)
        .unwrap();
    for index in 0..mine {
        conn = run(conn, index, true).await;
    }
    common::exec(&mut conn, DUPLICATES).await;
    let before = snapshot(&mut conn).await;

    conn = run(conn, mine, true).await;
    let ids = |table: &str| format!("SELECT id::text AS line FROM {table} ORDER BY id");
    assert_eq!(common::lines(&mut conn, &ids("sensor")).await, ["1", "3"]);
    assert_eq!(
        common::lines(&mut conn, &ids("data")).await,
        ["10", "12", "13"]
    );
    assert_eq!(
        common::lines(&mut conn, &ids("power_data")).await,
        ["20", "22"]
    );
    assert_eq!(
        common::lines(&mut conn, &ids("teros_data")).await,
        ["30", "32"]
    );
    assert_eq!(
        common::lines(
            &mut conn,
            "SELECT sensor_id::text AS line FROM data WHERE id = 12"
        )
        .await,
        ["1"]
    );
    assert_eq!(
        common::lines(
            &mut conn,
            "SELECT format('%s %s %s %s', source_table, source_id, reason, kept_id) AS line \
             FROM ingest_dedup_archive ORDER BY 1"
        )
        .await,
        [
            "data 11 exact_duplicate 10",
            "data 11 repointed 1",
            "data 12 repointed 1",
            "data 14 conflicting_value 13",
            "power_data 21 exact_duplicate 20",
            "power_data 23 conflicting_value 22",
            "sensor 2 merged_sensor 1",
            "teros_data 31 exact_duplicate 30",
        ]
    );

    conn = run(conn, mine, false).await;
    assert_eq!(
        snapshot(&mut conn).await,
        before,
        "down.sql restores every row"
    );
    conn = run(conn, mine, true).await;
    assert_eq!(
        common::lines(&mut conn, &ids("data")).await,
        ["10", "12", "13"]
    );
}
