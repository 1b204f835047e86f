//! The JSON bodies of the series reads: upstream's column arrays (keys sorted, as Flask
//! `jsonify` emits them), plus the opt-in `stats`. These structs are the OpenAPI schemas and
//! the reference the tests hold [`super::body`]'s writers to: the responses are written by
//! those, straight into one buffer.

use std::collections::BTreeMap;

#[cfg(test)]
use ents_domain::series::{Point, ReadMode, SensorInfo, SensorSeries, Stats, format_http_date};
use serde::Serialize;
use utoipa::ToSchema;

/// Per-point statistics of one field (parallel to `timestamp`).
#[derive(Debug, Default, Serialize, ToSchema)]
pub(crate) struct FieldStats {
    /// Rows with a value in the bucket (0 or 1 for raw rows).
    count: Vec<i64>,
    max: Vec<Option<f64>>,
    mean: Vec<Option<f64>>,
    min: Vec<Option<f64>>,
}

type StatsMap = BTreeMap<&'static str, FieldStats>;

#[cfg(test)]
fn stats_of(points: &[Point], names: &[&'static str]) -> StatsMap {
    let mut map: StatsMap = names.iter().map(|n| (*n, FieldStats::default())).collect();
    for point in points {
        for (name, s) in names.iter().zip(&point.fields) {
            if let Some(out) = map.get_mut(name) {
                out.count.push(s.count);
                out.max.push(s.max);
                out.mean.push(s.mean);
                out.min.push(s.min);
            }
        }
    }
    map
}

#[cfg(test)]
fn column(points: &[Point], k: usize) -> Vec<Option<f64>> {
    points
        .iter()
        .map(|p| p.fields.get(k).and_then(|s| s.mean))
        .collect()
}

#[cfg(test)]
fn timestamps(points: &[Point]) -> Vec<String> {
    points.iter().map(|p| format_http_date(p.ts)).collect()
}

/// `GET /api/power/<id>`: v in mV, i in µA, p in µW (means of the bucket).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct PowerSeries {
    i: Vec<Option<f64>>,
    p: Vec<Option<f64>>,
    /// Only with `stats=true`: keys `i`, `p`, `v`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, FieldStats>>)]
    stats: Option<StatsMap>,
    /// RFC 1123 HTTP dates (`Fri, 01 Nov 2024 00:00:00 GMT`), in time order.
    timestamp: Vec<String>,
    v: Vec<Option<f64>>,
}

impl PowerSeries {
    #[cfg(test)]
    pub(crate) fn new(points: &[Point], with_stats: bool) -> Self {
        Self {
            i: column(points, 1),
            p: column(points, 2),
            stats: with_stats.then(|| stats_of(points, &["v", "i", "p"])),
            timestamp: timestamps(points),
            v: column(points, 0),
        }
    }
}

/// `GET /api/teros/<id>`: VWC in percent, EC an integer (the rounded mean), no `water_pot`.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct TerosSeries {
    ec: Vec<Option<i64>>,
    raw_vwc: Vec<Option<f64>>,
    /// Always `raw`.
    raw_vwc_unit: &'static str,
    /// Only with `stats=true`: keys `ec`, `raw_vwc`, `temp`, `vwc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, FieldStats>>)]
    stats: Option<StatsMap>,
    temp: Vec<Option<f64>>,
    timestamp: Vec<String>,
    vwc: Vec<Option<f64>>,
    /// Always `%`.
    vwc_unit: &'static str,
}

impl TerosSeries {
    #[cfg(test)]
    pub(crate) fn new(points: &[Point], with_stats: bool) -> Self {
        Self {
            // Rounded, not truncated (fix of D-50); raw rows are integers already.
            #[allow(clippy::cast_possible_truncation)]
            ec: column(points, 2)
                .into_iter()
                .map(|e| e.map(|e| e.round() as i64))
                .collect(),
            raw_vwc: column(points, 3),
            raw_vwc_unit: "raw",
            stats: with_stats.then(|| stats_of(points, &["vwc", "temp", "ec", "raw_vwc"])),
            temp: column(points, 1),
            timestamp: timestamps(points),
            vwc: column(points, 0),
            vwc_unit: "%",
        }
    }
}

/// A value of `/api/sensor/`: a number (an `int` sensor's raw rows are integers; every mean is
/// a JSON number, never a string), or text for text sensors.
// Upstream sent the mean of an `int` sensor as a decimal string (D-47).
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
// Built only by the reference serializer of the tests; the schema is what it is here for.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) enum SensorValue {
    Int(i64),
    Float(f64),
    Text(String),
}

/// `GET /api/sensor/`. An unknown sensor gives empty arrays and empty strings.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SensorSeriesBody {
    data: Vec<Option<SensorValue>>,
    measurement: String,
    /// Only with `stats=true` (numeric sensors): key `data`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<BTreeMap<String, FieldStats>>)]
    stats: Option<StatsMap>,
    timestamp: Vec<String>,
    /// `sensor.data_type`: `float`, `int` or `text`.
    #[serde(rename = "type")]
    data_type: String,
    unit: Option<String>,
}

impl SensorSeriesBody {
    pub(crate) fn unknown() -> Self {
        Self {
            data: Vec::new(),
            measurement: String::new(),
            stats: None,
            timestamp: Vec::new(),
            data_type: String::new(),
            unit: Some(String::new()),
        }
    }

    #[cfg(test)]
    pub(crate) fn new(
        sensor: SensorInfo,
        series: &SensorSeries,
        mode: ReadMode,
        with_stats: bool,
    ) -> Self {
        let integral = sensor.data_type == "int" && !matches!(mode, ReadMode::Buckets(_));
        let (data, timestamp, stats) = match series {
            SensorSeries::Numeric(points) => (
                points
                    .iter()
                    .map(|p| {
                        p.fields.first().and_then(|s: &Stats| s.mean).map(|v| {
                            #[allow(clippy::cast_possible_truncation)]
                            if integral {
                                SensorValue::Int(v as i64)
                            } else {
                                SensorValue::Float(v)
                            }
                        })
                    })
                    .collect(),
                timestamps(points),
                with_stats.then(|| stats_of(points, &["data"])),
            ),
            SensorSeries::Text(rows) => (
                rows.iter()
                    .map(|(_, v)| v.clone().map(SensorValue::Text))
                    .collect(),
                rows.iter().map(|(ts, _)| format_http_date(*ts)).collect(),
                None,
            ),
        };
        Self {
            data,
            measurement: sensor.measurement,
            stats,
            timestamp,
            data_type: sensor.data_type,
            unit: sensor.unit,
        }
    }
}
