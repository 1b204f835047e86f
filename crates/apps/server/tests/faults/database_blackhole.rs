//! PostgreSQL stops answering without closing anything (a partition): every upload answers
//! within the database deadline (200 or a 503 JSON body), nothing is half-stored, every 200
//! is stored, and retries after recovery store each upload once.

use std::sync::Arc;
use std::time::Duration;

use ents_test_support::wait_until;

use super::support::*;

const UPLOADS: u32 = 24;

#[tokio::test]
async fn blackholed_database_bounds_every_upload_and_loses_nothing_acknowledged() {
    let (app, proxy) = app_behind_db_proxy(|_| {}).await;
    let app = Arc::new(app);
    for n in 0..4 {
        assert_eq!(post_upload(&app, n).await.0, 200);
    }

    proxy.blackhole();
    let tasks: Vec<_> = (4..UPLOADS)
        .map(|n| {
            let app = app.clone();
            tokio::spawn(async move { (n, post_upload(&app, n).await) })
        })
        .collect();
    let mut acknowledged = 4;
    let mut slowest = Duration::ZERO;
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
    let readiness = app.get("/readyz").await.status();
    eprintln!(
        "database blackhole: {} uploads, {} acknowledged, slowest answer {slowest:?}, /readyz {readiness}",
        UPLOADS - 4,
        acknowledged - 4
    );
    assert_eq!(readiness, 503);

    proxy.restore();
    wait_until("the pool reconnects", || async {
        app.get("/readyz").await.status() == 200
    })
    .await;
    // All or nothing, and every acknowledged upload is there. An upload may also be stored
    // though it got a 503 (the commit reached the database, its answer did not come back):
    // that is what the retries below are for.
    let (whole, partial) = stored_uploads(&app).await;
    assert_eq!(partial, 0);
    assert!(
        whole >= acknowledged,
        "{whole} stored < {acknowledged} acknowledged"
    );
    eprintln!("after recovery: {whole} uploads stored, {acknowledged} acknowledged");

    // A device retries whatever did not get a 200; retrying everything must not duplicate.
    for n in 0..UPLOADS {
        assert_eq!(post_upload(&app, n).await.0, 200, "retry of upload {n}");
    }
    assert_eq!(stored_uploads(&app).await, (UPLOADS as usize, 0));
    assert_eq!(count(&app, "data").await, 2 * UPLOADS as usize);
}

/// Without load, one upload into a blackhole answers within the deadline, and reads too.
#[tokio::test]
async fn a_single_request_into_a_blackhole_answers_503_within_the_deadline() {
    let (app, proxy) = app_behind_db_proxy(|_| {}).await;
    assert_eq!(post_upload(&app, 0).await.0, 200);
    proxy.blackhole();
    let (status, body, took) = post_upload(&app, 1).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < BOUND, "{took:?}");
    let started = std::time::Instant::now();
    let read = app.get("/api/cell/1").await.status();
    assert!(read == 503 || read == 404, "{read}");
    assert!(started.elapsed() < BOUND, "{:?}", started.elapsed());
    eprintln!("single upload into a blackhole: 503 after {took:?}");
}

/// The commit reaches PostgreSQL, its answer does not come back: 503, yet stored; the
/// device's retry is deduplicated.
#[tokio::test]
async fn an_upload_answered_503_may_be_stored_and_its_retry_is_deduplicated() {
    let (app, proxy) = app_behind_db_proxy(|_| {}).await;
    assert_eq!(post_upload(&app, 0).await.0, 200);
    proxy.drop_replies();
    let (status, body, took) = post_upload(&app, 1).await;
    assert_eq!(status, 503, "{body}");
    assert!(took < BOUND, "{took:?}");
    proxy.restore();
    wait_until("the pool reconnects", || async {
        app.get("/readyz").await.status() == 200
    })
    .await;
    assert_eq!(post_upload(&app, 1).await.0, 200);
    assert_eq!(stored_uploads(&app).await, (2, 0));
}
