//! The fleet under test and what the phases ask of it: its members' addresses, calls over HTTP,
//! and what the database, the export directory, the fake TTN and the broker hold.

use std::path::PathBuf;
use std::time::Duration;

use ents_e2e::eventually;
use ents_runtime::testing::{ACCESS_SECRET, REFRESH_SECRET, TestDb};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::broker::PrivateBroker;
use super::processes::{Binaries, Member, binaries, free_port};

/// Job lease of the members: how long a killed worker's job waits before another may run it.
pub const LEASE_SECS: u64 = 5;

pub struct Fleet {
    pub db: TestDb,
    pub broker: PrivateBroker,
    ttn: MockServer,
    exports: PathBuf,
    apis: Vec<(Member, String)>,
    workers: Vec<Member>,
    http: reqwest::Client,
}

impl Fleet {
    /// Seeds `cells` (and logger 1), `big_rows` power rows on `big_cell`, then starts the
    /// private broker, two APIs and two workers, and waits until both APIs are ready.
    pub async fn start(cells: &[u32], big_cell: u32, big_rows: u32) -> Self {
        let db = TestDb::new().await;
        let mut seed = String::from(
            "INSERT INTO logger (id, name, uuid, date_created) \
             VALUES (1, 'logger-1', gen_random_uuid(), now()); \
             SELECT setval('logger_id_seq', 1);",
        );
        for cell in cells {
            seed.push_str(&format!(
                "INSERT INTO cell (id, name) VALUES ({cell}, 'cell-{cell}');"
            ));
        }
        seed.push_str(&format!(
            "SELECT setval('cell_id_seq', 100); \
             INSERT INTO power_data (logger_id, cell_id, ts, ts_server, voltage, current) \
             SELECT 1, {big_cell}, timestamp '2024-01-01' + n * interval '1 second', now(), \
                    n * 0.001, 0.5 FROM generate_series(1, {big_rows}) AS n;"
        ));
        sql(&db, &seed).await;

        let ttn = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&ttn)
            .await;
        let (broker, Binaries { server, worker }) =
            tokio::join!(PrivateBroker::start(), binaries());
        let exports = std::env::temp_dir().join(ents_test_support::unique_name("ents-fleet"));
        std::fs::create_dir_all(&exports).unwrap();
        let env = environment(&db, &broker, &ttn, &exports);

        let mut apis = Vec::new();
        for name in ["api-a", "api-b"] {
            let port = free_port();
            let mut env = env.clone();
            env.push(("ENTS_HTTP__LISTEN".into(), format!("127.0.0.1:{port}")));
            let member = Member::spawn(name, &server, &["serve"], &env);
            apis.push((member, format!("http://127.0.0.1:{port}")));
        }
        let workers = ["worker-a", "worker-b"]
            .map(|name| Member::spawn(name, &worker, &[], &env))
            .into();
        let fleet = Self {
            db,
            broker,
            ttn,
            exports,
            apis,
            workers,
            http: reqwest::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .unwrap(),
        };
        for i in 0..2 {
            let ready = eventually(|| async {
                let response = fleet.http.get(fleet.url(i, "/readyz")).send().await.ok()?;
                (response.status() == 200).then_some(())
            })
            .await;
            assert!(ready.is_some(), "not ready:\n{}", fleet.apis[i].0.tail());
        }
        fleet
    }

    /// The base address of API `i`.
    pub fn api(&self, i: usize) -> String {
        self.apis[i].1.clone()
    }

    fn url(&self, i: usize, path: &str) -> String {
        format!("{}{path}", self.apis[i].1)
    }

    /// Registers on API A and signs in on API B (sessions live in the shared database).
    pub async fn sign_in(&self) -> String {
        let credentials = json!({"email": "fleet@example.com", "password": "correct horse"});
        let mut register = credentials.clone();
        register["first_name"] = json!("Ada");
        let response = self
            .http
            .post(self.url(0, "/api/auth/register"))
            .json(&register)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let response = self
            .http
            .post(self.url(1, "/api/auth/login"))
            .json(&credentials)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        response
            .text()
            .await
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_owned()
    }

    /// A JSON call with a bearer token on API `i`: status and body.
    pub async fn call(
        &self,
        i: usize,
        token: &str,
        method: &str,
        path: &str,
        body: Value,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self
            .http
            .request(method.clone(), self.url(i, path))
            .bearer_auth(token);
        if method != reqwest::Method::GET {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// Starts a raw CSV export of `cell` over all time on API `i`; its id.
    pub async fn start_export(&self, i: usize, token: &str, cell: u32) -> String {
        let body = json!({"cell_ids": [cell], "start": "2000-01-01", "end": "2100-01-01",
                          "resample": "none", "format": "csv"});
        let (status, export) = self.call(i, token, "POST", "/api/exports", body).await;
        assert_eq!(status, 202, "{export}");
        export["id"].as_str().unwrap().to_owned()
    }

    /// Polls export `id` on API `i` until it has finished; the export.
    pub async fn wait_export(&self, i: usize, token: &str, id: &str) -> Value {
        let path = format!("/api/exports/{id}");
        eventually(|| async {
            let (status, export) = self.call(i, token, "GET", &path, Value::Null).await;
            (status == 200 && ["succeeded", "failed"].contains(&export["state"].as_str()?))
                .then_some(export)
        })
        .await
        .unwrap_or_else(|| panic!("export {id} never finished\n{}", self.tails()))
    }

    /// The files of export `id` in the shared export directory.
    pub fn export_files(&self, id: &str) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.exports)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(id))
            .collect();
        names.sort();
        names
    }

    /// Every write the fake TTN received: `METHOD path body`.
    pub async fn ttn_writes(&self) -> Vec<String> {
        self.ttn
            .received_requests()
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.method != wiremock::http::Method::GET)
            .map(|r| {
                let body = String::from_utf8_lossy(&r.body).into_owned();
                format!("{} {} {body}", r.method, r.url.path())
            })
            .collect()
    }

    /// Every job: id, kind, state, attempts.
    pub async fn jobs(&self) -> Vec<(String, String, String, i32)> {
        query(
            &self.db,
            "SELECT id::text, kind, state, attempts FROM job ORDER BY created_at",
        )
        .await
        .iter()
        .map(|row| (row.get(0), row.get(1), row.get(2), row.get(3)))
        .collect()
    }

    pub async fn job_state(&self, id: &str) -> String {
        let rows = query(
            &self.db,
            &format!("SELECT state FROM job WHERE id = '{id}'"),
        )
        .await;
        rows[0].get(0)
    }

    pub async fn job_attempts(&self, id: &str) -> i32 {
        let rows = query(
            &self.db,
            &format!("SELECT attempts FROM job WHERE id = '{id}'"),
        )
        .await;
        rows[0].get(0)
    }

    /// Rows of `table` for `cell`.
    pub async fn count(&self, table: &str, cell: u32) -> i64 {
        let q = format!("SELECT count(*) FROM {table} WHERE cell_id = {cell}");
        query(&self.db, &q).await[0].get(0)
    }

    /// Distinct device timestamps of `table` for `cell`.
    pub async fn distinct_ts(&self, table: &str, cell: u32) -> i64 {
        let q = format!("SELECT count(DISTINCT ts) FROM {table} WHERE cell_id = {cell}");
        query(&self.db, &q).await[0].get(0)
    }

    /// Messages in the job queue's dead-letter queue.
    pub async fn dead_letters(&self) -> u64 {
        self.broker.messages("ents.jobs.dead").await
    }

    /// Which worker logged that it started job `id`.
    pub fn worker_running(&self, id: &str) -> Option<usize> {
        self.workers
            .iter()
            .position(|w| w.logged(&["job started", id]))
    }

    pub async fn kill_api(&mut self, i: usize) {
        self.apis[i].0.kill().await;
    }

    pub async fn kill_worker(&mut self, i: usize) {
        self.workers[i].kill().await;
    }

    /// The last log lines of every member.
    pub fn tails(&self) -> String {
        let apis = self.apis.iter().map(|(m, _)| m.tail());
        let workers = self.workers.iter().map(Member::tail);
        apis.chain(workers).collect::<Vec<_>>().join("\n")
    }
}

/// What every member is configured with: the operator's environment variables.
fn environment(
    db: &TestDb,
    broker: &PrivateBroker,
    ttn: &MockServer,
    exports: &std::path::Path,
) -> Vec<(String, String)> {
    let ttn = ttn.uri();
    [
        ("ENTS_DATABASE__URL", db.url().to_owned()),
        ("ENTS_DATABASE__CREATE_IF_MISSING", "false".into()),
        ("ENTS_DATABASE__POOL_MAX_SIZE", "8".into()),
        ("ENTS_AMQP__URL", broker.url()),
        ("ENTS_AUTH__ACCESS_TOKEN_SECRET", ACCESS_SECRET.into()),
        ("ENTS_AUTH__REFRESH_TOKEN_SECRET", REFRESH_SECRET.into()),
        ("ENTS_HTTP__WORKERS", "2".into()),
        ("ENTS_HTTP__SHUTDOWN_TIMEOUT_SECS", "1".into()),
        ("ENTS_JOBS__LEASE_SECS", LEASE_SECS.to_string()),
        ("ENTS_JOBS__RETRY_BACKOFF_MS", "100".into()),
        ("ENTS_JOBS__SWEEP_INTERVAL_SECS", "1".into()),
        ("ENTS_EXPORTS__DIRECTORY", exports.display().to_string()),
        ("ENTS_TTN__API_KEY", "NNSXS.fleet-key".into()),
        ("ENTS_TTN__APP_ID", "ents-app".into()),
        ("ENTS_TTN__IDENTITY_SERVER_URL", format!("{ttn}/is/api/v3")),
        ("ENTS_TTN__CLUSTER_URL", format!("{ttn}/api/v3")),
        // Every member its own admin listener (the default port would collide).
        ("ENTS_METRICS__LISTEN", "127.0.0.1:0".into()),
        ("ENTS_LOG__FORMAT", "json".into()),
        ("ENTS_LOG__FILTER", "info".into()),
    ]
    .map(|(k, v)| (k.to_owned(), v))
    .into()
}

/// A legacy protobuf power upload of `cell` at device time `ts` to `api`.
pub async fn power_upload(
    http: &reqwest::Client,
    api: &str,
    cell: u32,
    ts: u32,
) -> reqwest::Result<reqwest::Response> {
    use ents_wire::proto::{Measurement, MeasurementMetadata, PowerMeasurement, measurement};
    use prost::Message as _;
    let body = Measurement {
        meta: Some(MeasurementMetadata {
            cell_id: cell,
            logger_id: 1,
            ts,
        }),
        measurement: Some(measurement::Measurement::Power(PowerMeasurement {
            voltage: 1.5,
            current: 0.25,
        })),
    }
    .encode_to_vec();
    http.post(format!("{api}/api/sensor/"))
        .header("Content-Type", "application/octet-stream")
        .body(body)
        .send()
        .await
}

async fn connect(db: &TestDb) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(db.url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    client
}

async fn sql(db: &TestDb, statements: &str) {
    connect(db).await.batch_execute(statements).await.unwrap();
}

async fn query(db: &TestDb, q: &str) -> Vec<tokio_postgres::Row> {
    connect(db).await.query(q, &[]).await.unwrap()
}
