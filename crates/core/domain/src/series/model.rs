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
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub ts: NaiveDateTime,
    pub fields: Fields,
}

/// The [`Stats`] of one point, held inline: a raw day is 16,666 points, and one allocation
/// for all of them costs less than one more per point (docs/performance.md "Raw reads").
/// Reads as a slice of its fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fields {
    len: u8,
    items: [Stats; Fields::CAPACITY],
}

impl Fields {
    /// The most fields a series has (TEROS: vwc, temp, ec, raw_vwc).
    pub const CAPACITY: usize = 4;

    /// The first `len` of `items` (all of them when `len` is larger).
    pub fn new(items: [Stats; Self::CAPACITY], len: usize) -> Self {
        Self {
            // At most CAPACITY (4): fits a u8.
            len: u8::try_from(len.min(Self::CAPACITY)).unwrap_or(0),
            items,
        }
    }
}

impl std::ops::Deref for Fields {
    type Target = [Stats];

    fn deref(&self) -> &[Stats] {
        &self.items[..usize::from(self.len)]
    }
}

impl PartialEq for Fields {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

/// Keeps the first [`Fields::CAPACITY`] stats.
impl FromIterator<Stats> for Fields {
    fn from_iter<I: IntoIterator<Item = Stats>>(iter: I) -> Self {
        let mut fields = Self::default();
        for (slot, stats) in fields.items.iter_mut().zip(iter) {
            *slot = stats;
            fields.len += 1;
        }
        fields
    }
}

impl<'a> IntoIterator for &'a Fields {
    type Item = &'a Stats;
    type IntoIter = std::slice::Iter<'a, Stats>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
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
