//! The series bodies, written once into one buffer.
//!
//! A raw day of one series is ~16,666 points and 1.4 MB of JSON: building `serde` structs of
//! column vectors and a `String` per timestamp first cost more server CPU than the database
//! spent finding the rows (docs/performance.md "Raw reads"). These writers produce exactly
//! the bytes `serde_json` gives for the [`super::shape`] structs (keys sorted, compact, a
//! trailing newline, as Flask `jsonify`; floats through `zmij` and integers through `itoa`, as serde_json formats them,
//! non-finite ones as `null`); the tests compare the two on the same points.

use ents_domain::series::{Point, ReadMode, SensorInfo, SensorSeries, Stats};

use super::dates::HttpDateWriter;

/// Bytes per point reserved up front (a power point is ~85 bytes: three floats and a date).
const BYTES_PER_POINT: usize = 96;

/// One JSON document under construction.
struct Json {
    out: Vec<u8>,
    floats: zmij::Buffer,
    ints: itoa::Buffer,
    dates: HttpDateWriter,
}

impl Json {
    fn with_points(n: usize) -> Self {
        Self {
            out: Vec::with_capacity(64 + n.saturating_mul(BYTES_PER_POINT)),
            floats: zmij::Buffer::new(),
            ints: itoa::Buffer::new(),
            dates: HttpDateWriter::new(),
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `"name":` (the names are ASCII identifiers: nothing to escape). `first` omits the comma.
    fn key(&mut self, name: &str, first: bool) {
        if !first {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
    }

    fn float(&mut self, value: Option<f64>) {
        match value {
            Some(v) if v.is_finite() => {
                let text = self.floats.format_finite(v);
                self.out.extend_from_slice(text.as_bytes());
            }
            _ => self.out.extend_from_slice(b"null"),
        }
    }

    fn int(&mut self, value: i64) {
        let text = self.ints.format(value);
        self.out.extend_from_slice(text.as_bytes());
    }

    /// A JSON string with serde_json's escaping.
    fn string(&mut self, value: &str) {
        // Writing into a Vec cannot fail, and a &str always serialises.
        let _ = serde_json::to_writer(&mut self.out, value);
    }

    fn opt_string(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.string(v),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    /// `[item, item, …]`.
    fn array<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut write: impl FnMut(&mut Self, T),
    ) {
        self.out.push(b'[');
        for (n, item) in items.into_iter().enumerate() {
            if n > 0 {
                self.out.push(b',');
            }
            write(self, item);
        }
        self.out.push(b']');
    }

    /// The means of field `k`.
    fn column(&mut self, points: &[Point], k: usize) {
        self.array(points, |j, p| j.float(mean(p, k)));
    }

    fn timestamps(&mut self, points: &[Point]) {
        self.array(points, |j, p| {
            j.out.push(b'"');
            j.dates.write(p.ts, &mut j.out);
            j.out.push(b'"');
        });
    }

    /// `"stats":{…}`: per field (`names`, parallel to the point fields, sorted here by
    /// name as the `BTreeMap` of the serde shape is), `count`, `max`, `mean`, `min` arrays.
    fn stats(&mut self, points: &[Point], names: &[&str]) {
        let mut order: Vec<(usize, &str)> = names.iter().copied().enumerate().collect();
        order.sort_by_key(|(_, name)| *name);
        self.key("stats", false);
        self.out.push(b'{');
        for (n, (k, name)) in order.into_iter().enumerate() {
            self.key(name, n == 0);
            self.out.push(b'{');
            let field = |p: &Point| p.fields.get(k).copied().unwrap_or_default();
            self.key("count", true);
            self.array(points, |j, p| j.int(field(p).count));
            self.key("max", false);
            self.array(points, |j, p| j.float(field(p).max));
            self.key("mean", false);
            self.array(points, |j, p| j.float(field(p).mean));
            self.key("min", false);
            self.array(points, |j, p| j.float(field(p).min));
            self.out.push(b'}');
        }
        self.out.push(b'}');
    }

    fn finish(mut self) -> Vec<u8> {
        self.out.extend_from_slice(b"}\n");
        self.out
    }
}

fn mean(point: &Point, k: usize) -> Option<f64> {
    point.fields.get(k).and_then(|s: &Stats| s.mean)
}

/// `GET /api/power/<id>`: `{"i":…,"p":…,["stats":…,]"timestamp":…,"v":…}`.
pub(crate) fn power(points: &[Point], with_stats: bool) -> Vec<u8> {
    let mut j = Json::with_points(points.len());
    j.raw(b"{");
    j.key("i", true);
    j.column(points, 1);
    j.key("p", false);
    j.column(points, 2);
    if with_stats {
        j.stats(points, &["v", "i", "p"]);
    }
    j.key("timestamp", false);
    j.timestamps(points);
    j.key("v", false);
    j.column(points, 0);
    j.finish()
}

/// `GET /api/teros/<id>`: EC as the rounded mean, units as constants.
pub(crate) fn teros(points: &[Point], with_stats: bool) -> Vec<u8> {
    let mut j = Json::with_points(points.len());
    j.raw(b"{");
    j.key("ec", true);
    // Rounded, not truncated (fix of D-50); raw rows are integers already.
    #[allow(clippy::cast_possible_truncation)]
    j.array(points, |j, p| match mean(p, 2) {
        Some(e) => j.int(e.round() as i64),
        None => j.raw(b"null"),
    });
    j.key("raw_vwc", false);
    j.column(points, 3);
    j.key("raw_vwc_unit", false);
    j.raw(b"\"raw\"");
    if with_stats {
        j.stats(points, &["vwc", "temp", "ec", "raw_vwc"]);
    }
    j.key("temp", false);
    j.column(points, 1);
    j.key("timestamp", false);
    j.timestamps(points);
    j.key("vwc", false);
    j.column(points, 0);
    j.key("vwc_unit", false);
    j.raw(b"\"%\"");
    j.finish()
}

/// `GET /api/sensor/` of a known sensor: an `int` sensor's raw rows are integers, every mean
/// a number (never a string, D-47), text sensors their rows.
pub(crate) fn sensor(
    info: &SensorInfo,
    series: &SensorSeries,
    mode: ReadMode,
    with_stats: bool,
) -> Vec<u8> {
    let integral = info.data_type == "int" && !matches!(mode, ReadMode::Buckets(_));
    let mut j = Json::with_points(match series {
        SensorSeries::Numeric(points) => points.len(),
        SensorSeries::Text(rows) => rows.len(),
    });
    j.raw(b"{");
    j.key("data", true);
    match series {
        #[allow(clippy::cast_possible_truncation)]
        SensorSeries::Numeric(points) => j.array(points, |j, p| match mean(p, 0) {
            Some(v) if integral => j.int(v as i64),
            v => j.float(v),
        }),
        SensorSeries::Text(rows) => j.array(rows, |j, (_, v)| j.opt_string(v.as_deref())),
    }
    j.key("measurement", false);
    j.string(&info.measurement);
    match series {
        SensorSeries::Numeric(points) => {
            if with_stats {
                j.stats(points, &["data"]);
            }
            j.key("timestamp", false);
            j.timestamps(points);
        }
        SensorSeries::Text(rows) => {
            j.key("timestamp", false);
            j.array(rows, |j, (ts, _)| {
                j.out.push(b'"');
                j.dates.write(*ts, &mut j.out);
                j.out.push(b'"');
            });
        }
    }
    j.key("type", false);
    j.string(&info.data_type);
    j.key("unit", false);
    j.opt_string(info.unit.as_deref());
    j.finish()
}
