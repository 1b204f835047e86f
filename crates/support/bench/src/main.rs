//! `ents-load`: posts protobuf uploads to `POST /api/sensor/` from many concurrent
//! connections and prints one JSON line of results (requests/s, rows/s, latency
//! percentiles, successes). Every request carries a distinct device timestamp, so each
//! success is new rows (no idempotent no-ops). Used by `scripts/bench.sh`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use ents_wire::proto::{
    Measurement, MeasurementMetadata, Metadata, PowerMeasurement, RepeatedSensorMeasurements,
    SensorMeasurement, measurement, sensor_measurement,
};
use prost::Message as _;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Kind {
    /// Legacy `power` (one `power_data` row per request).
    Power,
    /// Generic, `--items` decimal items per request (one `data` row each).
    Generic,
}

#[derive(Debug, Parser)]
#[command(name = "ents-load", about = "Upload load generator")]
struct Cli {
    /// e.g. http://127.0.0.1:8000/api/sensor/
    #[arg(long)]
    url: String,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value_t = 20_000)]
    requests: u64,
    #[arg(long, value_enum, default_value_t = Kind::Power)]
    kind: Kind,
    #[arg(long, default_value_t = 4)]
    items: u32,
    /// Uploads are spread over cells 1..=cells (request n goes to cell n % cells + 1, at
    /// `ts0 + n / cells`), as field nodes are: many cells, each uploading now and then.
    #[arg(long, default_value_t = 1000)]
    cells: u32,
    #[arg(long, default_value_t = 1)]
    logger: u32,
    /// First device timestamp.
    #[arg(long, default_value_t = 1_600_000_000)]
    ts0: u32,
}

fn body(cli: &Cli, n: u32) -> Vec<u8> {
    let cells = cli.cells.max(1);
    let (cell, ts) = (n % cells + 1, cli.ts0 + n / cells);
    match cli.kind {
        Kind::Power => Measurement {
            meta: Some(MeasurementMetadata {
                cell_id: cell,
                logger_id: cli.logger,
                ts,
            }),
            measurement: Some(measurement::Measurement::Power(PowerMeasurement {
                voltage: 1.5,
                current: 0.0002,
            })),
        }
        .encode_to_vec(),
        Kind::Generic => RepeatedSensorMeasurements {
            meta: Some(Metadata {
                cell_id: cell,
                logger_id: cli.logger,
                ts,
            }),
            r#type: 0,
            measurements: (1..=cli.items)
                .map(|t| SensorMeasurement {
                    meta: None,
                    r#type: i32::try_from(t).unwrap_or(1),
                    idx: 0,
                    value: Some(sensor_measurement::Value::Decimal(f64::from(t))),
                })
                .collect(),
        }
        .encode_to_vec(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Arc::new(Cli::parse());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(cli.connections)
        .timeout(Duration::from_secs(60))
        .build()?;
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..cli.connections)
        .map(|_| {
            let (cli, client, next) = (cli.clone(), client.clone(), next.clone());
            tokio::spawn(async move {
                let mut latencies = Vec::new();
                let mut failures = 0u64;
                loop {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n >= cli.requests {
                        break;
                    }
                    let mut request = client
                        .post(&cli.url)
                        .header("Content-Type", "application/octet-stream")
                        .body(body(&cli, u32::try_from(n).unwrap_or(u32::MAX)));
                    if matches!(cli.kind, Kind::Generic) {
                        request = request.header("SensorVersion", "2");
                    }
                    let t = Instant::now();
                    match request.send().await {
                        Ok(r) if r.status() == 200 => latencies.push(t.elapsed()),
                        _ => failures += 1,
                    }
                }
                (latencies, failures)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut failures = 0;
    for w in workers {
        let (l, f) = w.await.context("a worker panicked")?;
        latencies.extend(l);
        failures += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pct = |p: f64| {
        let i = ((latencies.len() as f64 - 1.0) * p).round() as usize;
        latencies.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    let successes = latencies.len() as f64;
    let rows_per_request = match cli.kind {
        Kind::Power => 1.0,
        Kind::Generic => f64::from(cli.items),
    };
    let report = serde_json::json!({
        "kind": format!("{:?}", cli.kind).to_lowercase(),
        "connections": cli.connections,
        "requests": cli.requests,
        "successes": latencies.len(),
        "failures": failures,
        "seconds": elapsed,
        "requests_per_s": successes / elapsed,
        "rows_per_s": successes * rows_per_request / elapsed,
        "rows_expected": successes * rows_per_request,
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    });
    let mut line = report.to_string();
    line.push('\n');
    std::io::Write::write_all(&mut std::io::stdout(), line.as_bytes())?;
    Ok(())
}
