//! The rows the series SQL returns, shared by the series reads and the exports (which read
//! the same SQL through a cursor).

use chrono::NaiveDateTime;
use diesel::QueryableByName;
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
#[derive(QueryableByName)]
pub(crate) struct BucketRow {
    #[diesel(sql_type = Timestamp)]
    pub bucket: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    pub n0: i64,
    #[diesel(sql_type = Double)]
    pub s0: f64,
    #[diesel(sql_type = Nullable<Double>)]
    pub lo0: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub hi0: Option<f64>,
    #[diesel(sql_type = BigInt)]
    pub n1: i64,
    #[diesel(sql_type = Double)]
    pub s1: f64,
    #[diesel(sql_type = Nullable<Double>)]
    pub lo1: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub hi1: Option<f64>,
    #[diesel(sql_type = BigInt)]
    pub n2: i64,
    #[diesel(sql_type = Double)]
    pub s2: f64,
    #[diesel(sql_type = Nullable<Double>)]
    pub lo2: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub hi2: Option<f64>,
    #[diesel(sql_type = BigInt)]
    pub n3: i64,
    #[diesel(sql_type = Double)]
    pub s3: f64,
    #[diesel(sql_type = Nullable<Double>)]
    pub lo3: Option<f64>,
    #[diesel(sql_type = Nullable<Double>)]
    pub hi3: Option<f64>,
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
