//! The timestamps of the series bodies, many in a row.

use chrono::{Datelike, NaiveDateTime, Timelike};
use ents_domain::series::format_http_date;

/// [`format_http_date`] for many timestamps in a row, appending to a buffer: consecutive
/// points of a series mostly share their minute, so the text up to the seconds
/// (`Fri, 01 Nov 2024 00:00:`) is formatted once per minute and only the two second digits
/// and ` GMT` are written per timestamp. The bytes are exactly `format_http_date`'s.
#[derive(Debug, Default)]
pub(crate) struct HttpDateWriter {
    /// The minute (`timestamp().div_euclid(60)`) `prefix` belongs to.
    minute: Option<i64>,
    prefix: String,
}

impl HttpDateWriter {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Appends `format_http_date(ts)` to `out`.
    pub(crate) fn write(&mut self, ts: NaiveDateTime, out: &mut Vec<u8>) {
        let secs = ts.and_utc().timestamp();
        // A leap second (nanoseconds ≥ 1e9) prints as second 60: not worth a cache.
        if ts.and_utc().timestamp_subsec_nanos() >= 1_000_000_000 {
            out.extend_from_slice(format_http_date(ts).as_bytes());
            return;
        }
        let minute = secs.div_euclid(60);
        if self.minute != Some(minute) {
            self.prefix.clear();
            if !write_prefix(ts, &mut self.prefix) {
                let full = format_http_date(ts);
                // `…:MM:SS GMT`: everything before the seconds (chrono decides the year's width).
                let cut = full.len().saturating_sub("SS GMT".len());
                self.prefix.push_str(&full[..cut]);
            }
            self.minute = Some(minute);
        }
        // `rem_euclid(60)` is in 0..60, so it fits a u8 and its digits are ASCII.
        let second = u8::try_from(secs.rem_euclid(60)).unwrap_or(0);
        out.extend_from_slice(self.prefix.as_bytes());
        out.extend_from_slice(&[b'0' + second / 10, b'0' + second % 10]);
        out.extend_from_slice(b" GMT");
    }
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Fri, 01 Nov 2024 00:00:` of `ts` written by hand (chrono's strftime parses its format
/// string on every call: most of the date cost of a raw day). Only for years 0–9999, which
/// `%Y` writes as four digits; `false` (nothing written) for the others.
fn write_prefix(ts: NaiveDateTime, out: &mut String) -> bool {
    let Ok(year) = u32::try_from(ts.year()) else {
        return false;
    };
    if year > 9999 {
        return false;
    }
    let weekday = WEEKDAYS[ts.weekday().num_days_from_monday() as usize];
    let month = MONTHS[ts.month0() as usize];
    out.push_str(weekday);
    out.push_str(", ");
    push_digits(out, ts.day(), 2);
    out.push(' ');
    out.push_str(month);
    out.push(' ');
    push_digits(out, year, 4);
    out.push(' ');
    push_digits(out, ts.hour(), 2);
    out.push(':');
    push_digits(out, ts.minute(), 2);
    out.push(':');
    true
}

/// The last `width` decimal digits of `value`, zero-padded.
fn push_digits(out: &mut String, value: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = value / 10_u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::NaiveDate;

    use super::*;

    fn at(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, s)
            .unwrap()
    }

    #[test]
    fn the_incremental_http_date_writer_writes_format_http_date_exactly() {
        let mut writer = HttpDateWriter::new();
        let mut out = Vec::new();
        let mut expected = String::new();
        // Steps that stay in a minute, cross minutes, hours, days, a leap day and years, go
        // backwards, and carry sub-second parts; years before 1970 and past 9999.
        let mut instants = Vec::new();
        let mut t = at(2023, 12, 31, 23, 58, 57) + chrono::TimeDelta::microseconds(250_000);
        for _ in 0..400 {
            instants.push(t);
            t += chrono::TimeDelta::milliseconds(5_184);
        }
        instants.push(at(2024, 2, 29, 23, 59, 59));
        instants.push(at(2024, 1, 1, 0, 0, 1));
        instants.push(at(1969, 12, 31, 23, 59, 59));
        instants.push(at(1900, 1, 1, 0, 0, 0));
        instants.push(at(12_345, 6, 7, 8, 9, 10));
        instants.push(at(0, 1, 1, 0, 0, 0));
        instants.push(at(9999, 12, 31, 23, 59, 59));
        instants.push(at(-1, 12, 31, 23, 59, 59));
        instants.push(at(999, 3, 4, 5, 6, 7));
        // Every month and weekday.
        for day in 0..400 {
            instants.push(at(2025, 1, 1, 13, 7, 0) + chrono::TimeDelta::days(day));
        }
        for ts in instants {
            writer.write(ts, &mut out);
            expected.push_str(&format_http_date(ts));
        }
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }
}
