use chrono::NaiveDateTime;

use super::resample::Resample;

/// A closed range `[start, end]` of naive-UTC device timestamps (`ts BETWEEN start AND end`,
/// as upstream).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
}

/// How rows are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// One point per stored row, labelled with the device time, in device-time order.
    Raw,
    /// One point per stored row, labelled with the server receive time (`ts_server`, the
    /// device time when unknown), in that order; still filtered on the device time.
    Stream,
    /// One point per non-empty bucket of this width (never `Resample::None`).
    Buckets(Resample),
}

impl ReadMode {
    /// `stream` wins over `resample`, as upstream.
    pub fn new(resample: Resample, stream: bool) -> Self {
        match (stream, resample) {
            (true, _) => Self::Stream,
            (false, Resample::None) => Self::Raw,
            (false, r) => Self::Buckets(r),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeriesQuery {
    pub range: TimeRange,
    pub mode: ReadMode,
}

/// The values of one field over one bucket (a raw row is a bucket of one). `mean` is what
/// the default, upstream-shaped answer shows; `None` when no row had a value.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Stats {
    pub count: i64,
    pub mean: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
}

impl Stats {
    /// A single row's value.
    pub fn single(value: Option<f64>) -> Self {
        Self {
            count: i64::from(value.is_some()),
            mean: value,
            min: value,
            max: value,
        }
    }

    /// From stored aggregates (count, sum, min, max).
    pub fn from_sum(count: i64, sum: f64, min: Option<f64>, max: Option<f64>) -> Self {
        Self {
            count,
            // `count as f64` is exact below 2^53 rows per bucket.
            mean: (count > 0).then(|| sum / count as f64),
            min,
            max,
        }
    }
}

/// One timestamp of a column series with one [`Stats`] per field, in the field order of the
/// series (power: v, i, p; TEROS: vwc, temp, ec, raw_vwc; a numeric sensor: its value).
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    pub ts: NaiveDateTime,
    pub fields: Vec<Stats>,
}

/// Which `data` column holds a sensor's values, from `sensor.data_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SensorKind {
    Float,
    Int,
    /// `text`, and `str` (what upstream's ingest wrote by mistake, D-33).
    Text,
}

impl SensorKind {
    /// `None` for a data type no value column matches.
    pub fn from_data_type(data_type: &str) -> Option<Self> {
        match data_type {
            "float" => Some(Self::Float),
            "int" => Some(Self::Int),
            "text" | "str" => Some(Self::Text),
            _ => None,
        }
    }
}

/// A `sensor` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorInfo {
    pub id: i32,
    pub cell_id: i32,
    pub name: String,
    pub measurement: String,
    pub data_type: String,
    pub unit: Option<String>,
}

/// The values of one generic sensor.
#[derive(Debug, Clone, PartialEq)]
pub enum SensorSeries {
    /// `float` or `int` sensors; for `int` raw rows the means are whole numbers.
    Numeric(Vec<Point>),
    /// Text sensors are never aggregated: their rows, whatever `resample` says.
    Text(Vec<(NaiveDateTime, Option<String>)>),
}
