//! What the evaluator reads from the measurements, and how it decides.
//!
//! A threshold holds "for M minutes" when the value in force at `now - M` (the last reading
//! at or before it) and every reading since are on the firing side. With M = 0 that is the
//! latest reading. The same test, on the good side of the margin over the clear time, is
//! the resolve condition (see [`super::state`] for why).

use chrono::{DateTime, TimeDelta, Utc};

use super::model::{Condition, Direction, SeriesRef};
use super::state::{Status, Verdict};

/// Whose uploads a silence rule watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UploadTarget {
    pub cell_id: i32,
    /// Only this logger's uploads to the cell (power rows carry the logger).
    pub logger_id: Option<i32>,
}

/// A window of one series: `(start, end]` plus the value in force at `start`.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowQuery {
    pub cell_id: i32,
    pub series: SeriesRef,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// What a [`WindowQuery`] found. `count`, `min`, `max` cover readings in `(start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WindowStats {
    /// The last reading at or before `start`.
    pub at_start: Option<f64>,
    pub count: i64,
    pub min: Option<f64>,
    pub max: Option<f64>,
    /// The last reading at or before `end`.
    pub latest: Option<f64>,
}

impl WindowStats {
    /// Whether the value held `pred` over the whole window; `false` when nothing was in
    /// force at its start (too little data to tell).
    pub fn held(&self, pred: impl Fn(f64) -> bool) -> bool {
        let Some(start) = self.at_start else {
            return false;
        };
        pred(start) && self.min.is_none_or(&pred) && self.max.is_none_or(&pred)
    }
}

/// The question a threshold rule asks of its data in the current status: over which
/// window, and which side counts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Question {
    pub minutes: u32,
    direction: Direction,
    limit: f64,
    /// `true` when the question is "has it cleared?".
    clearing: bool,
}

impl Question {
    /// For a threshold condition in `status`; `None` for a silence rule.
    pub fn for_status(condition: &Condition, status: Status) -> Option<Self> {
        let Condition::Threshold {
            direction,
            value,
            for_minutes,
            clear_margin,
            clear_minutes,
            ..
        } = condition
        else {
            return None;
        };
        Some(if status == Status::Firing {
            let limit = match direction {
                Direction::Below => value + clear_margin,
                Direction::Above => value - clear_margin,
            };
            Self {
                minutes: *clear_minutes,
                direction: *direction,
                limit,
                clearing: true,
            }
        } else {
            Self {
                minutes: *for_minutes,
                direction: *direction,
                limit: *value,
                clearing: false,
            }
        })
    }

    /// The window to read ending at `now`.
    pub fn window(&self, cell_id: i32, series: &SeriesRef, now: DateTime<Utc>) -> WindowQuery {
        WindowQuery {
            cell_id,
            series: series.clone(),
            start: now - TimeDelta::minutes(i64::from(self.minutes)),
            end: now,
        }
    }

    /// The verdict from what the window holds.
    pub fn verdict(&self, stats: &WindowStats) -> Verdict {
        let limit = self.limit;
        let held = match (self.direction, self.clearing) {
            (Direction::Below, false) => stats.held(|v| v < limit),
            (Direction::Above, false) => stats.held(|v| v > limit),
            // Cleared: on the good side of the margin (reaching it exactly counts).
            (Direction::Below, true) => stats.held(|v| v >= limit),
            (Direction::Above, true) => stats.held(|v| v <= limit),
        };
        let value = stats.latest.or(stats.at_start);
        match (held, self.clearing) {
            (false, _) => Verdict::Stay,
            (true, false) => Verdict::Fire { value },
            (true, true) => Verdict::Clear { value },
        }
    }
}

/// The verdict of a silence rule: silent since `max(last upload, watching_since)` for at
/// least `minutes`. The value is the minutes of silence.
pub fn silence_verdict(
    minutes: u32,
    status: Status,
    last_upload: Option<DateTime<Utc>>,
    watching_since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Verdict {
    let since = last_upload.map_or(watching_since, |t| t.max(watching_since));
    let silent_for = now - since;
    let silent = silent_for >= TimeDelta::minutes(i64::from(minutes));
    // Minutes of silence, to one decimal.
    let value = Some((silent_for.num_seconds().max(0) as f64 / 6.0).round() / 10.0);
    match (status, silent) {
        (Status::Firing, false) => Verdict::Clear { value },
        (Status::Ok | Status::Resolved, true) => Verdict::Fire { value },
        _ => Verdict::Stay,
    }
}
