//! The series reads and their rollups: aggregated answers read from the rollup tables equal
//! the aggregate of the raw rows — for any range, after late and back-filled uploads, after
//! deletes and updates, without double counting `ON CONFLICT DO NOTHING` retries — and the
//! migration back-fills the rollups of an adopted database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use diesel_async::AsyncPgConnection;
use ents_domain::series::{
    Point, ReadMode, Resample, SensorInfo, SensorSeries, SeriesQuery, SeriesRepository, TimeRange,
};
use ents_persistence::PgSeriesRepository;
use ents_persistence::testing::TestDb;

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
}

/// Deterministic pseudo-random numbers (no dependency, same data every run).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn unit(&mut self) -> f64 {
        (self.next() % 10_000) as f64 / 10_000.0
    }
}

fn sql_ts(ts: NaiveDateTime) -> String {
    format!("'{}'", ts.format("%Y-%m-%d %H:%M:%S%.6f"))
}

fn opt(value: f64, null: bool) -> String {
    if null {
        "NULL".to_owned()
    } else {
        format!("{value}")
    }
}

/// `n` rows per series spread over `days` days from `start`, with some NULLs.
fn rows_sql(rng: &mut Lcg, start: NaiveDateTime, days: i64, n: usize) -> (String, String, String) {
    let mut power = Vec::new();
    let mut teros = Vec::new();
    let mut data = Vec::new();
    for _ in 0..n {
        let offset = TimeDelta::seconds((rng.next() % (days as u64 * 86_400)) as i64)
            + TimeDelta::microseconds((rng.next() % 1_000_000) as i64);
        let ts = sql_ts(start + offset);
        let null = rng.next().is_multiple_of(10);
        power.push(format!(
            "(1, 1, {ts}, {}, {})",
            opt(rng.unit() * 3.0, null),
            opt(rng.unit() * 0.001, rng.next().is_multiple_of(13))
        ));
        // VWC as fractions and as percentages, to exercise the normalisation.
        let vwc = if rng.next().is_multiple_of(2) {
            rng.unit()
        } else {
            rng.unit() * 60.0
        };
        teros.push(format!(
            "(1, {ts}, {}, {}, {}, {})",
            opt(vwc, null),
            rng.unit() * 30.0,
            opt((rng.next() % 500) as f64, rng.next().is_multiple_of(7)),
            rng.unit() * 3000.0
        ));
        data.push(format!("(1, {ts}, {}, NULL)", rng.unit() * 100.0));
        data.push(format!("(2, {ts}, NULL, {})", rng.next() % 1000));
    }
    (
        format!(
            "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) VALUES {}",
            power.join(",")
        ),
        format!(
            "INSERT INTO teros_data (cell_id, ts, vwc, temp, ec, raw_vwc) VALUES {}",
            teros.join(",")
        ),
        format!(
            "INSERT INTO data (sensor_id, ts, float_val, int_val) VALUES {}",
            data.join(",")
        ),
    )
}

async fn seed(conn: &mut AsyncPgConnection) {
    common::exec(
        conn,
        "INSERT INTO cell (id, name) VALUES (1, 'c1'); \
         INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'l1', gen_random_uuid(), now()); \
         INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name) VALUES \
           (1, 1, 'Humidity', 'float', '%', 'SEN0308_HUMIDITY'), \
           (2, 1, 'Voltage', 'int', 'mV', 'POWER_VOLTAGE')",
    )
    .await;
}

async fn insert_random(
    conn: &mut AsyncPgConnection,
    rng: &mut Lcg,
    start: NaiveDateTime,
    days: i64,
    n: usize,
) {
    let (p, t, d) = rows_sql(rng, start, days, n);
    common::exec(conn, &format!("{p}; {t}; {d}")).await;
}

fn sensor(id: i32, data_type: &str) -> SensorInfo {
    SensorInfo {
        id,
        cell_id: 1,
        name: String::new(),
        measurement: String::new(),
        data_type: data_type.to_owned(),
        unit: None,
    }
}

fn numeric(series: SensorSeries) -> Vec<Point> {
    match series {
        SensorSeries::Numeric(points) => points,
        SensorSeries::Text(_) => panic!("a numeric sensor"),
    }
}

/// Equal timestamps and counts, min/max exactly, means to a relative 1e-9 (the rollups sum
/// in another order).
fn assert_same(rolled: &[Point], raw: &[Point], what: &str) {
    assert_eq!(rolled.len(), raw.len(), "{what}: bucket count");
    for (a, b) in rolled.iter().zip(raw) {
        assert_eq!(a.ts, b.ts, "{what}");
        for (x, y) in a.fields.iter().zip(&b.fields) {
            assert_eq!(
                (x.count, x.min, x.max),
                (y.count, y.min, y.max),
                "{what} at {}",
                a.ts
            );
            match (x.mean, y.mean) {
                (Some(m), Some(n)) => assert!(
                    (m - n).abs() <= 1e-9 * n.abs().max(1.0),
                    "{what} at {}: {m} vs {n}",
                    a.ts
                ),
                (m, n) => assert_eq!(m, n, "{what} at {}", a.ts),
            }
        }
    }
}

/// Compares every series, every resample width and several ranges (aligned, unaligned,
/// shorter than a bucket) between the rollup path and the all-raw path.
async fn assert_rollups_match_raw(db: &TestDb) {
    let rolled = PgSeriesRepository::new(db.db(), true);
    let raw = PgSeriesRepository::new(db.db(), false);
    let ranges = [
        (t0() - TimeDelta::days(400), t0() + TimeDelta::days(400)),
        (
            t0() + TimeDelta::minutes(90) + TimeDelta::microseconds(7),
            t0() + TimeDelta::days(20) + TimeDelta::seconds(59),
        ),
        (t0() + TimeDelta::days(3), t0() + TimeDelta::days(10)),
        (t0() + TimeDelta::minutes(10), t0() + TimeDelta::minutes(50)),
    ];
    for (start, end) in ranges {
        for resample in [
            Resample::Minute,
            Resample::Hour,
            Resample::Day,
            Resample::Week,
            Resample::Month,
        ] {
            let q = SeriesQuery {
                range: TimeRange { start, end },
                mode: ReadMode::Buckets(resample),
            };
            let what = format!("{resample:?} {start}..{end}");
            assert_same(
                &rolled.power(1, &q).await.unwrap(),
                &raw.power(1, &q).await.unwrap(),
                &format!("power {what}"),
            );
            assert_same(
                &rolled.teros(1, &q).await.unwrap(),
                &raw.teros(1, &q).await.unwrap(),
                &format!("teros {what}"),
            );
            for s in [sensor(1, "float"), sensor(2, "int")] {
                assert_same(
                    &numeric(rolled.sensor(&s, &q).await.unwrap()),
                    &numeric(raw.sensor(&s, &q).await.unwrap()),
                    &format!("sensor {} {what}", s.id),
                );
            }
        }
    }
}

#[tokio::test]
async fn rollup_answers_equal_the_raw_aggregate_also_after_late_uploads() {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    let mut rng = Lcg(42);
    insert_random(&mut conn, &mut rng, t0(), 40, 1500).await;
    assert_rollups_match_raw(&db).await;

    // Late and back-filled rows land in buckets that already exist, and in older ones.
    insert_random(&mut conn, &mut rng, t0() - TimeDelta::days(5), 45, 400).await;
    for _ in 0..20 {
        insert_random(&mut conn, &mut rng, t0() + TimeDelta::days(7), 1, 3).await;
    }
    assert_rollups_match_raw(&db).await;

    // Deletes and updates recompute the buckets they touch.
    common::exec(
        &mut conn,
        "DELETE FROM power_data WHERE id % 3 = 0; DELETE FROM data WHERE id % 5 = 0",
    )
    .await;
    common::exec(
        &mut conn,
        "UPDATE teros_data SET ts = ts + interval '2 days 3 hours' WHERE id % 4 = 0",
    )
    .await;
    common::exec(
        &mut conn,
        "UPDATE power_data SET voltage = voltage * 2 WHERE id % 7 = 0",
    )
    .await;
    assert_rollups_match_raw(&db).await;
}

#[tokio::test]
async fn hourly_buckets_equal_a_bare_sql_average() {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    insert_random(&mut conn, &mut Lcg(7), t0(), 3, 300).await;
    let repo = PgSeriesRepository::new(db.db(), true);
    let q = SeriesQuery {
        range: TimeRange {
            start: t0(),
            end: t0() + TimeDelta::days(3),
        },
        mode: ReadMode::Buckets(Resample::Hour),
    };
    let points = repo.power(1, &q).await.unwrap();
    let expected = common::lines(
        &mut conn,
        "SELECT format('%s|%s', date_trunc('hour', ts), avg(voltage * current * 1e6)) AS line \
           FROM power_data WHERE cell_id = 1 GROUP BY date_trunc('hour', ts) ORDER BY date_trunc('hour', ts)",
    )
    .await;
    assert_eq!(points.len(), expected.len());
    for (point, line) in points.iter().zip(&expected) {
        let (ts, avg) = line.split_once('|').unwrap();
        assert_eq!(point.ts.format("%Y-%m-%d %H:%M:%S").to_string(), ts);
        match (point.fields[2].mean, avg.parse::<f64>().ok()) {
            (Some(m), Some(a)) => {
                assert!((m - a).abs() <= 1e-9 * a.abs().max(1.0), "{ts}: {m} vs {a}")
            }
            (m, a) => assert_eq!(m, a, "{ts}"),
        }
    }
}

#[tokio::test]
async fn retried_inserts_that_do_nothing_are_not_counted() {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    // The ingestion path makes retries idempotent with unique indexes; stand one in here.
    common::exec(
        &mut conn,
        "CREATE UNIQUE INDEX test_power_once ON power_data (cell_id, ts)",
    )
    .await;
    let insert = "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) \
                  VALUES (1, 1, '2024-01-01 10:00:00', 1, 2), (1, 1, '2024-01-01 10:30:00', 3, 4) \
                  ON CONFLICT DO NOTHING";
    for _ in 0..3 {
        common::exec(&mut conn, insert).await;
    }
    let counts = common::lines(
        &mut conn,
        "SELECT format('%s %s %s %s', width, n_rows, n_v, sum_v) AS line FROM power_rollup ORDER BY width",
    )
    .await;
    assert_eq!(counts, ["day 2 2 4000", "hour 2 2 4000"]);
}

#[tokio::test]
async fn raw_and_stream_reads_are_in_time_order_with_upstream_units() {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    common::exec(
        &mut conn,
        "INSERT INTO power_data (cell_id, logger_id, ts, voltage, current, ts_server) VALUES \
           (1, 1, '2024-01-15 00:00:00', 1, 2, '2024-02-01 00:00:00'), \
           (1, 1, '2024-01-13 00:00:00', 3, NULL, '2024-02-03 00:00:00'), \
           (1, 1, '2024-01-14 00:00:00', 0.5, 0.25, '2024-02-02 00:00:00'); \
         INSERT INTO teros_data (cell_id, ts, vwc, temp, ec, raw_vwc) VALUES \
           (1, '2024-01-13 20:00:00', 0.4, 3, 4, 2), (1, '2024-01-13 20:03:00', 40, 3, 5, 2), \
           (1, '2024-01-13 21:00:00', 1.0, 3, 4, 2), (1, '2024-01-13 22:00:00', 0, 3, NULL, 2)",
    )
    .await;
    let repo = PgSeriesRepository::new(db.db(), true);
    let range = TimeRange {
        start: t0(),
        end: t0() + TimeDelta::days(30),
    };
    let raw = repo
        .power(
            1,
            &SeriesQuery {
                range,
                mode: ReadMode::Raw,
            },
        )
        .await
        .unwrap();
    let days: Vec<u32> = raw
        .iter()
        .map(|p| p.ts.format("%d").to_string().parse().unwrap())
        .collect();
    assert_eq!(days, [13, 14, 15]);
    let v: Vec<Option<f64>> = raw.iter().map(|p| p.fields[0].mean).collect();
    let i: Vec<Option<f64>> = raw.iter().map(|p| p.fields[1].mean).collect();
    let p: Vec<Option<f64>> = raw.iter().map(|p| p.fields[2].mean).collect();
    assert_eq!(v, [Some(3000.0), Some(500.0), Some(1000.0)]);
    assert_eq!(i, [None, Some(250_000.0), Some(2_000_000.0)]);
    assert_eq!(p, [None, Some(125_000.0), Some(2_000_000.0)]);

    let stream = repo
        .power(
            1,
            &SeriesQuery {
                range,
                mode: ReadMode::Stream,
            },
        )
        .await
        .unwrap();
    let order: Vec<String> = stream
        .iter()
        .map(|p| p.ts.format("%m-%d").to_string())
        .collect();
    assert_eq!(order, ["02-01", "02-02", "02-03"]);

    // VWC is normalised once: 0.4 → 40 and 40 stay 40 on average (D-49); 1.0 → 100; 0 stays.
    let hours = repo
        .teros(
            1,
            &SeriesQuery {
                range,
                mode: ReadMode::Buckets(Resample::Hour),
            },
        )
        .await
        .unwrap();
    let vwc: Vec<Option<f64>> = hours.iter().map(|p| p.fields[0].mean).collect();
    assert_eq!(vwc, [Some(40.0), Some(100.0), Some(0.0)]);
    assert_eq!(hours[0].fields[2].mean, Some(4.5));
    assert_eq!(hours[2].fields[2].mean, None);
}

#[tokio::test]
async fn availability_catalog_and_cell_sensors() {
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    let repo = PgSeriesRepository::new(db.db(), true);
    assert_eq!(repo.availability(&[1, 2]).await.unwrap(), None);
    let facts = repo.catalog_facts(1).await.unwrap();
    assert!(!facts.has_power && !facts.has_teros && facts.sensors.is_empty());

    common::exec(
        &mut conn,
        "INSERT INTO teros_data (cell_id, ts, vwc) VALUES (1, '2024-01-05 00:00:00', 1); \
         INSERT INTO data (sensor_id, ts, float_val) VALUES (1, '2024-01-01 00:00:00', 1), (1, '2024-01-09 00:00:00', 1)",
    )
    .await;
    let (earliest, latest) = repo.availability(&[1, 99]).await.unwrap().unwrap();
    assert_eq!(earliest, t0());
    assert_eq!(latest, t0() + TimeDelta::days(8));
    let facts = repo.catalog_facts(1).await.unwrap();
    assert!(!facts.has_power && facts.has_teros);
    // Sensor 2 has no data: not in the catalog, but listed among the cell's sensors.
    assert_eq!(facts.sensors.iter().map(|s| s.id).collect::<Vec<_>>(), [1]);
    let sensors = repo.cell_sensors(1).await.unwrap();
    assert_eq!(sensors.iter().map(|s| s.id).collect::<Vec<_>>(), [1, 2]);
    assert!(matches!(
        repo.cell_sensors(99).await,
        Err(ents_domain::DomainError::NotFound(m)) if m == "Cell not found"
    ));
    let found = repo
        .find_sensor(1, "POWER_VOLTAGE", "Voltage")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((found.id, found.data_type.as_str()), (2, "int"));
    assert_eq!(
        repo.find_sensor(1, "POWER_VOLTAGE", "voltage")
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn migrating_an_adopted_database_back_fills_the_rollups() {
    let db = TestDb::empty().await;
    let mut conn = common::connect(db.url()).await;
    common::exec(&mut conn, common::BASELINE_UP).await;
    common::exec(&mut conn, common::ALEMBIC_VERSION_DDL).await;
    common::exec(
        &mut conn,
        &format!(
            "INSERT INTO alembic_version VALUES ('{}')",
            ents_persistence::error::UPSTREAM_HEAD
        ),
    )
    .await;
    seed(&mut conn).await;
    insert_random(&mut conn, &mut Lcg(3), t0(), 20, 500).await;
    drop(conn);
    ents_persistence::migrate(db.url()).await.unwrap();
    let mut conn = common::connect(db.url()).await;
    let filled = common::lines(
        &mut conn,
        "SELECT count(*)::text AS line FROM power_rollup WHERE width = 'day'",
    )
    .await;
    assert_eq!(filled, ["20"]);
    assert_rollups_match_raw(&db).await;
}

#[derive(diesel::QueryableByName)]
struct PlanLine {
    #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
    line: String,
}

/// Every column a chart reads from a rollup table is in its key's index (migration
/// `20261209000001_rollup_index_only_reads`): the buckets of one series come from an
/// index-only scan, not one heap page per bucket (`just bench-scale`). The answers stay the
/// raw aggregate (the tests above).
#[tokio::test]
async fn rollup_buckets_are_read_by_index_only_scans() {
    use diesel_async::RunQueryDsl;
    let db = TestDb::new().await;
    let mut conn = common::connect(db.url()).await;
    seed(&mut conn).await;
    insert_random(&mut conn, &mut Lcg(11), t0(), 3, 300).await;
    common::exec(
        &mut conn,
        "VACUUM ANALYZE power_rollup, teros_rollup, data_rollup",
    )
    .await;
    // The tables are tiny: without these the planner may rightly read them whole.
    common::exec(
        &mut conn,
        "SET enable_seqscan = off; SET enable_bitmapscan = off",
    )
    .await;
    let reads = [
        (
            "power_rollup",
            "cell_id",
            "n_rows, n_v, sum_v, min_v, max_v, n_i, sum_i, min_i, max_i, n_p, sum_p, min_p, max_p",
        ),
        (
            "teros_rollup",
            "cell_id",
            "n_rows, n_vwc, sum_vwc, min_vwc, max_vwc, n_temp, sum_temp, min_temp, max_temp, \
             n_ec, sum_ec, min_ec, max_ec, n_raw_vwc, sum_raw_vwc, min_raw_vwc, max_raw_vwc",
        ),
        (
            "data_rollup",
            "sensor_id",
            "n_rows, n_float, sum_float, min_float, max_float, n_int, sum_int, min_int, max_int",
        ),
    ];
    for (table, key, columns) in reads {
        let plan: Vec<PlanLine> = diesel::sql_query(format!(
            "EXPLAIN SELECT date_trunc('hour', bucket), {columns} FROM {table} \
              WHERE {key} = 1 AND width = 'hour' \
                AND bucket >= '2024-01-01' AND bucket < '2024-01-03'"
        ))
        .load(&mut conn)
        .await
        .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|p| p.line).collect();
        assert!(
            plan.iter()
                .any(|l| l.contains(&format!("Index Only Scan using {table}_pkey"))),
            "{table}: {plan:#?}"
        );
    }
}
