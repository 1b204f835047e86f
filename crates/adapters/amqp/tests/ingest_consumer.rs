//! The upload consumer under its supervisor: a cut connection pauses it, and every upload
//! accepted before, during or after the cut is written, with no message left behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;

use ents_amqp::{AmqpIngestQueue, BatchSettings, run_ingest_consumer};
use ents_coalesce::CoalesceSettings;
use ents_domain::ingest::{BatchWriter, MeasurementStore, StoreOutcome};
use ents_domain::measurements::Upload;
use ents_persistence::PgMeasurementStore;
use ents_persistence::testing::TestDb;
use ents_test_support::{ChaosProxy, messages_ready, unique_name, wait_until};
use tokio::sync::oneshot;

/// A database with cell 1 and logger 1, the only references the uploads use.
async fn database() -> TestDb {
    let db = TestDb::new().await;
    client(&db)
        .await
        .batch_execute(
            "INSERT INTO cell (id, name) VALUES (1, 'one'); \
             INSERT INTO logger (id, name, uuid, date_created) \
                VALUES (1, 'l1', gen_random_uuid(), now());",
        )
        .await
        .unwrap();
    db
}

async fn client(db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

async fn power_rows(db: &TestDb) -> i64 {
    let count = "SELECT count(*) FROM power_data";
    client(db).await.query_one(count, &[]).await.unwrap().get(0)
}

fn power(ts: u32) -> Upload {
    let body = format!(
        r#"{{"type": "power", "cellId": 1, "loggerId": 1, "ts": {ts}, "data": {{"voltage": 1, "current": 2}}}}"#
    );
    ents_wire::decode_sensor_json(body.as_bytes()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cut_connection_pauses_the_upload_consumer_and_loses_nothing() {
    ents_test_support::init_logs();
    let db = database().await;
    let queue = unique_name("ingest_cut");
    let store = Arc::new(PgMeasurementStore::new(db.db()));
    let packing = CoalesceSettings {
        slots: 2,
        max_batch: 8,
        queue_depth: 64,
    };
    let publish = common::settings(&ents_test_support::amqp_url(), &queue);
    let api = AmqpIngestQueue::new(publish, store.clone(), packing).unwrap();
    let proxy = ChaosProxy::start(&common::broker_addr()).await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let consumer = tokio::spawn(run_ingest_consumer(
        common::settings(&common::via(proxy.port()), &queue),
        BatchWriter::new(store, None),
        BatchSettings {
            max: 4,
            wait: Duration::from_millis(20),
        },
        async {
            let _ = stopped.await;
        },
    ));
    let accept = async |from: u32, to: u32| {
        for ts in from..to {
            let outcome = api.store(&power(1_700_000_000 + ts)).await.unwrap();
            assert!(matches!(outcome, StoreOutcome::Accepted));
        }
    };

    accept(0, 20).await;
    wait_until("the consumer writing", || async {
        power_rows(&db).await >= 4
    })
    .await;
    proxy.cut();
    accept(20, 40).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    proxy.restore();
    accept(40, 50).await;

    wait_until("every upload written", || async {
        power_rows(&db).await == 50
    })
    .await;
    wait_until("every message acknowledged", || async {
        messages_ready(&queue).await == 0
    })
    .await;
    assert_eq!(messages_ready(&format!("{queue}.dead")).await, 0);

    let _ = stop.send(());
    tokio::time::timeout(ents_test_support::PATIENCE, consumer)
        .await
        .expect("the consumer did not stop")
        .unwrap()
        .unwrap();
    assert_eq!(power_rows(&db).await, 50);
    api.close().await;
    ents_test_support::delete_queues(&queue).await;
}
