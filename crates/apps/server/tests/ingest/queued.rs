//! `ingest.mode = queued`: the API answers once RabbitMQ has confirmed the upload; the worker's
//! consumer writes the uploads in batches, idempotently.

use std::sync::Arc;
use std::time::Duration;

use ents_amqp::{BatchSettings, run_ingest_consumer};
use ents_config::IngestMode;
use ents_domain::ingest::BatchWriter;
use ents_persistence::PgMeasurementStore;
use ents_runtime::settings::ingest_amqp_settings;
use ents_runtime::testing::TestApp;
use ents_test_support::{amqp_url, messages_ready, unique_name};
use secrecy::SecretString;

use super::support::*;

async fn queued_app(broker: String) -> (TestApp, String) {
    queued_app_with(broker, |_| {}).await
}

async fn queued_app_with(
    broker: String,
    customise: impl FnOnce(&mut ents_config::Settings),
) -> (TestApp, String) {
    let queue = unique_name("ents_ingest_test");
    let jobs = unique_name("ents_jobs_test");
    let q = queue.clone();
    let app = app_with(move |s| {
        s.amqp.url = Some(SecretString::from(broker));
        s.amqp.queue = jobs;
        s.ingest.mode = IngestMode::Queued;
        s.ingest.queue = q;
        customise(s);
    })
    .await;
    (app, queue)
}

async fn run_consumer_until(app: &TestApp, expected: usize) {
    let settings = ingest_amqp_settings(&app.settings).unwrap();
    let writer = BatchWriter::new(Arc::new(PgMeasurementStore::new(app.db.db())), None);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let consumer = tokio::spawn(run_ingest_consumer(
        settings,
        writer,
        BatchSettings {
            max: 16,
            wait: Duration::from_millis(20),
        },
        async {
            let _ = stopped.await;
        },
    ));
    let mut rows = 0;
    for _ in 0..600 {
        rows = measurement_rows(app).await;
        if rows >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(rows, expected);
    let _ = stop.send(());
    consumer.await.unwrap().unwrap();
}

#[tokio::test]
async fn uploads_are_confirmed_first_then_written_once_by_the_worker() {
    let (app, queue) = queued_app(amqp_url()).await;

    // Unknown cells are refused at once, as in direct mode.
    assert_eq!(
        legacy(&app, power_bytes(99, 1, 1, 1.0, 1.0)).await.status(),
        501
    );
    let missing = generic(&app, generic_bytes(&[(99, 1, 1, 1.0)])).await;
    assert_eq!(missing.status(), 400);

    // Accepted (confirmed by the broker) before anything is written; retries included.
    for ts in 0..20 {
        for _ in 0..2 {
            assert_eq!(
                answer(legacy(&app, power_bytes(1, 1, 1_700_000_000 + ts, 1.0, 2.0)).await)
                    .await
                    .0,
                200
            );
        }
    }
    let (status, ct, body) = answer(generic(&app, vector("generic-all-types.bin")).await).await;
    assert_eq!((status, ct.as_str(), body.len()), (200, HTML, 0));
    assert_eq!(
        measurement_rows(&app).await,
        0,
        "nothing is written before the worker runs"
    );

    run_consumer_until(&app, 20 + 32).await;
    assert_eq!(count(&app, "power_data").await, 20);
    assert_eq!(count(&app, "sensor").await, 32);
    ents_test_support::delete_queues(&queue).await;
}

/// Concurrent uploads that arrive while the one publish slot awaits its confirm are packed
/// into shared messages; every one is accepted, and the worker writes each exactly once.
#[tokio::test]
async fn concurrent_uploads_share_messages_and_are_all_written() {
    let (app, queue) = queued_app_with(amqp_url(), |s| {
        s.ingest.group_commit_writers = 1;
        s.ingest.group_commit_max_uploads = 50;
    })
    .await;
    let uploads = (0..200).map(|ts| legacy(&app, power_bytes(1, 1, 1_700_000_000 + ts, 1.0, 2.0)));
    for response in futures_util::future::join_all(uploads).await {
        assert_eq!(response.status(), 200);
    }
    let messages = messages_ready(&queue).await;
    assert!(
        (4..200).contains(&messages),
        "200 uploads in {messages} messages"
    );
    run_consumer_until(&app, 200).await;
    assert_eq!(count(&app, "power_data").await, 200);
    ents_test_support::delete_queues(&queue).await;
}

#[tokio::test]
async fn without_the_brokers_confirm_the_upload_is_not_accepted() {
    // Nothing listens on port 1: the publish cannot be confirmed.
    let (app, queue) = queued_app("amqp://guest:guest@127.0.0.1:1/%2f".to_owned()).await;
    let response = legacy(&app, power_bytes(1, 1, 1, 1.0, 1.0)).await;
    assert_eq!(response.status(), 503);
    assert!(response.headers().contains_key("retry-after"));
    assert_eq!(measurement_rows(&app).await, 0);
    ents_test_support::delete_queues(&queue).await;
}
