//! The HTTP import (`POST /api/cells/<id>/imports`) as a job: its payload, its result, what
//! a client sees of it, and the error report.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::export_csv::{EXPORT_CSV_COLUMNS, EXPORT_CSV_COLUMNS_WITHOUT_LOGGER};
use super::model::{BadLine, ImportSummary};
use super::seed_csv::SEED_CSV_COLUMNS;
use crate::jobs::JobView;
use crate::users::UserId;

/// The job kind of an uploaded CSV import.
pub const IMPORT_KIND: &str = "import.csv";

/// The message of `NotFound` for an import that does not exist or is not of this cell.
pub(crate) const IMPORT_NOT_FOUND: &str = "Import not found";

/// The CSV layouts an upload may hold (those `ents import` detects for CSV).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvLayout {
    /// The project's export CSV (`docs/exports.md`), with or without its `logger` column.
    Export,
    /// The seed-era wide CSV of one cell.
    Seed,
}

impl CsvLayout {
    pub const ACCEPTED: &'static str = "csv, seed-csv";

    /// The `format` values of the API and of `ents import --format`.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "csv" => Some(Self::Export),
            "seed-csv" => Some(Self::Seed),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "csv",
            Self::Seed => "seed-csv",
        }
    }

    /// The layout whose header is the first line of `body`, if any.
    pub fn detect(body: &[u8]) -> Option<Self> {
        let end = body.iter().position(|b| *b == b'\n').unwrap_or(body.len());
        let line = std::str::from_utf8(&body[..end]).ok()?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let is = |columns: &[&str]| line.split(',').eq(columns.iter().copied());
        if is(&EXPORT_CSV_COLUMNS) || is(EXPORT_CSV_COLUMNS_WITHOUT_LOGGER) {
            Some(Self::Export)
        } else if is(&SEED_CSV_COLUMNS) {
            Some(Self::Seed)
        } else {
            None
        }
    }

    /// The header lines this layout accepts, for messages.
    pub fn headers(self) -> String {
        match self {
            Self::Export => format!(
                "{} (or without its last column, logger)",
                EXPORT_CSV_COLUMNS.join(",")
            ),
            Self::Seed => SEED_CSV_COLUMNS.join(","),
        }
    }
}

/// The job payload: which upload, into which cell, read how, for whom.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportPayload {
    /// The stored body ([`super::ImportUploadStore`]).
    pub upload: Uuid,
    /// Every row goes to this cell (as `ents import --cell`).
    pub cell_id: i32,
    /// `csv` or `seed-csv`.
    pub format: String,
    pub owner: UserId,
}

/// What a finished import did: the job's result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImportResult {
    /// Data lines read.
    pub read: u64,
    /// Rows assembled from them.
    pub rows: u64,
    /// Rows newly stored.
    pub stored: u64,
    /// Rows already stored (same key): skipped.
    pub duplicates: u64,
    /// Rows refused.
    pub refused: u64,
    /// Lines in the error report.
    pub bad_lines: u64,
    /// Rows per kind (`power`, `teros`, `sensor/<name>/<measurement>`).
    pub per_kind: BTreeMap<String, u64>,
    /// The time range of the rows (UTC).
    pub first: Option<NaiveDateTime>,
    pub last: Option<NaiveDateTime>,
}

impl From<&ImportSummary> for ImportResult {
    fn from(s: &ImportSummary) -> Self {
        let mut per_kind = BTreeMap::new();
        for ((_, kind), rows) in &s.per_kind {
            *per_kind.entry(kind.clone()).or_default() += rows;
        }
        Self {
            read: s.lines,
            rows: s.rows,
            stored: s.stored,
            duplicates: s.duplicates,
            refused: s.refused,
            bad_lines: s.bad_lines.len() as u64,
            per_kind,
            first: s.first,
            last: s.last,
        }
    }
}

/// The error report: `line,reason`, one line per bad line (RFC 4180, as the exports).
pub fn error_report(bad_lines: &[BadLine]) -> Vec<u8> {
    let mut out = String::from("line,reason\n");
    for bad in bad_lines {
        let _ = write!(out, "{},", bad.line);
        crate::exports::push_field(&mut out, &bad.reason);
        out.push('\n');
    }
    out.into_bytes()
}

/// What a client may know about an import.
pub type CellImport = JobView<ImportPayload, ImportResult>;

impl CellImport {
    /// The cell every row goes to.
    pub fn cell_id(&self) -> i32 {
        self.payload.cell_id
    }

    /// `csv` or `seed-csv`.
    pub fn format(&self) -> &str {
        &self.payload.format
    }

    /// The stored body and its error report.
    pub(crate) fn upload(&self) -> Uuid {
        self.payload.upload
    }
}
