#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime, Utc};

use super::*;
use crate::DomainError;
use crate::jobs::{Job, JobFailure, JobHandler, JobId, JobState, ProgressSink};
use crate::series::{Resample, TimeRange};

fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 13)
        .unwrap()
        .and_hms_opt(h, m, s)
        .unwrap()
}

fn range() -> TimeRange {
    TimeRange {
        start: at(0, 0, 0),
        end: at(23, 0, 0),
    }
}

fn label(name: &str) -> Arc<SeriesLabel> {
    Arc::new(SeriesLabel {
        cell_id: 1,
        cell_name: name.into(),
        source: "sensor",
        sensor: "bme280".into(),
        measurement: "pressure".into(),
        unit: "kPa".into(),
        data_type: "float".into(),
    })
}

#[test]
fn rows_are_encoded_as_rfc4180_with_iso_utc_times() {
    let mut out = String::new();
    let row = ExportRow {
        series: label("plain"),
        ts: at(20, 2, 42),
        value: ExportValue::Number(1000.0),
        logger: Some("logger-7".into()),
    };
    encode_row(&row, &mut out);
    let row = ExportRow {
        series: label("a, \"quoted\" cell"),
        ts: at(20, 2, 42) + chrono::TimeDelta::milliseconds(500),
        value: ExportValue::Text("two\nlines".into()),
        logger: None,
    };
    encode_row(&row, &mut out);
    assert_eq!(
        out,
        "1,plain,sensor,bme280,pressure,kPa,2024-01-13T20:02:42Z,1000,logger-7\n\
         1,\"a, \"\"quoted\"\" cell\",sensor,bme280,pressure,kPa,2024-01-13T20:02:42.500Z,\"two\nlines\",\n"
    );
}

#[test]
fn a_request_drops_duplicate_cells_and_names_bad_fields() {
    let r = ExportRequest::new(&[2, 1, 2], range(), Resample::None, ExportFormat::Csv).unwrap();
    assert_eq!(r.cell_ids(), &[2, 1]);
    let backwards = TimeRange {
        start: range().end,
        end: range().start,
    };
    let Err(DomainError::Invalid(fields)) =
        ExportRequest::new(&[], backwards, Resample::Hour, ExportFormat::Csv)
    else {
        panic!("expected Invalid");
    };
    assert_eq!(fields.keys().collect::<Vec<_>>(), ["cell_ids", "end"]);
}

#[test]
fn the_payload_round_trips_through_json() {
    let r = ExportRequest::new(&[3], range(), Resample::Week, ExportFormat::Csv).unwrap();
    let payload = ExportPayload::new(&r, None, true);
    let json = serde_json::to_value(&payload).unwrap();
    assert_eq!(json["resample"], "week");
    let back: ExportPayload = serde_json::from_value(json).unwrap();
    assert_eq!(back.request().unwrap(), r);
}

/// Two batches of one row each.
struct TwoBatches;

#[async_trait]
impl ExportRowSource for TwoBatches {
    async fn cell_names(&self, ids: &[i32]) -> Result<Vec<String>, DomainError> {
        Ok(ids.iter().map(|i| format!("c{i}")).collect())
    }

    async fn stream(
        &self,
        _: &ExportRequest,
        _: usize,
        sink: &mut dyn RowSink,
    ) -> Result<(), DomainError> {
        for (k, v) in [1.5, 2.5].into_iter().enumerate() {
            let row = ExportRow {
                series: label("c1"),
                ts: at(1, 0, 0),
                value: ExportValue::Number(v),
                logger: None,
            };
            sink.accept(&[row], (k + 1) as f32 / 2.0).await?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct MemoryFiles {
    published: Mutex<Vec<(String, Vec<u8>)>>,
}

struct MemoryWriter {
    name: String,
    bytes: Vec<u8>,
    store: Arc<MemoryFiles>,
}

#[async_trait]
impl ExportFileWriter for MemoryWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        self.bytes.extend_from_slice(bytes);
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<FinishedFile, DomainError> {
        let bytes = self.bytes.len() as u64;
        self.store
            .published
            .lock()
            .unwrap()
            .push((self.name.clone(), self.bytes));
        Ok(FinishedFile {
            name: self.name,
            bytes,
        })
    }
}

struct Files(Arc<MemoryFiles>);

#[async_trait]
impl ExportFileStore for Files {
    async fn create(
        &self,
        id: JobId,
        attempt: i32,
    ) -> Result<Box<dyn ExportFileWriter>, DomainError> {
        Ok(Box::new(MemoryWriter {
            name: format!("{id}.{attempt}.csv"),
            bytes: Vec::new(),
            store: self.0.clone(),
        }))
    }

    async fn open(&self, _: &str) -> Result<Box<dyn ExportReader>, DomainError> {
        Err(DomainError::NotFound("Export file expired".into()))
    }

    async fn remove_older_than(&self, _: Duration) -> Result<usize, DomainError> {
        Ok(0)
    }
}

#[derive(Default)]
struct Reports(Mutex<Vec<f32>>);

#[async_trait]
impl ProgressSink for Reports {
    async fn report(&self, fraction: f32) {
        self.0.lock().unwrap().push(fraction);
    }
}

fn job(payload: serde_json::Value) -> Job {
    Job {
        id: JobId::new(),
        kind: EXPORT_KIND.into(),
        state: JobState::Running,
        attempts: 2,
        max_attempts: 5,
        progress: 0.0,
        payload,
        result: None,
        error: None,
        created_at: Utc::now(),
        updated_at: Utc::now(),
        started_at: None,
        finished_at: None,
        run_after: Utc::now(),
        lease_until: None,
    }
}

#[tokio::test]
async fn the_handler_writes_header_and_rows_and_reports_progress() {
    let memory = Arc::new(MemoryFiles::default());
    let handler = ExportHandler::new(
        Arc::new(TwoBatches),
        Arc::new(Files(memory.clone())),
        ExportSettings {
            progress_interval: Duration::ZERO,
            ..ExportSettings::default()
        },
    );
    let r = ExportRequest::new(&[1], range(), Resample::None, ExportFormat::Csv).unwrap();
    let job = job(serde_json::to_value(ExportPayload::new(&r, None, false)).unwrap());
    let reports = Reports::default();
    let result = handler.run(&job, &reports).await.unwrap();
    let result: ExportResult = serde_json::from_value(result).unwrap();
    assert_eq!(result.file, format!("{}.2.csv", job.id));
    assert_eq!(result.rows, 2);
    let published = memory.published.lock().unwrap();
    let text = String::from_utf8(published[0].1.clone()).unwrap();
    assert_eq!(
        text,
        format!(
            "{CSV_HEADER}1,c1,sensor,bme280,pressure,kPa,2024-01-13T01:00:00Z,1.5,\n\
             1,c1,sensor,bme280,pressure,kPa,2024-01-13T01:00:00Z,2.5,\n"
        )
    );
    assert_eq!(result.bytes, text.len() as u64);
    assert_eq!(*reports.0.lock().unwrap(), [0.5, 0.99, 1.0]);
}

#[tokio::test]
async fn a_bad_payload_fails_for_good() {
    let handler = ExportHandler::new(
        Arc::new(TwoBatches),
        Arc::new(Files(Arc::default())),
        ExportSettings::default(),
    );
    let failure = handler
        .run(&job(serde_json::json!({"nope": 1})), &Reports::default())
        .await
        .unwrap_err();
    assert!(matches!(failure, JobFailure::Permanent(_)), "{failure:?}");
}

fn legacy_label(source: &'static str, sensor: &str, measurement: &str) -> Arc<SeriesLabel> {
    Arc::new(SeriesLabel {
        cell_id: 1,
        cell_name: "c1".into(),
        source,
        sensor: sensor.into(),
        measurement: measurement.into(),
        unit: String::new(),
        data_type: String::new(),
    })
}

fn value(label: &Arc<SeriesLabel>, ts: NaiveDateTime, v: f64) -> ExportRow {
    ExportRow {
        series: label.clone(),
        ts,
        value: ExportValue::Number(v),
        logger: None,
    }
}

#[test]
fn python_floats_are_spelled_as_python_prints_them() {
    let cases = [
        (2000.0, "2000.0"),
        (0.1, "0.1"),
        (1e-5, "1e-05"),
        (0.0001, "0.0001"),
        (1.5e16, "1.5e+16"),
        (1e15, "1000000000000000.0"),
        (-0.0, "-0.0"),
        (2000.0000000000002, "2000.0000000000002"),
    ];
    for (v, text) in cases {
        assert_eq!(python_float(v), text, "{v}");
    }
}

#[test]
fn the_seed_layout_merges_series_on_time_with_void_gaps() {
    let volt = legacy_label("power", "power", "voltage");
    let amp = legacy_label("power", "power", "current");
    let watt = legacy_label("power", "power", "power");
    let vwc = legacy_label("teros", "teros12", "vwc");
    let ec = legacy_label("teros", "teros12", "ec");
    let phytos = Arc::new(SeriesLabel {
        sensor: "phytos31".into(),
        measurement: "voltage".into(),
        unit: "V".into(),
        data_type: "float".into(),
        source: "sensor",
        ..(*legacy_label("sensor", "", "")).clone()
    });
    let other = Arc::new(SeriesLabel {
        sensor: "bme280".into(),
        ..(*phytos).clone()
    });
    let mut block = SeedBlock::new();
    for row in [
        value(&volt, at(10, 0, 0), 2000.0),
        // Two stored rows at 10:30 (two loggers).
        value(&volt, at(10, 30, 0), 1000.0),
        value(&amp, at(10, 30, 0), 2000.0),
        value(&watt, at(10, 30, 0), 2000.0),
        value(&volt, at(10, 30, 0), 1500.0),
        value(&vwc, at(10, 30, 0), 25.0),
        value(&ec, at(10, 30, 0), 120.0),
        value(&vwc, at(11, 0, 0), 26.5),
        value(&phytos, at(9, 0, 0), 0.5),
        value(&other, at(9, 0, 0), 7.0),
    ] {
        block.push(&row);
    }
    let mut out = String::new();
    assert_eq!(block.drain_into(&mut out), 5);
    assert!(block.is_empty());
    assert_eq!(
        format!("{SEED_CSV_HEADER}{out}"),
        "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n\
         2024-01-13 09:00:00,void,void,void,void,void,void,void,0.5,voltage,V,float\n\
         2024-01-13 10:00:00,void,void,void,void,2000.0,void,void,void,void,void,void\n\
         2024-01-13 10:30:00,25.0,void,120.0,void,1000.0,2000.0,2000.0,void,void,void,void\n\
         2024-01-13 10:30:00,25.0,void,120.0,void,1500.0,void,void,void,void,void,void\n\
         2024-01-13 11:00:00,26.5,void,void,void,void,void,void,void,void,void,void\n"
    );
}

#[test]
fn an_integer_column_without_gaps_stays_integer_as_in_pandas() {
    let ec = legacy_label("teros", "teros12", "ec");
    let mut block = SeedBlock::new();
    block.push(&value(&ec, at(1, 0, 0), 120.0));
    let mut out = String::new();
    block.drain_into(&mut out);
    assert_eq!(
        out,
        "2024-01-13 01:00:00,void,void,120,void,void,void,void,void,void,void,void\n"
    );
}

#[test]
fn export_formats_parse_and_print() {
    for format in [ExportFormat::Csv, ExportFormat::SeedCsv] {
        assert_eq!(ExportFormat::parse(format.as_str()), Some(format));
    }
    assert_eq!(ExportFormat::parse("xlsx"), None);
}
