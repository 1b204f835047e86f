//! Upstream's entity timestamps: Python's `datetime.isoformat()` of a naive UTC time.

use chrono::NaiveDateTime;

/// `YYYY-MM-DDTHH:MM:SS`, plus `.ffffff` only when the microseconds are not zero (as Python
/// and marshmallow print them).
pub(crate) fn isoformat(ts: NaiveDateTime) -> String {
    ts.format(if ts.and_utc().timestamp_subsec_micros() == 0 {
        "%Y-%m-%dT%H:%M:%S"
    } else {
        "%Y-%m-%dT%H:%M:%S%.6f"
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn microseconds_only_when_not_zero() {
        let at = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap();
        assert_eq!(
            isoformat(at.and_hms_opt(3, 4, 5).unwrap()),
            "2024-01-02T03:04:05"
        );
        assert_eq!(
            isoformat(at.and_hms_micro_opt(3, 4, 5, 60).unwrap()),
            "2024-01-02T03:04:05.000060"
        );
    }
}
