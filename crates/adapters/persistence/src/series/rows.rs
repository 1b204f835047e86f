//! The rows the series SQL returns, shared by the series reads and the exports (which read
//! the same SQL through a cursor).

use chrono::NaiveDateTime;
use diesel::deserialize::{self, QueryableByName};
use diesel::pg::Pg;
use diesel::row::{NamedRow, Row};
use diesel::sql_types::{BigInt, Double, Integer, Nullable, Text, Timestamp};
use ents_domain::series::SensorInfo;

/// A raw row of [`super::query::raw_sql`]: the time and up to four values.
#[derive(QueryableByName)]
pub(crate) struct RawRow {
    #[diesel(sql_type = Timestamp)]
    pub ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Double>)]
    pub v0: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub v1: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub v2: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub v3: Option<f64>,
    /// The power row's logger (NULL for the other tables).
    #[diesel(sql_type = Nullable<Integer>)]
    pub logger_id: Option<i32>,
}

impl RawRow {
    pub fn values(&self) -> [Option<f64>; 4] {
        [self.v0, self.v1, self.v2, self.v3]
    }
}

/// A bucket of [`super::query::bucket_sql`]: per field, the count, sum, min and max.
/// Decoded by column position (see the `QueryableByName` impl below).
pub(crate) struct BucketRow {
    pub bucket: NaiveDateTime,
    pub n0: i64,
    pub s0: f64,
    pub lo0: Option<f64>,
    pub hi0: Option<f64>,
    pub n1: i64,
    pub s1: f64,
    pub lo1: Option<f64>,
    pub hi1: Option<f64>,
    pub n2: i64,
    pub s2: f64,
    pub lo2: Option<f64>,
    pub hi2: Option<f64>,
    pub n3: i64,
    pub s3: f64,
    pub lo3: Option<f64>,
    pub hi3: Option<f64>,
}

/// By position, in [`super::query::bucket_sql`]'s column order (`bucket`, then `n`, `s`,
/// `lo`, `hi` of each field): the derived impl finds each of the 17 columns by comparing
/// names, which a one-year hourly chart (8,784 buckets) pays about 150,000 times.
impl QueryableByName<Pg> for BucketRow {
    fn build<'a>(row: &impl NamedRow<'a, Pg>) -> deserialize::Result<Self> {
        let n = |i: usize| Row::get_value::<BigInt, i64, usize>(row, i);
        let s = |i: usize| Row::get_value::<Double, f64, usize>(row, i);
        let x = |i: usize| Row::get_value::<Nullable<Double>, Option<f64>, usize>(row, i);
        Ok(Self {
            bucket: Row::get_value::<Timestamp, NaiveDateTime, usize>(row, 0)?,
            n0: n(1)?,
            s0: s(2)?,
            lo0: x(3)?,
            hi0: x(4)?,
            n1: n(5)?,
            s1: s(6)?,
            lo1: x(7)?,
            hi1: x(8)?,
            n2: n(9)?,
            s2: s(10)?,
            lo2: x(11)?,
            hi2: x(12)?,
            n3: n(13)?,
            s3: s(14)?,
            lo3: x(15)?,
            hi3: x(16)?,
        })
    }
}

/// A row of a text sensor (`data.text_val AS value`).
#[derive(QueryableByName)]
pub(crate) struct TextRow {
    #[diesel(sql_type = Timestamp)]
    pub ts: NaiveDateTime,
    #[diesel(sql_type = Nullable<Text>)]
    pub value: Option<String>,
}

/// The columns of a [`SensorRow`], for `SELECT {SENSOR_COLUMNS} FROM sensor …`.
pub(crate) const SENSOR_COLUMNS: &str = "id, cell_id, name, measurement, data_type, unit";

/// A `sensor` row.
#[derive(QueryableByName)]
pub(crate) struct SensorRow {
    #[diesel(sql_type = Integer)]
    pub id: i32,
    #[diesel(sql_type = Integer)]
    pub cell_id: i32,
    #[diesel(sql_type = Text)]
    pub name: String,
    #[diesel(sql_type = Text)]
    pub measurement: String,
    #[diesel(sql_type = Text)]
    pub data_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub unit: Option<String>,
}

impl From<SensorRow> for SensorInfo {
    fn from(r: SensorRow) -> Self {
        Self {
            id: r.id,
            cell_id: r.cell_id,
            name: r.name,
            measurement: r.measurement,
            data_type: r.data_type,
            unit: r.unit,
        }
    }
}
