use std::sync::Arc;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::jobs::JobView;
use crate::series::{Resample, TimeRange};
use crate::users::UserId;
use crate::{DomainError, FieldErrors};

/// The job kind of an export.
pub const EXPORT_KIND: &str = "export.csv";

/// Most cells one export may list (a bound on the work one request can queue).
pub const MAX_EXPORT_CELLS: usize = 100;

/// The file layout (docs/exports.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// The long layout: one line per value of one series.
    Csv,
    /// The seed-era wide layout of `GET /api/cell/datas`
    /// (`timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type`, `void` for gaps).
    SeedCsv,
}

impl ExportFormat {
    pub const ACCEPTED: &'static str = "csv, seed-csv";

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "csv" => Some(Self::Csv),
            "seed-csv" => Some(Self::SeedCsv),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::SeedCsv => "seed-csv",
        }
    }
}

/// What to export: every series (power, TEROS, each generic sensor) of the cells over the
/// closed device-time range, raw (`Resample::None`) or as bucket means.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRequest {
    cell_ids: Vec<i32>,
    pub range: TimeRange,
    pub resample: Resample,
    pub format: ExportFormat,
}

impl ExportRequest {
    /// Duplicated ids are dropped (first occurrence kept). Errors: `Invalid` naming
    /// `cell_ids` (empty, or more than [`MAX_EXPORT_CELLS`]) or `end` (before `start`).
    pub fn new(
        cell_ids: &[i32],
        range: TimeRange,
        resample: Resample,
        format: ExportFormat,
    ) -> Result<Self, DomainError> {
        let mut unique: Vec<i32> = Vec::with_capacity(cell_ids.len());
        for id in cell_ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        let mut errors = FieldErrors::new();
        if unique.is_empty() {
            errors.insert(
                "cell_ids".into(),
                vec!["must list at least one cell".into()],
            );
        } else if unique.len() > MAX_EXPORT_CELLS {
            errors.insert(
                "cell_ids".into(),
                vec![format!("at most {MAX_EXPORT_CELLS} cells per export")],
            );
        }
        if range.end < range.start {
            errors.insert("end".into(), vec!["must not be before start".into()]);
        }
        if !errors.is_empty() {
            return Err(DomainError::Invalid(errors));
        }
        Ok(Self {
            cell_ids: unique,
            range,
            resample,
            format,
        })
    }

    pub fn cell_ids(&self) -> &[i32] {
        &self.cell_ids
    }
}

/// The job payload: the request, who asked, and through which API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportPayload {
    pub cell_ids: Vec<i32>,
    /// Naive UTC, as the series tables store it.
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    /// `none`, `minute`, `hour`, `day`, `week` or `month`.
    pub resample: String,
    pub format: String,
    /// The identified creator; `None` for an anonymous export (public reads only), which
    /// anyone holding its id may see.
    pub owner: Option<UserId>,
    /// Created through the seed-era `GET /api/cell/datas`.
    #[serde(default)]
    pub legacy: bool,
}

impl ExportPayload {
    pub fn new(request: &ExportRequest, owner: Option<UserId>, legacy: bool) -> Self {
        Self {
            cell_ids: request.cell_ids.clone(),
            start: request.range.start,
            end: request.range.end,
            resample: request.resample.unit().unwrap_or("none").to_owned(),
            format: request.format.as_str().to_owned(),
            owner,
            legacy,
        }
    }

    /// Errors: `Invalid` when the stored payload is not a valid request.
    pub fn request(&self) -> Result<ExportRequest, DomainError> {
        let resample = Resample::parse(&self.resample)
            .ok_or_else(|| DomainError::invalid_field("resample", "unknown resample"))?;
        let format = ExportFormat::parse(&self.format)
            .ok_or_else(|| DomainError::invalid_field("format", "unknown format"))?;
        let range = TimeRange {
            start: self.start,
            end: self.end,
        };
        ExportRequest::new(&self.cell_ids, range, resample, format)
    }
}

/// The job result of a finished export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportResult {
    /// The name the file store published the file under.
    pub file: String,
    /// Data rows (the header not counted).
    pub rows: u64,
    pub bytes: u64,
}

/// Which series a row belongs to (shared by all its rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesLabel {
    pub cell_id: i32,
    pub cell_name: String,
    /// `power`, `teros` or `sensor`.
    pub source: &'static str,
    /// `power`, `teros12`, or the generic sensor's name.
    pub sensor: String,
    pub measurement: String,
    /// Empty when the series has none.
    pub unit: String,
    /// A generic sensor's `data_type` (`float`, `int`, `text`); empty for power and TEROS.
    pub data_type: String,
}

/// A value of a long-format row.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportValue {
    Number(f64),
    Text(String),
}

/// One line of the export: one value of one series at one time (a bucket start when
/// resampled).
#[derive(Debug, Clone, PartialEq)]
pub struct ExportRow {
    pub series: Arc<SeriesLabel>,
    pub ts: NaiveDateTime,
    pub value: ExportValue,
    /// The name of the logger of a raw power row (none when NULL, for other series, and for
    /// buckets, which mix loggers).
    pub logger: Option<Arc<str>>,
}

/// What a client may know about an export.
pub type Export = JobView<ExportPayload, ExportResult>;

impl Export {
    /// The creator, if identified.
    pub fn owner(&self) -> Option<UserId> {
        self.payload.owner
    }

    pub fn is_legacy(&self) -> bool {
        self.payload.legacy
    }
}
