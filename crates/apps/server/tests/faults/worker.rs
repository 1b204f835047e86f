//! The worker's upload consumer with its database or its broker behind a partition: it keeps
//! running (each write bounded by the database deadline, the delivery handed back), stops
//! within a bound when asked, and once the partition heals writes every upload exactly once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use ents_amqp::{AmqpError, BatchSettings, run_ingest_consumer};
use ents_config::IngestMode;
use ents_domain::ingest::BatchWriter;
use ents_persistence::{Db, PgMeasurementStore, PoolSettings};
use ents_runtime::settings::ingest_amqp_settings;
use ents_runtime::testing::TestApp;
use ents_test_support::{ChaosProxy, amqp_url, unique_name, wait_until};
use secrecy::SecretString;
use tokio::task::JoinHandle;

use super::support::*;
use crate::ingest::support::app_with;

const UPLOADS: u32 = 8;

/// A queued-mode server straight on the broker and the database: what it accepts waits in
/// the queue for the consumer under test.
async fn queued_app() -> TestApp {
    app_with(|s| {
        s.amqp.url = Some(SecretString::from(amqp_url()));
        s.amqp.queue = unique_name("ents_faults_jobs");
        s.ingest.mode = IngestMode::Queued;
        s.ingest.queue = unique_name("ents_faults_ingest");
    })
    .await
}

struct Consumer {
    stop: tokio::sync::oneshot::Sender<()>,
    task: JoinHandle<Result<(), AmqpError>>,
}

impl Consumer {
    fn start(app: &TestApp, broker: String, db: Db) -> Self {
        let mut settings = ingest_amqp_settings(&app.settings).unwrap();
        settings.url = broker;
        settings.connect_timeout = Duration::from_secs(2);
        let writer = BatchWriter::new(Arc::new(PgMeasurementStore::new(db)), None);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(run_ingest_consumer(
            settings,
            writer,
            BatchSettings {
                max: 4,
                wait: Duration::from_millis(20),
            },
            async {
                let _ = stopped.await;
            },
        ));
        Self { stop, task }
    }

    /// Asks it to stop; how long it took.
    async fn stop(self) -> Duration {
        let started = Instant::now();
        let _ = self.stop.send(());
        tokio::time::timeout(BOUND * 2, self.task)
            .await
            .expect("the consumer did not stop")
            .unwrap()
            .unwrap();
        started.elapsed()
    }
}

async fn accept_uploads(app: &TestApp) {
    for n in 0..UPLOADS {
        assert_eq!(post_upload(app, n).await.0, 200);
    }
}

#[tokio::test]
async fn worker_with_a_blackholed_database_waits_and_then_writes_everything_once() {
    let app = queued_app().await;
    accept_uploads(&app).await;
    let (proxy, url) = ChaosProxy::in_front_of(app.db.url()).await.unwrap();
    let db = Db::new(&PoolSettings {
        url,
        max_size: 2,
        wait_timeout: Duration::from_secs(1),
        create_timeout: Duration::from_secs(1),
        recycle_timeout: Duration::from_secs(1),
        connect_timeout: Duration::from_secs(1),
        statement_timeout: Duration::from_secs(2),
        operation_timeout: Duration::from_secs(2),
        track_functions: false,
    })
    .unwrap();

    proxy.blackhole();
    let consumer = Consumer::start(&app, amqp_url(), db.clone());
    // Several database deadlines pass: deliveries are handed back, nothing is written.
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert!(!consumer.task.is_finished());
    assert_eq!(stored_uploads(&app).await, (0, 0));
    let took = consumer.stop().await;
    assert!(took < BOUND, "stopping took {took:?}");
    eprintln!("worker, database blackhole: stopped in {took:?}, nothing written");

    proxy.restore();
    let consumer = Consumer::start(&app, amqp_url(), db);
    wait_until("every upload written", || async {
        stored_uploads(&app).await.0 == UPLOADS as usize
    })
    .await;
    consumer.stop().await;
    assert_eq!(stored_uploads(&app).await, (UPLOADS as usize, 0));
}

#[tokio::test]
async fn worker_with_a_blackholed_broker_stops_in_time_and_recovers() {
    let app = queued_app().await;
    let (proxy, proxied) = ChaosProxy::in_front_of(&amqp_url()).await.unwrap();

    // Connected, then the broker goes silent; uploads keep arriving on the API side.
    let consumer = Consumer::start(&app, proxied.clone(), app.db.db());
    assert_eq!(post_upload(&app, 0).await.0, 200);
    wait_until("the first upload written", || async {
        stored_uploads(&app).await.0 == 1
    })
    .await;
    proxy.blackhole();
    for n in 1..UPLOADS {
        assert_eq!(post_upload(&app, n).await.0, 200);
    }
    let took = consumer.stop().await;
    assert!(took < BOUND, "stopping took {took:?}");
    eprintln!("worker, broker blackhole: stopped in {took:?}");

    // A consumer started during the partition keeps trying; when it heals, all is written.
    let consumer = Consumer::start(&app, proxied, app.db.db());
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(!consumer.task.is_finished());
    proxy.restore();
    wait_until("every upload written", || async {
        stored_uploads(&app).await.0 == UPLOADS as usize
    })
    .await;
    consumer.stop().await;
    assert_eq!(stored_uploads(&app).await, (UPLOADS as usize, 0));
}
