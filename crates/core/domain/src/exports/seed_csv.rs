//! The seed-era wide CSV (`upstream-contract.md` §8): per cell, the TEROS, power and
//! `phytos31`/`voltage` series full-outer-merged on the timestamp, sorted by it, `void` for
//! every gap — what the seed's Celery task produced with pandas, reproduced value for value
//! (Python float text, `YYYY-MM-DD HH:MM:SS` times). Layout: `docs/exports.md`.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{NaiveDateTime, Timelike};

use super::model::{ExportRow, ExportValue};

/// The header line, with its line end.
pub const SEED_CSV_HEADER: &str =
    "timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type\n";

/// What a gap is written as (pandas `fillna("void")`).
pub const VOID: &str = "void";

/// The one generic series the seed exported (its task read only this sensor).
pub const SEED_SENSOR: &str = "phytos31";
pub const SEED_MEASUREMENT: &str = "voltage";

/// TEROS fields in column order: vwc, temp, ec, raw_vwc.
type Teros = [Option<f64>; 4];
/// Power fields in column order: v (mV), i (µA), p (µW).
type Power = [Option<f64>; 3];

/// One value of the generic series and its labels.
#[derive(Debug, Clone, PartialEq)]
struct Data {
    value: ExportValue,
    measurement: String,
    unit: String,
    data_type: String,
}

#[derive(Debug, Default)]
struct AtTime {
    teros: Vec<Teros>,
    power: Vec<Power>,
    data: Vec<Data>,
}

/// The row being assembled from consecutive values of one stored row.
#[derive(Debug)]
enum Open {
    Teros(NaiveDateTime, Teros),
    Power(NaiveDateTime, Power),
}

/// One cell's rows, merged on the timestamp. The series arrive one after the other (all of
/// power, then all of TEROS, …), so nothing can be written before the cell is complete: a
/// block holds one cell's range in memory (the long layout has no such bound).
#[derive(Debug, Default)]
pub struct SeedBlock {
    times: BTreeMap<NaiveDateTime, AtTime>,
    open: Option<Open>,
}

impl SeedBlock {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.times.is_empty() && self.open.is_none()
    }

    /// Adds one value of the cell. The values of one stored power or TEROS row are
    /// consecutive (the export source's order); a repeated field at the same time starts
    /// another stored row (two loggers of one cell). Other generic series are not part of
    /// this layout and are skipped.
    pub fn push(&mut self, row: &ExportRow) {
        let label = &row.series;
        let number = match row.value {
            ExportValue::Number(v) => Some(v),
            ExportValue::Text(_) => None,
        };
        match label.source {
            "power" => {
                let slot = match label.measurement.as_str() {
                    "voltage" => 0,
                    "current" => 1,
                    "power" => 2,
                    _ => return,
                };
                if let Some(Open::Power(ts, fields)) = &mut self.open
                    && *ts == row.ts
                    && fields[slot].is_none()
                {
                    fields[slot] = number;
                    return;
                }
                let mut fields = [None; 3];
                fields[slot] = number;
                self.close();
                self.open = Some(Open::Power(row.ts, fields));
            }
            "teros" => {
                let slot = match label.measurement.as_str() {
                    "vwc" => 0,
                    "temp" => 1,
                    "ec" => 2,
                    "raw_vwc" => 3,
                    _ => return,
                };
                if let Some(Open::Teros(ts, fields)) = &mut self.open
                    && *ts == row.ts
                    && fields[slot].is_none()
                {
                    fields[slot] = number;
                    return;
                }
                let mut fields = [None; 4];
                fields[slot] = number;
                self.close();
                self.open = Some(Open::Teros(row.ts, fields));
            }
            _ if label.sensor == SEED_SENSOR && label.measurement == SEED_MEASUREMENT => {
                self.close();
                self.times.entry(row.ts).or_default().data.push(Data {
                    value: row.value.clone(),
                    measurement: label.measurement.clone(),
                    unit: label.unit.clone(),
                    data_type: label.data_type.clone(),
                });
            }
            _ => {}
        }
    }

    fn close(&mut self) {
        match self.open.take() {
            Some(Open::Teros(ts, fields)) => self.times.entry(ts).or_default().teros.push(fields),
            Some(Open::Power(ts, fields)) => self.times.entry(ts).or_default().power.push(fields),
            None => {}
        }
    }

    /// Writes the merged lines (no header) to `out` and empties the block; returns the
    /// number of lines. Several rows of one series at the same time give every combination,
    /// as pandas' merge does.
    pub fn drain_into(&mut self, out: &mut String) -> u64 {
        self.close();
        let times = std::mem::take(&mut self.times);
        let style = Style::of(&times);
        let mut lines = 0;
        for (ts, at) in &times {
            let teros: Vec<Option<&Teros>> = options(&at.teros);
            let power: Vec<Option<&Power>> = options(&at.power);
            let data: Vec<Option<&Data>> = options(&at.data);
            for t in &teros {
                for p in &power {
                    for d in &data {
                        style.line(*ts, *t, *p, *d, out);
                        lines += 1;
                    }
                }
            }
        }
        lines
    }
}

/// The items, or one gap when there are none.
fn options<T>(items: &[T]) -> Vec<Option<&T>> {
    if items.is_empty() {
        vec![None]
    } else {
        items.iter().map(Some).collect()
    }
}

/// How pandas would print the columns of this block: an integer column stays integer only
/// when it has no gap (a gap makes it a float column), and times show microseconds when
/// any of them has a fraction.
struct Style {
    fractional_times: bool,
    ec_as_int: bool,
    data_as_int: bool,
}

impl Style {
    fn of(times: &BTreeMap<NaiveDateTime, AtTime>) -> Self {
        let fractional_times = times.keys().any(|ts| ts.nanosecond() != 0);
        let integral = |v: Option<f64>| v.is_some_and(|v| v.fract() == 0.0 && v.abs() < 1e15);
        let ec_as_int = times
            .values()
            .all(|at| !at.teros.is_empty() && at.teros.iter().all(|t| integral(t[2])));
        let data_as_int = times.values().all(|at| {
            !at.data.is_empty()
                && at.data.iter().all(|d| {
                    d.data_type == "int"
                        && integral(match d.value {
                            ExportValue::Number(v) => Some(v),
                            ExportValue::Text(_) => None,
                        })
                })
        });
        Self {
            fractional_times,
            ec_as_int,
            data_as_int,
        }
    }

    fn line(
        &self,
        ts: NaiveDateTime,
        teros: Option<&Teros>,
        power: Option<&Power>,
        data: Option<&Data>,
        out: &mut String,
    ) {
        if self.fractional_times {
            let _ = write!(out, "{}", ts.format("%Y-%m-%d %H:%M:%S%.6f"));
        } else {
            let _ = write!(out, "{}", ts.format("%Y-%m-%d %H:%M:%S"));
        }
        let t = teros.copied().unwrap_or([None; 4]);
        for (k, value) in t.iter().enumerate() {
            out.push(',');
            number(out, *value, k == 2 && self.ec_as_int);
        }
        for value in power.copied().unwrap_or([None; 3]) {
            out.push(',');
            number(out, value, false);
        }
        match data {
            Some(d) => {
                out.push(',');
                match &d.value {
                    ExportValue::Number(v) => number(out, Some(*v), self.data_as_int),
                    ExportValue::Text(text) => push_field(out, text),
                }
                for text in [&d.measurement, &d.unit, &d.data_type] {
                    out.push(',');
                    // A sensor without a unit had None there, which pandas filled too.
                    if text.is_empty() {
                        out.push_str(VOID);
                    } else {
                        push_field(out, text);
                    }
                }
            }
            None => out.push_str(",void,void,void,void"),
        }
        out.push('\n');
    }
}

fn number(out: &mut String, value: Option<f64>, as_int: bool) {
    match value {
        None => out.push_str(VOID),
        Some(v) if as_int => {
            let _ = write!(out, "{}", v as i64);
        }
        Some(v) => out.push_str(&python_float(v)),
    }
}

/// Python's `repr(float)`: the shortest text that reads back as the same value, with a
/// `.0` on integral values and an exponent (`1e-05`, `1.5e+16`) below 1e-4 or from 1e16 on.
/// Rust's `Debug` already picks the same digits and the same thresholds; only the
/// exponent's spelling differs.
pub fn python_float(v: f64) -> String {
    if v.is_nan() {
        return "nan".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "inf" } else { "-inf" }.to_owned();
    }
    let text = format!("{v:?}");
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let (sign, digits) = match exponent.strip_prefix('-') {
                Some(digits) => ('-', digits),
                None => ('+', exponent),
            };
            format!("{mantissa}e{sign}{digits:0>2}")
        }
        None => text,
    }
}

/// RFC 4180 quoting, as pandas' `to_csv` (minimal quoting).
fn push_field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}
