#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! Debian's real `prometheus` scrapes a running API server and a running `ents-worker` while
//! uploads, a query and an export run; its HTTP API must then report exactly what was done
//! (the rollup triggers the uploads ran included),
//! and `promtool check metrics` must accept both expositions. `scripts/prometheus.sh`
//! installs the package; without apt the test is skipped with a message.
//!
//! The API server is the real application in this test process (`TestApp`: this process's
//! recorder is the API's, nextest runs each test in a process of its own); the worker is the
//! real binary.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use ents_runtime::testing::TestApp;
use ents_test_support::{amqp_url, delete_queues, exposes, unique_name, wait_until};
use secrecy::SecretString;
use serde_json::{Value, json};

const UPLOADS: usize = 12;

/// A child process killed when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// The directory of Debian's `prometheus` and `promtool`; `None` when it cannot be installed.
fn prometheus_binaries() -> Option<PathBuf> {
    let output = Command::new("bash")
        .arg(repository().join("scripts/prometheus.sh"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    match output.status.code() {
        Some(0) => Some(PathBuf::from(
            String::from_utf8(output.stdout).unwrap().trim(),
        )),
        Some(3) => None,
        other => panic!("scripts/prometheus.sh failed: {other:?}"),
    }
}

async fn scrape(url: &str) -> String {
    reqwest::get(url).await.unwrap().text().await.unwrap()
}

/// An instant query's single value (summed by the query); `None` while there is no sample.
async fn query(prometheus: &str, promql: &str) -> Option<f64> {
    let url =
        reqwest::Url::parse_with_params(&format!("{prometheus}/api/v1/query"), [("query", promql)])
            .ok()?;
    let response: Value = reqwest::get(url).await.ok()?.json().await.ok()?;
    response["data"]["result"][0]["value"][1]
        .as_str()?
        .parse()
        .ok()
}

fn promtool_accepts(bin: &Path, exposition: &str) {
    use std::io::Write;
    let mut child = Command::new(bin.join("promtool"))
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(exposition.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "promtool check metrics: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Every metric `deploy/grafana/ents.json` queries has samples in `exposition`.
fn every_dashboard_metric_is_exposed(exposition: &str) {
    let dashboard: Value = serde_json::from_str(
        &std::fs::read_to_string(repository().join("deploy/grafana/ents.json")).unwrap(),
    )
    .unwrap();
    let exprs: Vec<&str> = dashboard["panels"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|panel| panel["targets"].as_array().unwrap())
        .map(|target| target["expr"].as_str().unwrap())
        .collect();
    assert!(exprs.len() >= 15, "the dashboard's queries");
    let mut names: Vec<&str> = exprs
        .iter()
        .flat_map(|expr| expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')))
        .filter(|word| {
            ["ents_", "http_server_", "process_"]
                .iter()
                .any(|p| word.starts_with(p))
        })
        .collect();
    names.sort_unstable();
    names.dedup();
    let missing: Vec<&&str> = names
        .iter()
        .filter(|name| !exposes(exposition, name))
        .collect();
    assert!(
        missing.is_empty(),
        "queried by the dashboard, not exposed: {missing:?}"
    );
}

#[tokio::test]
async fn prometheus_counts_what_the_server_and_the_worker_did() {
    let Some(bin) = prometheus_binaries() else {
        eprintln!("SKIPPED: Debian's prometheus package cannot be installed (no apt-get)");
        return;
    };
    let queue = unique_name("ents_metrics");
    let app = TestApp::spawn_with(|s| {
        s.amqp.url = Some(SecretString::from(amqp_url()));
        s.amqp.queue = queue.clone();
        // The uploads' sessions time the rollup triggers (the test database's user is a
        // superuser); the worker reports them.
        s.database.track_functions = true;
    })
    .await;
    let api_metrics = app.metrics_url.clone().unwrap();
    let worker_port = free_port();
    let _worker = Running(
        Command::new(env!("CARGO_BIN_EXE_ents-worker"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("DATABASE_URL", app.db.url())
            .env("ENTS_AMQP__URL", amqp_url())
            .env("ENTS_AMQP__QUEUE", &queue)
            .env("ENTS_EXPORTS__DIRECTORY", &app.settings.exports.directory)
            .env("ENTS_METRICS__LISTEN", format!("127.0.0.1:{worker_port}"))
            .env("ENTS_LOG__FILTER", "warn")
            // The rollup sampler runs every sweep interval.
            .env("ENTS_JOBS__SWEEP_INTERVAL_SECS", "1")
            .current_dir(std::env::temp_dir())
            .spawn()
            .unwrap(),
    );
    let worker_metrics = format!("http://127.0.0.1:{worker_port}/metrics");

    // Prometheus scraping both every second.
    let dir = std::env::temp_dir().join(unique_name("ents-prometheus"));
    std::fs::create_dir_all(&dir).unwrap();
    let api_target = api_metrics
        .trim_start_matches("http://")
        .trim_end_matches("/metrics");
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global: {{scrape_interval: 1s}}\nscrape_configs:\n  \
             - job_name: api\n    static_configs: [{{targets: ['{api_target}']}}]\n  \
             - job_name: worker\n    static_configs: [{{targets: ['127.0.0.1:{worker_port}']}}]\n"
        ),
    )
    .unwrap();
    let web = free_port();
    let _prometheus = Running(
        Command::new(bin.join("prometheus"))
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{web}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let prometheus = format!("http://127.0.0.1:{web}");
    wait_until("prometheus sees both targets up", || async {
        query(&prometheus, "sum(up)").await == Some(2.0)
    })
    .await;

    // The work: uploads, a query, an export.
    let (db, connection) = tokio_postgres::connect(app.db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    db.batch_execute("INSERT INTO cell (id, name) VALUES (1, 'c1')")
        .await
        .unwrap();
    for i in 0..UPLOADS {
        let body = json!({"type": "teros12", "cellId": 1, "loggerId": 1,
            "ts": 1_704_103_200 + 60 * i, "data": {"vwcAdj": 0.4, "vwcRaw": 2, "temp": 3, "ec": 1}});
        let response = app
            .client
            .post(app.url("/api/sensor_json/"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let read = app
        .get("/api/teros/1?startTime=Mon,%2001%20Jan%202024%2000:00:00%20GMT&endTime=Wed,%2003%20Jan%202024%2000:00:00%20GMT&resample=none")
        .await;
    assert_eq!(read.status(), 200);
    let export: Value = app
        .client
        .post(app.url("/api/exports"))
        .json(&json!({"cell_ids": [1], "start": "2024-01-01T00:00:00Z",
            "end": "2024-01-03T00:00:00Z", "resample": "none", "format": "csv"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = export["id"].as_str().unwrap().to_owned();
    wait_until("the export succeeds in the worker", || async {
        let status: Value = app
            .get(&format!("/api/exports/{id}"))
            .await
            .json()
            .await
            .unwrap();
        status["state"] == "succeeded"
    })
    .await;
    let stored: i64 = db
        .query_one("SELECT count(*) FROM teros_data", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored, UPLOADS as i64);

    // What Prometheus saw equals what was done.
    let expect = [
        (
            r#"sum(ents_uploads_total{job="api",outcome="committed"})"#,
            UPLOADS as f64,
        ),
        (
            r#"sum(ents_measurement_rows_stored_total{job="api"})"#,
            stored as f64,
        ),
        (
            r#"sum(http_server_request_duration_seconds_count{job="api",route="/api/sensor_json/",status_class="2xx"})"#,
            UPLOADS as f64,
        ),
        (
            r#"sum(http_server_request_duration_seconds_count{job="api",route=~"/api/teros/.*"})"#,
            1.0,
        ),
        (
            r#"sum(ents_jobs_total{job="worker",kind="export.csv",outcome="succeeded"})"#,
            1.0,
        ),
        (r#"sum(ents_export_files_total{job="worker"})"#, 1.0),
        // One trigger run per upload's statement (uploads one at a time: no shared batch);
        // database-wide figures, so `max` across instances.
        (
            r#"max(ents_rollup_maintenance_calls_total{job="worker",table="teros_data"})"#,
            UPLOADS as f64,
        ),
    ];
    for (promql, want) in expect {
        wait_until(&format!("{promql} == {want}"), || async {
            query(&prometheus, promql).await == Some(want)
        })
        .await;
    }
    // The export's rows (lines after the header) and bytes are the file's.
    let file = std::fs::read_dir(&app.settings.exports.directory)
        .unwrap()
        .filter_map(Result::ok)
        .find(|e| e.path().extension().is_some_and(|x| x == "csv"))
        .expect("the export file");
    let csv = std::fs::read_to_string(file.path()).unwrap();
    let rows = csv.lines().count() - 1;
    let size = csv.len() as f64;
    for (promql, want) in [
        (r#"sum(ents_export_rows_total{job="worker"})"#, rows as f64),
        (r#"sum(ents_export_bytes_total{job="worker"})"#, size),
    ] {
        wait_until(&format!("{promql} == {want}"), || async {
            query(&prometheus, promql).await == Some(want)
        })
        .await;
    }
    wait_until("the rollup triggers' time is reported", || async {
        query(
            &prometheus,
            r#"max(ents_rollup_maintenance_seconds_total{job="worker",table="teros_data"})"#,
        )
        .await
        .is_some_and(|seconds| seconds > 0.0)
    })
    .await;
    wait_until("process metrics of both", || async {
        query(&prometheus, "count(process_resident_memory_bytes > 0)").await == Some(2.0)
    })
    .await;

    let (api, worker) = (scrape(&api_metrics).await, scrape(&worker_metrics).await);
    promtool_accepts(&bin, &api);
    promtool_accepts(&bin, &worker);
    every_dashboard_metric_is_exposed(&format!("{api}\n{worker}"));
    delete_queues(&queue).await;
    let _ = std::fs::remove_dir_all(&dir);
}
