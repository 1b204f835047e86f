//! Timestamps in and out of the series endpoints (docs/compatibility.md#reading-data): answers
//! carry RFC 1123 HTTP dates; `startTime`/`endTime` accept RFC 1123/822 (what the dashboard and the
//! `ents` client send) and ISO 8601.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, Utc};

/// When `startTime` is missing, the range starts this many days before its end (the
/// "last month" default upstream's models meant to apply).
pub const DEFAULT_RANGE_DAYS: i64 = 30;

/// `Fri, 01 Nov 2024 00:00:00 GMT`: Flask `jsonify`'s format (whole seconds, always GMT).
pub fn format_http_date(ts: NaiveDateTime) -> String {
    ts.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// Parses a query timestamp into naive UTC. Accepted:
/// - RFC 822/1123 as Python's `email.utils.parsedate_to_datetime` reads it: the weekday is
///   optional and not checked, seconds optional, `GMT`/`UT`/`Z`/military or numeric zones,
///   no zone meaning UTC;
/// - ISO 8601 / RFC 3339 with or without a zone (`2024-01-13T00:00:00Z`,
///   `2024-01-13T00:00:00.5+02:00`, `2024-01-13 00:00:00`, `2024-01-13`), no zone meaning UTC.
///
/// `None` when it is neither.
pub fn parse_time(value: &str) -> Option<NaiveDateTime> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    parse_iso(value).or_else(|| parse_rfc822(value))
}

fn parse_iso(value: &str) -> Option<NaiveDateTime> {
    if let Ok(dt) = DateTime::parse_from_rfc3339(value) {
        return Some(to_utc(dt));
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%:z",
    ] {
        if let Ok(dt) = DateTime::parse_from_str(value, format) {
            return Some(to_utc(dt));
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(value, format) {
            return Some(naive);
        }
    }
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

fn parse_rfc822(value: &str) -> Option<NaiveDateTime> {
    // Python ignores the weekday; chrono would reject a wrong one, so drop it.
    let without_weekday = match value.split_once(',') {
        Some((day, rest)) if day.trim().chars().all(|c| c.is_ascii_alphabetic()) => rest.trim(),
        _ => value,
    };
    if let Ok(dt) = DateTime::parse_from_rfc2822(without_weekday) {
        return Some(to_utc(dt));
    }
    // No zone (Python: naive, compared as UTC), or no seconds.
    for candidate in [
        format!("{without_weekday} +0000"),
        insert_seconds(without_weekday),
    ] {
        if let Ok(dt) = DateTime::parse_from_rfc2822(&candidate) {
            return Some(to_utc(dt));
        }
    }
    None
}

/// `13 Jan 2024 00:00 GMT` → `13 Jan 2024 00:00:00 GMT` (chrono wants the seconds).
fn insert_seconds(value: &str) -> String {
    let parts: Vec<&str> = value.split_whitespace().collect();
    let mut out = Vec::with_capacity(parts.len() + 1);
    let mut zone_missing = true;
    for (i, part) in parts.iter().enumerate() {
        if i == 3 && part.matches(':').count() == 1 {
            out.push(format!("{part}:00"));
        } else {
            out.push((*part).to_owned());
        }
        if i == 4 {
            zone_missing = false;
        }
    }
    if zone_missing {
        out.push("+0000".to_owned());
    }
    out.join(" ")
}

fn to_utc(dt: DateTime<FixedOffset>) -> NaiveDateTime {
    dt.with_timezone(&Utc).naive_utc()
}
