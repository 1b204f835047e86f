//! Why an upload is refused before anything is stored.
//!
//! Typed, because the HTTP adapter answers differently per path and per reason (legacy:
//! `Response{ERROR}`; generic: 400 with a text reason). Each variant notes what upstream did with
//! the same input (docs/wire-format.md#answers, vectors `bad-*`), so the mapping can stay
//! compatible where devices depend on it.

/// A decoded upload that cannot be stored.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IngestError {
    /// No metadata: a legacy `Measurement` without `meta` (also an empty body), or a generic item
    /// without its own `meta` in an upload without a top-level one.
    /// Upstream: legacy 500 (`KeyError`), generic 400 `Repeated measurement missing metadata field.`
    #[error("measurement has no metadata")]
    MissingMeta,

    /// A legacy `Measurement` whose `measurement` oneof is not set at all.
    /// Upstream: 500 (`KeyError('Measurement missing data')`).
    #[error("measurement carries no data")]
    MissingMeasurement,

    /// A kind this server does not know: a `Measurement` oneof field number the schema does not
    /// define (newer firmware), or an unknown `type` in a JSON upload. Answered with the legacy
    /// ERROR response (501), never a silent 200 as upstream did (D-38).
    #[error("unknown measurement kind: {0}")]
    UnknownKind(String),

    /// A generic upload with no items (also an empty body).
    /// Upstream: 400 `Error parsing sensor measurements: 'measurements'`.
    #[error("upload contains no measurements")]
    NoMeasurements,

    /// A generic item whose `type` is `NONE` (0, hence absent on the wire).
    /// Upstream: 400 `... 'type'`.
    #[error("sensor type is missing")]
    MissingSensorType,

    /// A generic item whose `type` number is not a `SensorType`.
    /// Upstream: 400 `... Enum SensorType has no value defined for name <n>`.
    #[error("sensor type {0} is not defined")]
    UnknownSensorType(i32),

    /// A generic item without a value (none of `unsigned_int`, `signed_int`, `decimal`, or a
    /// value in a oneof member the schema does not define). Upstream: 500, nothing stored.
    #[error("measurement has no value")]
    MissingValue,

    /// Cell id 0, which proto3 cannot tell from "absent" and which no cell has.
    /// Upstream: legacy 501 `08 01` (cell 0 not found); generic 500 (`KeyError`).
    #[error("cell id is missing or 0")]
    CellIdZero,

    /// A logger id is required but missing: generic items with logger 0 (upstream 500,
    /// `KeyError`), or a JSON `power` upload without `loggerId` (upstream 500).
    #[error("logger id is missing or 0")]
    MissingLoggerId,

    /// A generic item with `ts` 0. Upstream: 500 (`KeyError`).
    #[error("timestamp is missing or 0")]
    MissingTimestamp,

    /// A NaN or infinite number, which neither the database series nor JSON can carry.
    /// Upstream: stored `"NaN"` strings or crashed (D-33).
    #[error("{field} is not a finite number")]
    NotFinite { field: String },

    /// An integer that does not fit the PostgreSQL `integer` column it is stored in.
    /// Upstream: 500 from the database.
    #[error("{field} is out of range")]
    OutOfRange { field: String },

    /// A required JSON field is absent (`/api/sensor_json/`). Upstream: 500.
    #[error("{field} is missing")]
    MissingField { field: String },

    /// A JSON field has the wrong type or value (`/api/sensor_json/`). Upstream: 500.
    #[error("{field}: {problem}")]
    InvalidField { field: String, problem: String },

    /// The item at `index` (0-based) of a generic upload is refused for `error`.
    #[error("measurement {index}: {error}")]
    Item {
        index: usize,
        error: Box<IngestError>,
    },
}

impl IngestError {
    /// Attributes this error to item `index` of a generic upload.
    pub fn in_item(self, index: usize) -> Self {
        Self::Item {
            index,
            error: Box::new(self),
        }
    }

    /// The reason itself, without the item wrapper(s).
    pub fn reason(&self) -> &IngestError {
        match self {
            Self::Item { error, .. } => error.reason(),
            other => other,
        }
    }

    /// The input field the reason names, where it names one (a JSON upload's `cellId`,
    /// `data.voltage`…), so that a JSON route can answer 400 naming it.
    pub fn field(&self) -> Option<&str> {
        match self.reason() {
            Self::NotFinite { field }
            | Self::OutOfRange { field }
            | Self::MissingField { field }
            | Self::InvalidField { field, .. } => Some(field),
            Self::CellIdZero => Some("cellId"),
            Self::MissingLoggerId => Some("loggerId"),
            Self::MissingTimestamp => Some("ts"),
            _ => None,
        }
    }

    /// [`IngestError::NotFinite`] for `field`.
    pub fn not_finite(field: impl Into<String>) -> Self {
        Self::NotFinite {
            field: field.into(),
        }
    }

    /// [`IngestError::OutOfRange`] for `field`.
    pub fn out_of_range(field: impl Into<String>) -> Self {
        Self::OutOfRange {
            field: field.into(),
        }
    }

    /// [`IngestError::InvalidField`] for `field`.
    pub fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::InvalidField {
            field: field.into(),
            problem: problem.into(),
        }
    }
}
