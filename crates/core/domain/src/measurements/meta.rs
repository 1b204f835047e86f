//! Identity of a reading: cell, logger and device time.

use std::num::NonZeroU32;

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use super::IngestError;

/// Metadata exactly as carried by protobuf (`MeasurementMetadata` / `Metadata`). proto3 omits
/// zeros, so 0 here means "0 or absent" (docs/wire-format.md#encoding-rules).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RawMeta {
    pub cell_id: u32,
    pub logger_id: u32,
    pub ts: u32,
}

/// Validated identity of one reading.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Meta {
    /// Never 0: no cell has id 0.
    pub cell_id: NonZeroU32,
    /// `None` only for a `/api/sensor_json/` body without `loggerId`. Protobuf metadata always
    /// has one; legacy uploads keep 0 (upstream printed it and only `power` looks it up).
    pub logger_id: Option<u32>,
    /// Device clock.
    pub ts: DeviceTime,
}

impl Meta {
    /// Legacy `Measurement.meta`: upstream accepted logger 0 and ts 0 (1970-01-01) here, and
    /// looked cell 0 up in vain (501), so only the cell is checked.
    pub fn legacy(raw: RawMeta) -> Result<Self, IngestError> {
        Ok(Self {
            cell_id: NonZeroU32::new(raw.cell_id).ok_or(IngestError::CellIdZero)?,
            logger_id: Some(raw.logger_id),
            ts: DeviceTime::from_unix(raw.ts),
        })
    }

    /// Generic item metadata: upstream required all three keys, which `MessageToDict` omits
    /// when 0, so a zero in any of them never stored anything (500). Kept as typed refusals.
    pub fn generic(raw: RawMeta) -> Result<Self, IngestError> {
        let cell_id = NonZeroU32::new(raw.cell_id).ok_or(IngestError::CellIdZero)?;
        if raw.logger_id == 0 {
            return Err(IngestError::MissingLoggerId);
        }
        if raw.ts == 0 {
            return Err(IngestError::MissingTimestamp);
        }
        Ok(Self {
            cell_id,
            logger_id: Some(raw.logger_id),
            ts: DeviceTime::from_unix(raw.ts),
        })
    }
}

/// Seconds since the Unix epoch as the device sent them, interpreted as UTC whatever the time
/// zone of the server or the database.
///
/// Keeps the number as sent (integer or, from JSON, fractional) because the Socket.IO
/// `timestamp` echoes it unchanged (docs/live-push.md#the-event); [`DeviceTime::utc`] is what is
/// stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeviceTime {
    raw: RawTime,
    utc: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RawTime {
    Whole(i64),
    Fractional(f64),
}

/// Python's `datetime` range (years 1–9999), which bounded upstream; also within PostgreSQL's.
const MIN_SECS: i64 = -62_135_596_800;
const MAX_SECS: i64 = 253_402_300_799;

impl DeviceTime {
    /// A protobuf `uint32` timestamp; every value is representable.
    pub fn from_unix(secs: u32) -> Self {
        let secs = i64::from(secs);
        Self {
            raw: RawTime::Whole(secs),
            // Cannot fail for a u32; the fallback only avoids a panic path.
            utc: DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH),
        }
    }

    /// A JSON integer timestamp.
    pub fn from_unix_seconds(secs: i64) -> Result<Self, IngestError> {
        if !(MIN_SECS..=MAX_SECS).contains(&secs) {
            return Err(IngestError::out_of_range("ts"));
        }
        let utc =
            DateTime::from_timestamp(secs, 0).ok_or_else(|| IngestError::out_of_range("ts"))?;
        Ok(Self {
            raw: RawTime::Whole(secs),
            utc,
        })
    }

    /// A JSON fractional timestamp, kept to the microsecond like upstream's
    /// `datetime.fromtimestamp` (round half to even).
    pub fn from_unix_fractional(secs: f64) -> Result<Self, IngestError> {
        if !secs.is_finite() {
            return Err(IngestError::not_finite("ts"));
        }
        let micros = (secs * 1e6).round_ties_even();
        // Compared as f64 first so the cast below cannot saturate.
        if micros < MIN_SECS as f64 * 1e6 || micros > (MAX_SECS + 1) as f64 * 1e6 - 1.0 {
            return Err(IngestError::out_of_range("ts"));
        }
        let utc = DateTime::from_timestamp_micros(micros as i64)
            .ok_or_else(|| IngestError::out_of_range("ts"))?;
        Ok(Self {
            raw: RawTime::Fractional(secs),
            utc,
        })
    }

    /// The instant to store (device time, UTC).
    pub fn utc(&self) -> DateTime<Utc> {
        self.utc
    }
}

impl Serialize for DeviceTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.raw {
            RawTime::Whole(secs) => serializer.serialize_i64(secs),
            RawTime::Fractional(secs) => serializer.serialize_f64(secs),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn legacy_meta_keeps_logger_zero_and_ts_zero() {
        let meta = Meta::legacy(RawMeta {
            cell_id: 1,
            logger_id: 0,
            ts: 0,
        })
        .unwrap();
        assert_eq!(meta.logger_id, Some(0));
        assert_eq!(meta.ts.utc(), DateTime::UNIX_EPOCH);
    }

    #[test]
    fn cell_zero_is_refused_on_both_paths() {
        let raw = RawMeta {
            cell_id: 0,
            logger_id: 1,
            ts: 1,
        };
        assert_eq!(Meta::legacy(raw), Err(IngestError::CellIdZero));
        assert_eq!(Meta::generic(raw), Err(IngestError::CellIdZero));
    }

    #[test]
    fn generic_meta_needs_logger_and_ts() {
        let logger0 = RawMeta {
            cell_id: 1,
            logger_id: 0,
            ts: 1,
        };
        let ts0 = RawMeta {
            cell_id: 1,
            logger_id: 1,
            ts: 0,
        };
        assert_eq!(Meta::generic(logger0), Err(IngestError::MissingLoggerId));
        assert_eq!(Meta::generic(ts0), Err(IngestError::MissingTimestamp));
    }

    #[test]
    fn fractional_time_keeps_microseconds_and_serializes_as_sent() {
        let t = DeviceTime::from_unix_fractional(1_700_000_000.25).unwrap();
        assert_eq!(t.utc().timestamp_micros(), 1_700_000_000_250_000);
        assert_eq!(serde_json::to_string(&t).unwrap(), "1700000000.25");
        let w = DeviceTime::from_unix(1_700_000_000);
        assert_eq!(serde_json::to_string(&w).unwrap(), "1700000000");
    }

    #[test]
    fn out_of_range_times_are_refused() {
        assert!(DeviceTime::from_unix_seconds(MAX_SECS + 1).is_err());
        assert!(DeviceTime::from_unix_seconds(MIN_SECS - 1).is_err());
        assert!(DeviceTime::from_unix_fractional(f64::NAN).is_err());
        assert!(DeviceTime::from_unix_fractional(1e300).is_err());
        assert!(DeviceTime::from_unix_seconds(MAX_SECS).is_ok());
    }
}
