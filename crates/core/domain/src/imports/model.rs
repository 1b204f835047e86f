use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDateTime;

/// One row to store, in the units of the tables (volts, amperes: as devices send them).
/// Absent values stay NULL. Keys as live uploads: power (cell, logger, ts), TEROS (cell,
/// ts), generic (sensor (cell, name, measurement), ts).
#[derive(Debug, Clone, PartialEq)]
pub enum ImportRow {
    Power {
        cell_id: i32,
        /// Exports carry no logger: `None` (NULL).
        logger_id: Option<i32>,
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
    Text(String),
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
