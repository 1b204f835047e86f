use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

use crate::measurements::{SensorValue, StoredRow};

/// One row to store, in the units of the tables (volts, amperes: as devices send them).
/// Absent values stay NULL. Keys as live uploads: power (cell, logger, ts), TEROS (cell,
/// ts), generic (sensor (cell, name, measurement), ts).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRow {
    Power {
        cell_id: i32,
        /// A device upload's logger; `None` (NULL) unless `logger_name` names one.
        logger_id: Option<i32>,
        /// An export's logger, by name (ids differ between deployments): stored as the
        /// logger of that name, or NULL when the database has none.
        logger_name: Option<Arc<str>>,
        ts: NaiveDateTime,
        voltage: Option<f64>,
        current: Option<f64>,
    },
    Teros {
        cell_id: i32,
        ts: NaiveDateTime,
        vwc: Option<f64>,
        raw_vwc: Option<f64>,
        temp: Option<f64>,
        ec: Option<i32>,
    },
    Sensor {
        cell_id: i32,
        name: String,
        measurement: String,
        /// Empty: none.
        unit: String,
        ts: NaiveDateTime,
        value: ImportValue,
    },
}

impl ImportRow {
    pub fn cell_id(&self) -> i32 {
        match self {
            Self::Power { cell_id, .. }
            | Self::Teros { cell_id, .. }
            | Self::Sensor { cell_id, .. } => *cell_id,
        }
    }

    pub fn set_cell_id(&mut self, id: i32) {
        match self {
            Self::Power { cell_id, .. }
            | Self::Teros { cell_id, .. }
            | Self::Sensor { cell_id, .. } => *cell_id = id,
        }
    }

    pub fn ts(&self) -> NaiveDateTime {
        match self {
            Self::Power { ts, .. } | Self::Teros { ts, .. } | Self::Sensor { ts, .. } => *ts,
        }
    }

    /// `power`, `teros`, or `sensor/<name>/<measurement>`: the rows-per-kind of a summary.
    pub fn kind(&self) -> String {
        match self {
            Self::Power { .. } => "power".to_owned(),
            Self::Teros { .. } => "teros".to_owned(),
            Self::Sensor {
                name, measurement, ..
            } => format!("sensor/{name}/{measurement}"),
        }
    }
}

/// A generic sensor's value. A number goes to the column of the sensor's `data_type`
/// (`float`, `int`, or `text` as its decimal text); a new sensor is created `float` for a
/// number, `text` otherwise.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportValue {
    Number(f64),
    /// A device's integer value: a new sensor is created `int`, as a live upload does.
    Int(i32),
    Text(String),
}

/// The rows of a device upload, mapped by the same code as a live upload
/// ([`crate::measurements::Upload::stored_rows`]), so both have the same keys.
impl From<StoredRow> for ImportRow {
    fn from(row: StoredRow) -> Self {
        // A cell id beyond i32 cannot exist: -1 makes the row an unknown cell's.
        let cell = |id: std::num::NonZeroU32| i32::try_from(id.get()).unwrap_or(-1);
        match row {
            StoredRow::Power(r) => Self::Power {
                cell_id: cell(r.cell_id),
                logger_id: Some(i32::try_from(r.logger_id).unwrap_or(-1)),
                logger_name: None,
                ts: r.ts.naive_utc(),
                voltage: Some(r.voltage),
                current: Some(r.current),
            },
            StoredRow::Teros(r) => Self::Teros {
                cell_id: cell(r.cell_id),
                ts: r.ts.naive_utc(),
                vwc: Some(r.vwc),
                raw_vwc: Some(r.raw_vwc),
                temp: Some(r.temp),
                ec: r.ec,
            },
            StoredRow::Sensor(r) => Self::Sensor {
                cell_id: cell(r.cell_id),
                name: r.name.to_owned(),
                measurement: r.measurement.to_owned(),
                unit: r.unit.to_owned(),
                ts: r.ts.naive_utc(),
                value: match r.value {
                    SensorValue::Float(f) => ImportValue::Number(f),
                    SensorValue::Int(i) => ImportValue::Int(i),
                },
            },
        }
    }
}

/// A row and the (first) input line it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRow {
    pub line: u64,
    pub row: ImportRow,
    /// The cell's name in the source, when it says (to create the cell with
    /// `--create-missing`).
    pub cell_name: Option<Arc<str>>,
}

/// A line that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based, the header being line 1.
    pub line: u64,
    pub reason: String,
}

/// What an import did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImportSummary {
    /// Data lines read.
    pub lines: u64,
    /// Rows assembled from them.
    pub rows: u64,
    /// Rows newly stored.
    pub stored: u64,
    /// Rows already stored (same key): skipped.
    pub duplicates: u64,
    /// Rows refused (unknown cell).
    pub refused: u64,
    /// Batches committed.
    pub batches: u64,
    /// Rows per (target cell, kind).
    pub per_kind: BTreeMap<(i32, String), u64>,
    /// The time range of the rows.
    pub first: Option<NaiveDateTime>,
    pub last: Option<NaiveDateTime>,
    /// Cells created (`--create-missing`): name → id.
    pub created_cells: BTreeMap<String, i32>,
    /// Every bad line (unparsable, or refused), in order.
    pub bad_lines: Vec<BadLine>,
    /// Nothing was written.
    pub dry_run: bool,
}
