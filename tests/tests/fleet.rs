//! Scale-out proven (docs/deploy.md#scale-out-proven): two `ents serve` and two `ents-worker`
//! processes on one PostgreSQL and one RabbitMQ (a node of the test's own, so that it can be
//! restarted), configured through the environment as an operator would. Uploads are spread over
//! both APIs; live clients on each API receive every upload exactly once; exports and TTN
//! registrations started on either API run exactly once. Then the faults: SIGKILL an API under
//! load, SIGKILL the worker running an export, restart the broker with exports in flight.
//! Slow (it builds and starts real processes); nextest runs it beside the others.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "fleet/broker.rs"]
mod broker;
#[allow(dead_code)]
#[path = "live_push/clients.rs"]
mod clients;
#[path = "fleet/fleet_members.rs"]
mod fleet_members;
#[path = "fleet/processes.rs"]
mod processes;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};

use clients::{Client, Kind, Mode};
use ents_e2e::eventually;
use fleet_members::{Fleet, power_upload};
use serde_json::{Value, json};

/// Cells of the phases: steady uploads, uploads under a kill, the big export.
const STEADY_CELL: u32 = 1;
const LOAD_CELL: u32 = 2;
const BIG_CELL: u32 = 3;
/// Rows of the export the worker is killed in (long enough to be caught running).
const BIG_ROWS: u32 = 400_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_fleet_of_two_apis_and_two_workers_keeps_its_promises_under_kills() {
    let mut fleet = Fleet::start(&[STEADY_CELL, LOAD_CELL, BIG_CELL], BIG_CELL, BIG_ROWS).await;
    let token = fleet.sign_in().await;

    spread_uploads_reach_every_live_client_once(&fleet).await;
    jobs_started_on_either_api_run_once(&fleet, &token).await;
    an_api_killed_under_load_loses_no_acknowledged_upload(&mut fleet).await;
    a_worker_killed_mid_export_hands_the_job_over(&mut fleet, &token).await;
    a_broker_restart_loses_no_job(&fleet, &token).await;
}

/// Live clients on each API (the Python client on one, the dashboard's on the other) receive
/// every upload, whichever API stored it, once: after the 20 uploads a sentinel is the next
/// event each sees.
async fn spread_uploads_reach_every_live_client_once(fleet: &Fleet) {
    let mut on_a = Client::connect(Kind::Python, Mode::Websocket, &fleet.api(0)).await;
    let mut on_b = Client::connect(Kind::Node, Mode::Websocket, &fleet.api(1)).await;
    on_a.subscribe(json!([STEADY_CELL])).await;
    on_b.subscribe(json!([STEADY_CELL])).await;

    let http = reqwest::Client::new();
    let mut sent = BTreeSet::new();
    for n in 0..20u32 {
        let ts = 1_700_000_000 + n;
        let response = power_upload(&http, &fleet.api(n as usize % 2), STEADY_CELL, ts).await;
        assert_eq!(response.map(|r| r.status().as_u16()).ok(), Some(200));
        sent.insert(u64::from(ts));
    }
    let sentinel = 1_700_000_999u32;
    power_upload(&http, &fleet.api(0), STEADY_CELL, sentinel)
        .await
        .unwrap();

    for (name, client) in [("python on A", &mut on_a), ("dashboard on B", &mut on_b)] {
        let mut received = BTreeSet::new();
        for _ in 0..sent.len() {
            let event: Value = serde_json::from_str(&client.next_measurement().await).unwrap();
            assert!(
                received.insert(event["timestamp"].as_u64().unwrap()),
                "{name}: {event} twice"
            );
        }
        assert_eq!(received, sent, "{name}");
        let next: Value = serde_json::from_str(&client.next_measurement().await).unwrap();
        assert_eq!(
            next["timestamp"],
            u64::from(sentinel),
            "{name}: an extra event"
        );
    }
    assert_eq!(fleet.count("power_data", STEADY_CELL).await, 21);
}

/// Exports and TTN registrations, started alternately on both APIs, each run once on the
/// workers: one attempt, one file per export, one registration call sequence per logger.
async fn jobs_started_on_either_api_run_once(fleet: &Fleet, token: &str) {
    let mut exports = Vec::new();
    for n in 0..4 {
        exports.push(fleet.start_export(n % 2, token, STEADY_CELL).await);
    }
    let mut loggers = Vec::new();
    for n in 0..4 {
        let body = json!({
            "name": format!("node-{n}"), "type": "ents", "description": "fleet",
            "userEmail": "someone@example.com",
            "device_eui": format!("0080E115054600{n:02}"),
            "dev_eui": format!("0080E115054600{n:02}"),
            "join_eui": "0101010101010101",
            "app_key": "0123456789ABCDEF0123456789ABCDEF",
        });
        let (status, created) = fleet.call(n % 2, token, "POST", "/api/logger/", body).await;
        assert_eq!(status, 201, "{created}");
        loggers.push(created["logger_id"].as_i64().unwrap());
    }

    for id in &exports {
        let export = fleet.wait_export(0, token, id).await;
        assert_eq!(export["state"], "succeeded", "{export}");
        assert_eq!(fleet.export_files(id), vec![format!("{id}.1.csv")]);
    }
    let writes = eventually(|| async {
        let writes = fleet.ttn_writes().await;
        (writes.len() >= 4 * loggers.len()).then_some(writes)
    })
    .await
    .expect("every registration reaches TTN");
    for id in &loggers {
        let device = format!("dirtviz-{id}");
        let mine = writes.iter().filter(|w| w.contains(&device)).count();
        assert_eq!(mine, 4, "registration of logger {id} ran once: {writes:?}");
    }
    // A job's last TTN call comes a moment before the worker records it finished.
    let jobs = eventually(|| async {
        let jobs = fleet.jobs().await;
        jobs.iter().all(|j| j.2 == "succeeded").then_some(jobs)
    })
    .await
    .unwrap_or_else(|| panic!("jobs never all finished\n{}", fleet.tails()));
    assert!(jobs.iter().all(|j| j.3 == 1), "each job ran once: {jobs:?}");
    // Nothing more arrives later (a second run would add calls).
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(fleet.ttn_writes().await.len(), writes.len());
}

/// Eight clients upload through both APIs; one API is SIGKILLed mid-load. A client whose
/// upload failed retries it on the other API (as a load balancer would). Every reading sent is
/// stored, once.
async fn an_api_killed_under_load_loses_no_acknowledged_upload(fleet: &mut Fleet) {
    let apis = [fleet.api(0), fleet.api(1)];
    let killed = Arc::new(AtomicBool::new(false));
    let failures = Arc::new(AtomicU32::new(0));
    let sent = Arc::new(AtomicU32::new(0));
    let mut clients = Vec::new();
    for client in 0..8u32 {
        let (apis, killed, failures, sent) =
            (apis.clone(), killed.clone(), failures.clone(), sent.clone());
        clients.push(tokio::spawn(async move {
            let http = reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap();
            let mut latencies = Vec::new();
            for n in 0..150u32 {
                let ts = 1_710_000_000 + client * 1_000 + n;
                let mut api = (client + n) as usize % 2;
                let started = Instant::now();
                let mut attempts = 0;
                loop {
                    attempts += 1;
                    assert!(attempts <= 20, "upload {ts} never acknowledged");
                    // Once API B is gone, a balancer sends the retries to A.
                    if killed.load(Ordering::SeqCst) && attempts > 1 {
                        api = 0;
                    }
                    match power_upload(&http, &apis[api], LOAD_CELL, ts).await {
                        Ok(r) if r.status() == 200 => break,
                        Ok(r) if r.status().is_client_error() => panic!("{ts}: {}", r.status()),
                        _ => {
                            failures.fetch_add(1, Ordering::SeqCst);
                            api = 0;
                            tokio::time::sleep(Duration::from_millis(50)).await;
                        }
                    }
                }
                latencies.push(started.elapsed());
                sent.fetch_add(1, Ordering::SeqCst);
            }
            latencies
        }));
    }

    // Kill B once the load is well under way.
    eventually(|| async { (sent.load(Ordering::SeqCst) >= 300).then_some(()) })
        .await
        .expect("the load runs");
    fleet.kill_api(1).await;
    killed.store(true, Ordering::SeqCst);

    let mut latencies = Vec::new();
    for client in clients {
        latencies.extend(client.await.unwrap());
    }
    latencies.sort();
    let uploads = sent.load(Ordering::SeqCst);
    assert_eq!(uploads, 8 * 150);
    let rows = fleet.count("power_data", LOAD_CELL).await;
    let distinct = fleet.distinct_ts("power_data", LOAD_CELL).await;
    assert_eq!(rows, distinct, "a reading stored twice");
    assert_eq!(rows, i64::from(uploads), "rows == acknowledged uploads");
    eprintln!(
        "fleet figure: API SIGKILLed under 8 clients: {uploads} uploads acknowledged, {rows} rows, \
         {} failed attempts retried, p50 {:?}, p99 {:?}, max {:?}",
        failures.load(Ordering::SeqCst),
        latencies[latencies.len() / 2],
        latencies[latencies.len() * 99 / 100],
        latencies[latencies.len() - 1],
    );
}

/// The worker that runs an export is SIGKILLed: the other finishes it (after the lease runs
/// out), with one more attempt counted and one file.
async fn a_worker_killed_mid_export_hands_the_job_over(fleet: &mut Fleet, token: &str) {
    let id = fleet.start_export(0, token, BIG_CELL).await;
    let runner = eventually(|| async { fleet.worker_running(&id) })
        .await
        .unwrap_or_else(|| panic!("no worker started the export\n{}", fleet.tails()));
    let state = fleet.job_state(&id).await;
    assert_eq!(
        state, "running",
        "the export ran too fast to be caught running"
    );
    let killed_at = Instant::now();
    fleet.kill_worker(runner).await;

    let export = fleet.wait_export(0, token, &id).await;
    assert_eq!(export["state"], "succeeded", "{export}");
    let attempts = fleet.job_attempts(&id).await;
    assert_eq!(attempts, 2, "the killed attempt is counted");
    assert_eq!(fleet.export_files(&id), vec![format!("{id}.2.csv")]);
    eprintln!(
        "fleet figure: worker SIGKILLed mid-export ({BIG_ROWS} rows): finished by the other \
         worker {:?} after the kill (lease {}s), attempts {attempts}",
        killed_at.elapsed(),
        fleet_members::LEASE_SECS,
    );
}

/// Exports in flight while the broker restarts — two big ones running on the worker, whose
/// acknowledgements the restart cuts off — and two submitted just after: each succeeds once,
/// none is dead-lettered, no job is left unfinished.
async fn a_broker_restart_loses_no_job(fleet: &Fleet, token: &str) {
    let mut exports = Vec::new();
    for _ in 0..2 {
        exports.push(fleet.start_export(0, token, BIG_CELL).await);
    }
    for id in &exports {
        eventually(|| async { fleet.worker_running(id).map(|_| ()) })
            .await
            .unwrap_or_else(|| panic!("export {id} never started\n{}", fleet.tails()));
    }
    let restart = Instant::now();
    fleet.broker.restart().await;
    let restarted = restart.elapsed();
    for _ in 0..2 {
        exports.push(fleet.start_export(0, token, STEADY_CELL).await);
    }
    for id in &exports {
        let export = fleet.wait_export(0, token, id).await;
        assert_eq!(export["state"], "succeeded", "{export}");
        assert_eq!(fleet.job_attempts(id).await, 1, "export {id} ran once");
    }
    let jobs = fleet.jobs().await;
    let unfinished: Vec<_> = jobs.iter().filter(|j| j.2 != "succeeded").collect();
    assert!(unfinished.is_empty(), "{unfinished:?}");
    assert_eq!(fleet.dead_letters().await, 0, "nothing dead-lettered");
    eprintln!(
        "fleet figure: broker restarted ({restarted:?}) with 2 exports of {BIG_ROWS} rows running: \
         all 4 exports succeeded once, {:?} after the restart began; 0 dead letters",
        restart.elapsed()
    );
}
