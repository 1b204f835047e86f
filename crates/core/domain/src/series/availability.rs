//! `GET /api/data-availability/` (docs/compatibility.md#reading-data).

use chrono::{NaiveDateTime, TimeDelta};

/// Data newer than this many days counts as recent.
pub const RECENT_DAYS: i64 = 14;

/// What the dashboard uses to choose its default date window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Availability {
    pub latest: Option<NaiveDateTime>,
    pub earliest: Option<NaiveDateTime>,
    pub has_recent_data: bool,
}

impl Availability {
    /// From the (earliest, latest) pair of the cells' data, judged at `now` (naive UTC).
    pub fn new(bounds: Option<(NaiveDateTime, NaiveDateTime)>, now: NaiveDateTime) -> Self {
        match bounds {
            None => Self {
                latest: None,
                earliest: None,
                has_recent_data: false,
            },
            Some((earliest, latest)) => Self {
                latest: Some(latest),
                earliest: Some(earliest),
                has_recent_data: latest >= now - TimeDelta::days(RECENT_DAYS),
            },
        }
    }
}

/// Parses `cell_ids=1, 2,,3` as upstream: elements are trimmed, empty ones skipped.
/// Errors carry upstream's exact messages: a non-integer element → `Invalid cell_ids
/// format`; nothing left → `At least one valid cell_id is required`.
pub fn parse_cell_ids(value: &str) -> Result<Vec<i32>, &'static str> {
    let mut ids = Vec::new();
    for part in value.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        // Python's int() accepts a sign; ids beyond i32 cannot exist, so they match nothing.
        let id: i64 = part.parse().map_err(|_| "Invalid cell_ids format")?;
        if let Ok(id) = i32::try_from(id) {
            ids.push(id);
        }
    }
    if ids.is_empty() && !value.split(',').any(|p| !p.trim().is_empty()) {
        return Err("At least one valid cell_id is required");
    }
    Ok(ids)
}
