//! Which part of an aggregated read comes from the rollups.
//!
//! A rollup bucket of width W can be used only when it lies wholly inside the requested
//! closed range `[start, end]`; the rows of the partial buckets at both ends are read raw.
//! So the rollups serve `[inner_start, inner_end)` and the raw rows `[start, inner_start)`
//! and `[inner_end, end]`. Hour, day, week and month buckets nest (UTC calendar), so the
//! pieces regroup exactly into the requested width.

use chrono::{NaiveDateTime, TimeDelta, Timelike};
use ents_domain::series::{Resample, RollupWidth, TimeRange};

/// The split of a range between rollups and raw rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Plan {
    /// `"hour"` or `"day"`: the rollup rows to read (unused when the inner range is empty).
    pub width: &'static str,
    pub inner_start: NaiveDateTime,
    pub inner_end: NaiveDateTime,
}

/// The plan for `resample` over `range`; an empty inner range (all raw) when rollups are
/// off, when the width has no rollup (`minute`), or when no whole bucket fits.
pub(crate) fn plan(range: TimeRange, resample: Resample, use_rollups: bool) -> Plan {
    // `ts <= end` is `ts < end + 1µs`: timestamps have microsecond resolution.
    let end_exclusive = range
        .end
        .checked_add_signed(TimeDelta::microseconds(1))
        .unwrap_or(range.end);
    let all_raw = Plan {
        width: "hour",
        inner_start: end_exclusive,
        inner_end: end_exclusive,
    };
    let Some(width) = resample.rollup_width().filter(|_| use_rollups) else {
        return all_raw;
    };
    let step = width.duration();
    let truncate = |t: NaiveDateTime| -> NaiveDateTime {
        let hour = t.date().and_hms_opt(t.hour(), 0, 0).unwrap_or(t);
        match width {
            RollupWidth::Hour => hour,
            RollupWidth::Day => t.date().and_hms_opt(0, 0, 0).unwrap_or(t),
        }
    };
    let start_floor = truncate(range.start);
    let inner_start = if start_floor == range.start {
        start_floor
    } else {
        start_floor + step
    };
    let inner_end = truncate(end_exclusive);
    if inner_end <= inner_start {
        return all_raw;
    }
    Plan {
        width: width.as_str(),
        inner_start,
        inner_end,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::NaiveDate;

    use super::*;

    fn at(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2024, 1, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    fn range(start: NaiveDateTime, end: NaiveDateTime) -> TimeRange {
        TimeRange { start, end }
    }

    #[test]
    fn whole_hours_inside_the_range_come_from_rollups() {
        let p = plan(range(at(1, 10, 30), at(1, 14, 15)), Resample::Hour, true);
        assert_eq!(
            (p.width, p.inner_start, p.inner_end),
            ("hour", at(1, 11, 0), at(1, 14, 0))
        );
        // Aligned bounds: the start hour is whole; the end instant is in its own bucket.
        let p = plan(range(at(1, 10, 0), at(1, 14, 0)), Resample::Hour, true);
        assert_eq!((p.inner_start, p.inner_end), (at(1, 10, 0), at(1, 14, 0)));
    }

    #[test]
    fn weeks_and_months_use_daily_rollups() {
        let p = plan(range(at(1, 10, 0), at(20, 0, 0)), Resample::Week, true);
        assert_eq!(
            (p.width, p.inner_start, p.inner_end),
            ("day", at(2, 0, 0), at(20, 0, 0))
        );
    }

    #[test]
    fn all_raw_when_no_whole_bucket_fits_or_rollups_are_off() {
        let end = at(1, 10, 50);
        let after_end = end + TimeDelta::microseconds(1);
        for p in [
            plan(range(at(1, 10, 10), end), Resample::Hour, true),
            plan(range(at(1, 0, 0), at(3, 0, 0)), Resample::Minute, true),
            plan(range(at(1, 0, 0), end), Resample::Hour, false),
        ] {
            assert_eq!(p.inner_start, p.inner_end);
        }
        let p = plan(range(at(1, 10, 10), end), Resample::Day, true);
        assert_eq!((p.inner_start, p.inner_end), (after_end, after_end));
    }
}
