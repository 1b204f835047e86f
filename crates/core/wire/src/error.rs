//! Why a body could not be turned into an [`Upload`](ents_domain::measurements::Upload).

use ents_domain::measurements::IngestError;

/// A refused body. Never a panic: every decoder of this crate returns this for any bad input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum WireError {
    /// Not a protobuf encoding of `message` (truncated, oversized varint or length, invalid
    /// wire type…). The text is the one upstream's runtime raised (docs/wire-format.md#decoding).
    #[error("Error parsing message with type '{message}'")]
    Malformed { message: &'static str },

    /// Well-formed, but not storable: see [`IngestError`].
    #[error(transparent)]
    Invalid(#[from] IngestError),

    /// The body is not JSON at all (TTN webhook, `/api/sensor_json/`). Upstream: 400.
    #[error("body is not valid JSON: {0}")]
    Json(String),

    /// TTN f_port 1 or 2 without `uplink_message.frm_payload`. Upstream: 500.
    #[error("uplink_message.frm_payload is missing")]
    MissingPayload,

    /// TTN `frm_payload` that is not a standard-base64 string. Upstream: 500.
    #[error("uplink_message.frm_payload is not valid base64")]
    BadBase64,
}

impl WireError {
    /// The text upstream put after `Error parsing sensor measurements: ` in its 400 answer to a
    /// generic upload it could not parse (docs/wire-format.md#answers), for the reasons upstream
    /// had; our own message otherwise.
    pub fn upstream_reason(&self) -> String {
        let Self::Invalid(error) = self else {
            return self.to_string();
        };
        match error.reason() {
            IngestError::NoMeasurements => "'measurements'".to_owned(),
            IngestError::MissingSensorType => "'type'".to_owned(),
            IngestError::UnknownSensorType(n) => {
                format!("Enum SensorType has no value defined for name {n}")
            }
            IngestError::MissingMeta => "Repeated measurement missing metadata field.".to_owned(),
            _ => error.to_string(),
        }
    }

    /// The domain reason, when the body was well-formed but refused.
    pub fn ingest_error(&self) -> Option<&IngestError> {
        match self {
            Self::Invalid(e) => Some(e.reason()),
            _ => None,
        }
    }
}
