//! The Things Network v3 uplink webhook body (`POST /api/sensor/`, `application/json`).

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde_json::Value;

use crate::WireError;

/// What an uplink asks for, with upstream's outcomes (docs/wire-format.md#ttn-webhooks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TtnUplink {
    /// f_port 1: `frm_payload` decoded; a legacy `Measurement` (see [`crate::decode_measurement`]).
    Measurement(Vec<u8>),
    /// f_port 2: `frm_payload` decoded; a `RepeatedSensorMeasurements` (see
    /// [`crate::decode_repeated`]).
    RepeatedMeasurements(Vec<u8>),
    /// f_port 202, LoRaWAN clock synchronisation. Upstream: 200 `Ignoring timesync request.`
    TimeSync,
    /// Any other `f_port` (including the string `"1"`), as its JSON text. Upstream: 404
    /// `f_port not recognized.`
    UnknownPort(String),
    /// Not an uplink: no `uplink_message` object with an `f_port` key, or not a JSON object.
    /// Upstream: 200 `Missing uplink_message or f_port.`, nothing stored.
    NotUplink,
}

impl TtnUplink {
    /// The uplink's `f_port` when it selects a decoder or time sync.
    pub fn f_port(&self) -> Option<u8> {
        match self {
            Self::Measurement(_) => Some(1),
            Self::RepeatedMeasurements(_) => Some(2),
            Self::TimeSync => Some(202),
            Self::UnknownPort(_) | Self::NotUplink => None,
        }
    }
}

/// Standard alphabet; padding optional and non-zero trailing bits tolerated, since Python's
/// `b64decode` (upstream) is lax about the latter and TTN always pads.
const FRM_PAYLOAD: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Reads a TTN v3 uplink. Only `uplink_message.f_port` and `uplink_message.frm_payload` matter;
/// cell and logger come from the protobuf metadata inside the payload.
///
/// `f_port` is compared as a JSON number (`1` and `1.0` are port 1). The payload is decoded
/// only for ports 1 and 2.
///
/// Errors: [`WireError::Json`] for a body that is not JSON (upstream 400);
/// [`WireError::MissingPayload`] and [`WireError::BadBase64`] on ports 1 and 2 (upstream 500).
pub fn parse_ttn_uplink(body: &[u8]) -> Result<TtnUplink, WireError> {
    let json: Value = serde_json::from_slice(body).map_err(|e| WireError::Json(e.to_string()))?;
    let Some(uplink) = json.get("uplink_message").and_then(Value::as_object) else {
        return Ok(TtnUplink::NotUplink);
    };
    let Some(f_port) = uplink.get("f_port") else {
        return Ok(TtnUplink::NotUplink);
    };
    let port = f_port.as_number().and_then(serde_json::Number::as_f64);
    let payload = || -> Result<Vec<u8>, WireError> {
        match uplink.get("frm_payload") {
            None | Some(Value::Null) => Err(WireError::MissingPayload),
            Some(Value::String(text)) => FRM_PAYLOAD.decode(text).map_err(|_| WireError::BadBase64),
            Some(_) => Err(WireError::BadBase64),
        }
    };
    Ok(match port {
        Some(1.0) => TtnUplink::Measurement(payload()?),
        Some(2.0) => TtnUplink::RepeatedMeasurements(payload()?),
        Some(202.0) => TtnUplink::TimeSync,
        _ => TtnUplink::UnknownPort(f_port.to_string()),
    })
}
