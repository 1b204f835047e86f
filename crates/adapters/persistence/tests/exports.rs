//! Export rows from PostgreSQL: the long layout in output order, batches of the size asked
//! (a server-side cursor), resampled means equal to the series reads', unknown cells.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use async_trait::async_trait;
use chrono::{NaiveDate, NaiveDateTime};
use ents_domain::DomainError;
use ents_domain::exports::{
    ExportFormat, ExportRequest, ExportRow, ExportRowSource, ExportValue, RowSink, format_timestamp,
};
use ents_domain::series::{ReadMode, Resample, SeriesQuery, SeriesRepository, TimeRange};
use ents_persistence::testing::TestDb;
use ents_persistence::{PgExportRowSource, PgSeriesRepository};

fn day(d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

fn request(cells: &[i32], resample: Resample) -> ExportRequest {
    let range = TimeRange {
        start: day(1, 0),
        end: day(3, 0),
    };
    ExportRequest::new(cells, range, resample, ExportFormat::Csv).unwrap()
}

#[derive(Default)]
struct Collect {
    batches: Vec<usize>,
    rows: Vec<String>,
    done: Vec<f32>,
}

#[async_trait]
impl RowSink for Collect {
    async fn accept(&mut self, rows: &[ExportRow], done: f32) -> Result<(), DomainError> {
        self.batches.push(rows.len());
        self.done.push(done);
        for r in rows {
            let value = match &r.value {
                ExportValue::Number(v) => v.to_string(),
                ExportValue::Text(t) => t.clone(),
            };
            self.rows.push(format!(
                "{} {} {} {} {} {} {}",
                r.series.cell_name,
                r.series.source,
                r.series.sensor,
                r.series.measurement,
                r.series.unit,
                format_timestamp(r.ts),
                value
            ));
        }
        Ok(())
    }
}

async fn seeded() -> TestDb {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    common::exec(
        &mut conn,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'), (2, 'c2'); \
         INSERT INTO power_data (cell_id, ts, voltage, current) VALUES \
           (1, '2024-01-01 10:30:00', 1, 0.002), (1, '2024-01-01 10:00:00', 2, NULL); \
         INSERT INTO teros_data (cell_id, ts, vwc, raw_vwc, temp, ec) VALUES \
           (1, '2024-01-02 00:00:00', 0.25, 2000, 21.5, 100); \
         INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (7, 1, 'pressure', 'float', 'kPa', 'bme280'), (8, 1, 'note', 'text', NULL, 'a_notes'); \
         INSERT INTO data (sensor_id, ts, float_val) VALUES \
           (7, '2024-01-01 05:10:00', 100), (7, '2024-01-01 05:50:00', 101), \
           (7, '2024-01-04 00:00:00', 999); \
         INSERT INTO data (sensor_id, ts, text_val) VALUES (8, '2024-01-01 06:00:00', 'hi')",
    )
    .await;
    db
}

#[tokio::test]
async fn raw_rows_come_in_long_format_in_output_order_in_small_batches() {
    let db = seeded().await;
    let source = PgExportRowSource::new(db.db(), true);
    let mut sink = Collect::default();
    source
        .stream(&request(&[1, 2], Resample::None), 4, &mut sink)
        .await
        .unwrap();
    assert_eq!(
        sink.rows,
        [
            "c1 power power voltage mV 2024-01-01T10:00:00Z 2000",
            "c1 power power voltage mV 2024-01-01T10:30:00Z 1000",
            "c1 power power current µA 2024-01-01T10:30:00Z 2000",
            "c1 power power power µW 2024-01-01T10:30:00Z 2000",
            "c1 teros teros12 vwc % 2024-01-02T00:00:00Z 25",
            "c1 teros teros12 temp °C 2024-01-02T00:00:00Z 21.5",
            "c1 teros teros12 ec µS/cm 2024-01-02T00:00:00Z 100",
            "c1 teros teros12 raw_vwc  2024-01-02T00:00:00Z 2000",
            "c1 sensor a_notes note  2024-01-01T06:00:00Z hi",
            "c1 sensor bme280 pressure kPa 2024-01-01T05:10:00Z 100",
            "c1 sensor bme280 pressure kPa 2024-01-01T05:50:00Z 101",
        ]
    );
    // Power: 4 / 3 fields = one stored row per FETCH; the rest fit in one.
    assert_eq!(sink.batches, [1, 3, 4, 1, 2]);
    assert!(
        sink.done.windows(2).all(|w| w[0] <= w[1]),
        "{:?}",
        sink.done
    );
}

#[tokio::test]
async fn hourly_means_equal_the_series_read() {
    let db = seeded().await;
    let source = PgExportRowSource::new(db.db(), true);
    let mut sink = Collect::default();
    source
        .stream(&request(&[1], Resample::Hour), 100, &mut sink)
        .await
        .unwrap();
    let pressure: Vec<&String> = sink.rows.iter().filter(|r| r.contains("bme280")).collect();
    assert_eq!(
        pressure,
        ["c1 sensor bme280 pressure kPa 2024-01-01T05:00:00Z 100.5"]
    );
    let power: Vec<&String> = sink.rows.iter().filter(|r| r.contains(" power ")).collect();
    let series = PgSeriesRepository::new(db.db(), true);
    let points = series
        .power(
            1,
            &SeriesQuery {
                range: request(&[1], Resample::Hour).range,
                mode: ReadMode::Buckets(Resample::Hour),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        power,
        [
            &format!(
                "c1 power power voltage mV 2024-01-01T10:00:00Z {}",
                points[0].fields[0].mean.unwrap()
            ),
            &format!(
                "c1 power power current µA 2024-01-01T10:00:00Z {}",
                points[0].fields[1].mean.unwrap()
            ),
            &format!(
                "c1 power power power µW 2024-01-01T10:00:00Z {}",
                points[0].fields[2].mean.unwrap()
            ),
        ]
    );
    // Text sensors are never aggregated.
    assert!(
        sink.rows
            .contains(&"c1 sensor a_notes note  2024-01-01T06:00:00Z hi".to_owned())
    );
}

#[tokio::test]
async fn an_unknown_cell_is_not_found() {
    let db = seeded().await;
    let source = PgExportRowSource::new(db.db(), true);
    assert!(matches!(
        source.cell_names(&[1, 42]).await,
        Err(DomainError::NotFound(m)) if m == "Cell not found"
    ));
    let mut sink = Collect::default();
    let result = source
        .stream(&request(&[42], Resample::None), 10, &mut sink)
        .await;
    assert!(matches!(result, Err(DomainError::NotFound(_))));
    // The connection went back to the pool usable (the transaction was rolled back).
    assert_eq!(source.cell_names(&[2, 1]).await.unwrap(), ["c2", "c1"]);
}
