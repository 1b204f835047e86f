//! `rollup_maintenance`: with `track_functions` on the pool's sessions, PostgreSQL times the
//! rollup triggers each upload runs, and the totals come back per measurement table.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use ents_domain::ingest::{MeasurementStore, StoreOutcome};
use ents_domain::measurements::{LegacyKind, LegacyMeasurement, Meta, Power, RawMeta, Upload};
use ents_persistence::testing::TestDb;
use ents_persistence::{Db, PgMeasurementStore, PoolSettings, rollup_maintenance};
use ents_test_support::wait_until;

const UPLOADS: u32 = 3;

fn power(ts: u32) -> Upload {
    let meta = RawMeta {
        cell_id: 1,
        logger_id: 1,
        ts,
    };
    Upload::Legacy(
        LegacyMeasurement::new(
            Meta::legacy(meta).unwrap(),
            LegacyKind::Power(Power {
                voltage: 3.3,
                current: 0.5,
            }),
        )
        .unwrap(),
    )
}

#[tokio::test]
async fn uploads_with_track_functions_count_the_rollup_triggers_time_and_runs() {
    let test_db = TestDb::new().await;
    let mut conn = common::connect(test_db.url()).await;
    common::exec(
        &mut conn,
        "INSERT INTO cell (id, name) VALUES (1, 'one'); \
         INSERT INTO logger (id, name, uuid, date_created) \
            VALUES (1, 'l1', gen_random_uuid(), now());",
    )
    .await;
    let db = Db::new(&PoolSettings {
        url: test_db.url().to_owned(),
        max_size: 2,
        track_functions: true,
        ..PoolSettings::default()
    })
    .unwrap();
    let store = PgMeasurementStore::new(db.clone());
    for i in 0..UPLOADS {
        let outcome = store.store(&power(1_705_176_000 + 60 * i)).await.unwrap();
        assert!(matches!(
            outcome,
            StoreOutcome::Committed { inserted: 1, .. }
        ));
    }

    // A session publishes its statistics once idle (within about a second): poll.
    wait_until("the power triggers' runs are counted", || async {
        rollup_maintenance(&db)
            .await
            .unwrap()
            .iter()
            .any(|t| t.table == "power_data" && t.calls == u64::from(UPLOADS))
    })
    .await;
    let totals = rollup_maintenance(&db).await.unwrap();
    let power = totals.iter().find(|t| t.table == "power_data").unwrap();
    assert!(power.seconds > 0.0, "{totals:?}");
    assert!(
        totals.iter().all(|t| t.table == "power_data"),
        "tables nobody wrote are not reported: {totals:?}"
    );
}
