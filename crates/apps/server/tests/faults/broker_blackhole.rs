//! Queued mode with RabbitMQ behind a partition: every upload answers within
//! `amqp.confirm_timeout_ms` (200 once confirmed, else a 503 JSON body), `/readyz` reports the
//! broker, and after recovery the retries store each upload once — including an upload that
//! got a 503 although the broker had taken it (its confirm was lost on the way back).

use std::sync::Arc;
use std::time::Duration;

use ents_amqp::{BatchSettings, run_ingest_consumer};
use ents_config::IngestMode;
use ents_domain::ingest::BatchWriter;
use ents_persistence::PgMeasurementStore;
use ents_runtime::settings::ingest_amqp_settings;
use ents_runtime::testing::TestApp;
use ents_test_support::{ChaosProxy, amqp_url, unique_name, wait_until};
use secrecy::SecretString;

use super::support::*;
use crate::ingest::support::app_with;

/// A queued-mode server whose broker (jobs and uploads) is behind a proxy.
async fn queued_app_behind_broker_proxy() -> (TestApp, ChaosProxy) {
    let (proxy, proxied) = ChaosProxy::in_front_of(&amqp_url()).await.unwrap();
    let app = app_with(move |s| {
        s.amqp.url = Some(SecretString::from(proxied));
        s.amqp.queue = unique_name("ents_faults_jobs");
        s.amqp.confirm_timeout_ms = 2_000;
        s.ingest.mode = IngestMode::Queued;
        s.ingest.queue = unique_name("ents_faults_ingest");
    })
    .await;
    (app, proxy)
}

/// Runs the worker's upload consumer (straight to the broker) until `done` holds.
async fn consume_until(app: &TestApp, what: &str, done: impl AsyncFn() -> bool) {
    let mut settings = ingest_amqp_settings(&app.settings).unwrap();
    settings.url = amqp_url();
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
    wait_until(what, || done()).await;
    let _ = stop.send(());
    consumer.await.unwrap().unwrap();
}

const UPLOADS: u32 = 16;

#[tokio::test]
async fn blackholed_broker_bounds_queued_uploads_and_readiness_reports_it() {
    let (app, proxy) = queued_app_behind_broker_proxy().await;
    let app = Arc::new(app);
    for n in 0..2 {
        assert_eq!(post_upload(&app, n).await.0, 200);
    }
    assert_eq!(app.get("/readyz").await.status(), 200);

    proxy.blackhole();
    let tasks: Vec<_> = (2..UPLOADS)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { (n, post_upload(&app, n).await) })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    let mut acknowledged = 0;
    for task in tasks {
        let (n, (status, body, took)) = task.await.unwrap();
        slowest = slowest.max(took);
        assert!(took < BOUND, "upload {n} took {took:?}");
        match status {
            200 => acknowledged += 1,
            503 => assert_eq!(
                body["message"], "Service temporarily unavailable, try again later",
                "{body}"
            ),
            other => panic!("upload {n}: {other} {body}"),
        }
    }
    let started = std::time::Instant::now();
    let ready = app.get("/readyz").await;
    let readiness_took = started.elapsed();
    assert_eq!(ready.status(), 503);
    let checks: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(checks["checks"][1]["name"], "broker", "{checks}");
    assert_eq!(checks["checks"][1]["ok"], false, "{checks}");
    assert!(readiness_took < BOUND, "{readiness_took:?}");
    eprintln!(
        "broker blackhole (queued mode): {} uploads, {acknowledged} acknowledged, slowest answer \
         {slowest:?}, /readyz 503 in {readiness_took:?}",
        UPLOADS - 2
    );

    proxy.restore();
    wait_until("the broker is ready again", || async {
        app.get("/readyz").await.status() == 200
    })
    .await;
    for n in 0..UPLOADS {
        assert_eq!(post_upload(&app, n).await.0, 200, "retry of upload {n}");
    }
    consume_until(&app, "every upload written", async || {
        stored_uploads(&app).await.0 == UPLOADS as usize
    })
    .await;
    assert_eq!(stored_uploads(&app).await, (UPLOADS as usize, 0));
    assert_eq!(count(&app, "data").await, 2 * UPLOADS as usize);
}

#[tokio::test]
async fn an_upload_answered_503_may_still_be_queued_and_its_retry_is_deduplicated() {
    let (app, proxy) = queued_app_behind_broker_proxy().await;
    assert_eq!(post_upload(&app, 0).await.0, 200);

    // The broker takes the upload; its confirm never comes back.
    proxy.drop_replies();
    let (status, body, took) = post_upload(&app, 1).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < BOUND, "{took:?}");
    proxy.restore();

    // Stored all the same, by the worker…
    consume_until(&app, "the 503'd upload written", async || {
        stored_uploads(&app).await.0 == 2
    })
    .await;
    // …and the device's retry changes nothing.
    assert_eq!(post_upload(&app, 1).await.0, 200);
    consume_until(&app, "the retry consumed", async || {
        ents_test_support::messages_ready(&app.settings.ingest.queue).await == 0
    })
    .await;
    assert_eq!(stored_uploads(&app).await, (2, 0));
    assert_eq!(count(&app, "data").await, 4);
}
