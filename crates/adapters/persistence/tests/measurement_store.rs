//! `PgMeasurementStore`: all or nothing, idempotent (also under concurrency), race-free
//! sensor creation, batches, and the legacy named readings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;

use ents_coalesce::CoalesceSettings;
use ents_domain::ingest::{
    MeasurementStore, MissingReferences, NamedPowerReading, NamedReadingStore, NamedTerosReading,
    StoreOutcome,
};
use ents_domain::measurements::{
    DeviceTime, GenericMeasurement, GenericValue, LegacyKind, LegacyMeasurement, Meta, Power,
    RawMeta, SensorType, Teros12, Upload, Yfs210c,
};
use ents_persistence::testing::TestDb;
use ents_persistence::{GroupCommitStore, PgMeasurementStore};

async fn setup() -> (TestDb, PgMeasurementStore) {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    common::exec(
        &mut conn,
        "INSERT INTO cell (id, name) VALUES (1, 'one'), (2, 'two'); \
         INSERT INTO logger (id, name, uuid, date_created) \
            VALUES (1, 'l1', gen_random_uuid(), now()); \
         SELECT setval('cell_id_seq', 2); SELECT setval('logger_id_seq', 1);",
    )
    .await;
    let store = PgMeasurementStore::new(db.db());
    (db, store)
}

fn meta(cell: u32, logger: u32, ts: u32) -> RawMeta {
    RawMeta {
        cell_id: cell,
        logger_id: logger,
        ts,
    }
}

fn legacy(cell: u32, logger: u32, ts: u32, kind: LegacyKind) -> Upload {
    Upload::Legacy(
        LegacyMeasurement::new(Meta::legacy(meta(cell, logger, ts)).unwrap(), kind).unwrap(),
    )
}

fn power(cell: u32, logger: u32, ts: u32, v: f64) -> Upload {
    legacy(
        cell,
        logger,
        ts,
        LegacyKind::Power(Power {
            voltage: v,
            current: 0.5,
        }),
    )
}

fn generic(items: &[(u32, SensorType, u32, f64)]) -> Upload {
    Upload::Generic(
        items
            .iter()
            .map(|(cell, t, ts, v)| {
                GenericMeasurement::new(
                    Meta::generic(meta(*cell, 1, *ts)).unwrap(),
                    *t,
                    GenericValue::Decimal(*v),
                )
                .unwrap()
            })
            .collect(),
    )
}

async fn rows(db: &TestDb, sql: &str) -> Vec<String> {
    let mut conn = common::connect(db.url()).await;
    common::lines(&mut conn, sql).await
}

fn committed(inserted: usize, duplicates: usize) -> StoreOutcome {
    StoreOutcome::Committed {
        inserted,
        duplicates,
    }
}

#[tokio::test]
async fn a_retried_upload_stores_one_row_and_says_so() {
    let (db, store) = setup().await;
    let upload = power(1, 1, 1_700_000_000, 1.5);
    assert_eq!(store.store(&upload).await.unwrap(), committed(1, 0));
    for _ in 0..3 {
        assert_eq!(store.store(&upload).await.unwrap(), committed(0, 1));
    }
    // Same key, another value: the first write wins.
    assert_eq!(
        store.store(&power(1, 1, 1_700_000_000, 9.9)).await.unwrap(),
        committed(0, 1)
    );
    assert_eq!(
        rows(
            &db,
            "SELECT format('%s %s %s %s', cell_id, logger_id, ts, voltage) AS line FROM power_data"
        )
        .await,
        ["1 1 2023-11-14 22:13:20 1.5"]
    );
}

#[tokio::test]
async fn concurrent_retries_store_one_row_and_one_sensor() {
    let (db, store) = setup().await;
    let upload = Arc::new(generic(&[
        (1, SensorType::PowerVoltage, 1_700_000_000, 1.0),
        (1, SensorType::PowerCurrent, 1_700_000_000, 2.0),
    ]));
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = PgMeasurementStore::new(db.db());
            let upload = upload.clone();
            tokio::spawn(async move { store.store(&upload).await.unwrap() })
        })
        .collect();
    let mut inserted = 0;
    for t in tasks {
        match t.await.unwrap() {
            StoreOutcome::Committed { inserted: n, .. } => inserted += n,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(inserted, 2, "exactly one writer stored the two rows");
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM sensor").await,
        ["2"]
    );
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM data").await,
        ["2"]
    );
    drop(store);
}

#[tokio::test]
async fn an_unknown_cell_or_logger_stores_nothing_of_the_upload() {
    let (db, store) = setup().await;
    let mixed = generic(&[
        (1, SensorType::PowerVoltage, 1_700_000_000, 1.0),
        (99, SensorType::PowerVoltage, 1_700_000_000, 1.0),
    ]);
    assert_eq!(
        store.store(&mixed).await.unwrap(),
        StoreOutcome::Missing(MissingReferences {
            cells: [99].into(),
            loggers: [].into()
        })
    );
    assert_eq!(
        store.store(&power(1, 7, 1, 1.0)).await.unwrap(),
        StoreOutcome::Missing(MissingReferences {
            cells: [].into(),
            loggers: [7].into()
        })
    );
    // Ids beyond PostgreSQL `integer` cannot exist.
    assert!(matches!(
        store.store(&power(u32::MAX, 1, 1, 1.0)).await.unwrap(),
        StoreOutcome::Missing(_)
    ));
    for table in ["sensor", "data", "power_data"] {
        assert_eq!(
            rows(&db, &format!("SELECT count(*)::text AS line FROM {table}")).await,
            ["0"],
            "{table}"
        );
    }
}

#[tokio::test]
async fn a_deleted_cell_is_noticed_after_its_sensors_were_used() {
    let (db, store) = setup().await;
    let first = generic(&[(2, SensorType::PowerVoltage, 1, 1.0)]);
    assert_eq!(store.store(&first).await.unwrap(), committed(1, 0));
    let mut conn = common::connect(db.url()).await;
    common::exec(&mut conn, "DELETE FROM cell WHERE id = 2").await;
    let second = generic(&[(2, SensorType::PowerVoltage, 2, 1.0)]);
    assert!(matches!(
        store.store(&second).await.unwrap(),
        StoreOutcome::Missing(m) if m.cells == [2].into()
    ));
}

#[tokio::test]
async fn teros_and_legacy_sensor_kinds_are_idempotent_too() {
    let (db, store) = setup().await;
    let teros = legacy(
        1,
        0,
        5,
        LegacyKind::Teros12(Teros12 {
            vwc_raw: 2500.0,
            vwc_adj: 0.25,
            temp: 21.5,
            ec: Some(15),
        }),
    );
    let flow = legacy(1, 0, 5, LegacyKind::Yfs210c(Yfs210c { flow: 2.5 }));
    for _ in 0..2 {
        store.store(&teros).await.unwrap();
        store.store(&flow).await.unwrap();
    }
    assert_eq!(
        rows(
            &db,
            "SELECT format('%s %s %s %s %s', ts, vwc, raw_vwc, temp, ec) AS line FROM teros_data"
        )
        .await,
        ["1970-01-01 00:00:05 0.25 2500 21.5 15"]
    );
    assert_eq!(
        rows(&db, "SELECT format('%s/%s %s %s = %s', s.name, s.measurement, s.unit, s.data_type, d.float_val) AS line FROM data d JOIN sensor s ON s.id = d.sensor_id").await,
        ["yfs210c/flow L/Min float = 2.5"]
    );
}

#[tokio::test]
async fn a_batch_skips_only_the_uploads_with_missing_references() {
    let (db, store) = setup().await;
    let uploads = [
        power(1, 1, 10, 1.0),
        power(99, 1, 10, 1.0),
        generic(&[(2, SensorType::Bme280Temp, 10, 20.0)]),
        power(1, 1, 10, 1.0),
    ];
    let outcomes = store.store_batch(&uploads).await.unwrap();
    assert_eq!(outcomes[0], committed(1, 0));
    assert!(matches!(outcomes[1], StoreOutcome::Missing(_)));
    assert_eq!(outcomes[2], committed(1, 0));
    // The same row twice in one batch: the first one owns it.
    assert_eq!(outcomes[3], committed(0, 1));
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM power_data").await,
        ["1"]
    );
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM data").await,
        ["1"]
    );
}

/// Uploads whose rows all go to one table are written by one statement (the fast path); a
/// missing reference anywhere in the batch sends it to the slow path, which still stores the
/// others. An id too large for an `integer` column is reported missing, never skipped.
#[tokio::test]
async fn a_one_table_batch_is_all_or_nothing_per_upload() {
    let (db, store) = setup().await;
    let all_known = [
        power(2, 1, 10, 1.0),
        power(1, 1, 10, 1.0),
        power(1, 1, 10, 2.0),
    ];
    let outcomes = store.store_batch(&all_known).await.unwrap();
    assert_eq!(
        outcomes,
        [committed(1, 0), committed(1, 0), committed(0, 1)]
    );

    let with_missing = [
        power(1, 1, 20, 1.0),
        power(99, 1, 20, 1.0),
        power(3_000_000_000, 1, 20, 1.0),
        power(1, 1, 10, 1.0),
    ];
    let outcomes = store.store_batch(&with_missing).await.unwrap();
    assert_eq!(outcomes[0], committed(1, 0));
    assert!(matches!(&outcomes[1], StoreOutcome::Missing(m) if m.cells == BTreeSet::from([99])));
    assert!(
        matches!(&outcomes[2], StoreOutcome::Missing(m) if m.cells == BTreeSet::from([3_000_000_000]))
    );
    assert_eq!(outcomes[3], committed(0, 1));

    // Generic rows: a sensor that does not exist yet is created on the slow path.
    let first = generic(&[(1, SensorType::Bme280Temp, 10, 20.0)]);
    store.store(&first).await.unwrap();
    let generics = [
        generic(&[(1, SensorType::Bme280Temp, 11, 21.0)]),
        generic(&[(2, SensorType::Bme280Temp, 11, 22.0)]),
        first,
    ];
    let outcomes = store.store_batch(&generics).await.unwrap();
    assert_eq!(
        outcomes,
        [committed(1, 0), committed(1, 0), committed(0, 1)]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT format('%s %s', count(*), sum(voltage)) AS line FROM power_data"
        )
        .await,
        ["3 3"]
    );
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM data").await,
        ["3"]
    );
}

#[tokio::test]
async fn named_readings_create_cells_and_loggers_once_and_return_the_stored_row() {
    let (db, store) = setup().await;
    let reading = NamedPowerReading {
        logger_name: "new-logger".into(),
        cell_name: "new-cell".into(),
        ts: DeviceTime::from_unix_fractional(1_705_176_162.5).unwrap(),
        voltage: 1.0,
        current: 2.0,
    };
    let first = store.store_power(&reading).await.unwrap();
    let again = store.store_power(&reading).await.unwrap();
    assert_eq!(first, again);
    assert_eq!(first.ts.to_rfc3339(), "2024-01-13T20:02:42.500+00:00");
    assert!(first.ts_server.is_some());
    assert_eq!(
        rows(&db, "SELECT format('%s %s %s %s', name, location, latitude, archive) AS line FROM cell WHERE name = 'new-cell'").await,
        ["new-cell  37.000786081466266 f"]
    );
    assert_eq!(
        rows(
            &db,
            "SELECT count(*)::text AS line FROM logger WHERE name = 'new-logger'"
        )
        .await,
        ["1"]
    );
    assert!(store.find_cell("new-cell").await.unwrap().is_some());
    assert!(store.find_cell("nope").await.unwrap().is_none());

    let teros = NamedTerosReading {
        cell_name: "one".into(),
        ts: DeviceTime::from_unix(1),
        vwc: 1.0,
        raw_vwc: 2.0,
        temp: 3.0,
        ec: 4,
        water_pot: Some(5.0),
    };
    let stored = store.store_teros(&teros).await.unwrap();
    assert_eq!((stored.ec, stored.water_pot), (Some(4), Some(5.0)));
    assert_eq!(store.store_teros(&teros).await.unwrap().id, stored.id);
}

#[tokio::test]
async fn reused_sensor_ids_never_misattribute_rows() {
    let (db, store) = setup().await;
    let first = generic(&[(1, SensorType::PowerVoltage, 1, 1.0)]);
    assert_eq!(store.store(&first).await.unwrap(), committed(1, 0));
    // An operator resets the tables (or restores another dump) under the running server.
    let mut conn = common::connect(db.url()).await;
    common::exec(&mut conn, "TRUNCATE data, sensor RESTART IDENTITY").await;
    common::exec(
        &mut conn,
        "INSERT INTO sensor (cell_id, name, measurement, unit, data_type) \
         VALUES (2, 'OTHER', 'Other', '', 'float')",
    )
    .await;
    assert_eq!(store.store(&first).await.unwrap(), committed(1, 0));
    assert_eq!(
        rows(&db, "SELECT format('%s %s/%s', s.cell_id, s.name, s.measurement) AS line FROM data d JOIN sensor s ON s.id = d.sensor_id").await,
        ["1 POWER_VOLTAGE/Voltage"]
    );
}

/// A group commit with one writer (so concurrent uploads pile up behind it) and batches of at
/// most `max_batch`.
fn one_writer(store: PgMeasurementStore, max_batch: usize) -> Arc<GroupCommitStore> {
    Arc::new(GroupCommitStore::start(
        store,
        CoalesceSettings {
            slots: 1,
            max_batch,
            queue_depth: 1024,
        },
    ))
}

/// The group commit under concurrency: `writers = 1`, so uploads pile up behind the writer and
/// go together; every caller still gets its own upload's outcome.
#[tokio::test]
async fn group_commit_answers_each_concurrent_upload_with_its_own_outcome() {
    let (db, store) = setup().await;
    let grouped = one_writer(store, 16);
    // 100 new rows, 20 repeats of 10 of them, 10 uploads for a cell that does not exist.
    let mut uploads: Vec<Upload> = (0..100)
        .map(|n| power(n % 2 + 1, 1, 100 + n, 1.0))
        .collect();
    uploads.extend((0..20).map(|n| power(n % 10 % 2 + 1, 1, 100 + n % 10, 2.0)));
    uploads.extend((0..10).map(|n| power(9, 1, 100 + n, 1.0)));
    let tasks: Vec<_> = uploads
        .into_iter()
        .map(|upload| {
            let grouped = grouped.clone();
            tokio::spawn(async move { grouped.store(&upload).await.unwrap() })
        })
        .collect();
    let (mut inserted, mut duplicates, mut missing) = (0, 0, 0);
    for task in tasks {
        match task.await.unwrap() {
            StoreOutcome::Committed {
                inserted: i,
                duplicates: d,
            } => (inserted, duplicates) = (inserted + i, duplicates + d),
            StoreOutcome::Missing(m) => {
                assert_eq!(m.cells.into_iter().collect::<Vec<_>>(), [9]);
                missing += 1;
            }
            StoreOutcome::Accepted => panic!("the direct mode commits"),
        }
    }
    assert_eq!((inserted, duplicates, missing), (100, 20, 10));
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM power_data").await,
        ["100"]
    );
}

/// One upload that makes its transaction fail does not fail the others grouped with it: the
/// batch is retried upload by upload. (A trigger refuses voltage 666, as a stand-in for any
/// row PostgreSQL rejects.)
#[tokio::test]
async fn group_commit_fails_only_the_upload_that_fails() {
    let (db, store) = setup().await;
    let mut conn = common::connect(db.url()).await;
    common::exec(
        &mut conn,
        "CREATE FUNCTION refuse_666() RETURNS trigger LANGUAGE plpgsql AS \
           $$ BEGIN RAISE EXCEPTION 'refused'; END $$; \
         CREATE TRIGGER refuse_666 BEFORE INSERT ON power_data FOR EACH ROW \
           WHEN (NEW.voltage = 666) EXECUTE FUNCTION refuse_666();",
    )
    .await;
    let grouped = one_writer(store, 64);
    let tasks: Vec<_> = (0..40)
        .map(|n| {
            let grouped = grouped.clone();
            let voltage = if n == 20 { 666.0 } else { 1.0 };
            tokio::spawn(async move { grouped.store(&power(1, 1, 500 + n, voltage)).await })
        })
        .collect();
    let mut failed = Vec::new();
    for (n, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(outcome) => assert_eq!(outcome, committed(1, 0)),
            Err(_) => failed.push(n),
        }
    }
    assert_eq!(failed, [20]);
    assert_eq!(
        rows(&db, "SELECT count(*)::text AS line FROM power_data").await,
        ["39"]
    );
}
