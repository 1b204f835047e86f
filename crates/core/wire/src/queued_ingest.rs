//! The queued ingest mode's message body (`ingest.mode = queued`): what the API publishes for
//! each accepted upload and the worker decodes before writing it. A version byte, a format
//! byte, then the upload in a device format of this crate, so the worker stores exactly what
//! the API validated, with the same decoders:
//! * format 1, legacy uploads as the `/api/sensor_json/` dict (which carries every kind, with
//!   its values as decoded — bme280 already scaled — and JSON number types kept);
//! * format 2, generic uploads as a protobuf `RepeatedSensorMeasurements`, every item with
//!   its own metadata;
//! * format 3, several uploads packed in one message (the API packs the uploads that arrived
//!   while its publishes were busy, so one broker confirm serves them all): each upload as a
//!   single-upload body prefixed by its length (`u32`, big-endian).
//!
//! The bytes are a stored format: messages written by an earlier release may still wait in a
//! queue, so a change must keep reading them (`tests/queued_ingest.rs` pins them).
//! `decode(encode(u)) == u` for every upload, and `decode_all(encode_packed(us)) == us`.

use ents_domain::measurements::{GenericValue, Upload};
use prost::Message as _;

use crate::proto::{Metadata, RepeatedSensorMeasurements, SensorMeasurement, sensor_measurement};
use crate::{WireError, decode_repeated, decode_sensor_json};

/// The `content-type` a message with such a body carries.
pub const CONTENT_TYPE: &str = "application/vnd.ents.upload";

const VERSION: u8 = 1;
const LEGACY: u8 = 1;
const GENERIC: u8 = 2;
const PACKED: u8 = 3;

/// A body this version cannot read.
#[derive(Debug, thiserror::Error)]
pub enum BodyError {
    #[error("not an upload message (version or format byte unknown)")]
    Framing,
    #[error(transparent)]
    Upload(#[from] WireError),
}

/// The message body of `upload`.
pub fn encode(upload: &Upload) -> Vec<u8> {
    match upload {
        Upload::Legacy(m) => {
            let meta = m.meta();
            let dict = serde_json::json!({
                "type": m.kind().type_name(),
                "cellId": meta.cell_id.get(),
                "loggerId": meta.logger_id,
                "ts": meta.ts,
                "data": m.data(),
            });
            // Invariant: plain JSON values always serialize.
            let mut body = vec![VERSION, LEGACY];
            body.extend(serde_json::to_vec(&dict).unwrap_or_default());
            body
        }
        Upload::Generic(items) => {
            let message = RepeatedSensorMeasurements {
                meta: None,
                r#type: 0,
                measurements: items
                    .iter()
                    .map(|m| SensorMeasurement {
                        meta: Some(Metadata {
                            cell_id: m.meta().cell_id.get(),
                            logger_id: m.meta().logger_id.unwrap_or_default(),
                            ts: u32::try_from(m.meta().ts.utc().timestamp()).unwrap_or_default(),
                        }),
                        r#type: m.sensor().number(),
                        idx: 0,
                        value: Some(match m.raw_value() {
                            GenericValue::Unsigned(u) => sensor_measurement::Value::UnsignedInt(u),
                            GenericValue::Signed(i) => sensor_measurement::Value::SignedInt(i),
                            GenericValue::Decimal(f) => sensor_measurement::Value::Decimal(f),
                        }),
                    })
                    .collect(),
            };
            let mut body = vec![VERSION, GENERIC];
            body.extend(message.encode_to_vec());
            body
        }
    }
}

/// One message body for `uploads`: the single-upload body when there is one, else the packed
/// form.
pub fn encode_packed(uploads: &[Upload]) -> Vec<u8> {
    if let [only] = uploads {
        return encode(only);
    }
    let mut body = vec![VERSION, PACKED];
    for upload in uploads {
        let one = encode(upload);
        // Bodies are bounded by `ingest.body_limit_bytes`, far below 4 GiB.
        body.extend(u32::try_from(one.len()).unwrap_or(u32::MAX).to_be_bytes());
        body.extend(one);
    }
    body
}

/// The upload in a single-upload message body.
pub fn decode(body: &[u8]) -> Result<Upload, BodyError> {
    match body {
        [VERSION, LEGACY, rest @ ..] => Ok(decode_sensor_json(rest)?),
        [VERSION, GENERIC, rest @ ..] => Ok(decode_repeated(rest)?),
        _ => Err(BodyError::Framing),
    }
}

/// The uploads in any message body, in order. A packed body is refused whole when any part
/// is unreadable (it is dead-lettered as it is).
pub fn decode_all(body: &[u8]) -> Result<Vec<Upload>, BodyError> {
    let Some(mut rest) = body.strip_prefix(&[VERSION, PACKED]) else {
        return decode(body).map(|upload| vec![upload]);
    };
    let mut uploads = Vec::new();
    while !rest.is_empty() {
        let (len, after) = rest.split_first_chunk::<4>().ok_or(BodyError::Framing)?;
        let len = usize::try_from(u32::from_be_bytes(*len)).map_err(|_| BodyError::Framing)?;
        if len > after.len() {
            return Err(BodyError::Framing);
        }
        let (one, next) = after.split_at(len);
        uploads.push(decode(one)?);
        rest = next;
    }
    if uploads.is_empty() {
        return Err(BodyError::Framing);
    }
    Ok(uploads)
}
