//! The flat legacy JSON dict of `POST /api/sensor_json/` (docs/wire-format.md#json-uploads):
//! `{"type": str, "cellId": int, "loggerId": int, "ts": number, "data": {…}}`.

mod kinds;
mod number;

use ents_domain::measurements::{DeviceTime, IngestError, LegacyMeasurement, Meta, Upload};
use serde_json::{Map, Value};

use crate::WireError;
use number::{Fields, unsigned};

/// Decodes a `/api/sensor_json/` body into a legacy upload.
///
/// Accepts the types upstream dispatched (`power`, `teros12`, `phytos31`, `bme280`, `teros21`,
/// `co2`, `pcap02`, `sen0257`, `sen0308`, `yfs210c`, `D10`) with upstream's data keys, plus the
/// other protobuf oneof names with their protobuf JSON keys (`d10`, `watermark200ss`,
/// `watermark200ts`, `edu0157`, `waterLevel`), so every kind can be stored.
/// Values are stored as given: no bme280 scaling. `loggerId` may be absent except for `power`.
///
/// Errors: [`WireError::Json`]; [`IngestError::UnknownKind`] for any other `type` (upstream
/// answered 200 and stored nothing, D-38; here it is the ERROR response);
/// [`IngestError::MissingField`] / [`IngestError::InvalidField`] naming the bad key
/// (`cellId`, `data.voltage`…); and the validation of [`LegacyMeasurement::new`].
pub fn decode_sensor_json(body: &[u8]) -> Result<Upload, WireError> {
    let json: Value = serde_json::from_slice(body).map_err(|e| WireError::Json(e.to_string()))?;
    let Value::Object(object) = json else {
        return Err(IngestError::invalid("body", "expected a JSON object").into());
    };
    let type_name = match object.get("type") {
        None => return Err(missing("type")),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(IngestError::invalid("type", "expected a string").into()),
    };
    let meta = meta(&object)?;
    let data = match object.get("data") {
        None => return Err(missing("data")),
        Some(Value::Object(data)) => Fields::new(data),
        Some(_) => return Err(IngestError::invalid("data", "expected an object").into()),
    };
    let kind = kinds::kind(type_name, &data)?;
    Ok(Upload::Legacy(LegacyMeasurement::new(meta, kind)?))
}

fn meta(object: &Map<String, Value>) -> Result<Meta, IngestError> {
    let cell_id = unsigned(
        object
            .get("cellId")
            .ok_or_else(|| missing_field("cellId"))?,
        "cellId",
    )?;
    let cell_id = std::num::NonZeroU32::new(cell_id).ok_or(IngestError::CellIdZero)?;
    let logger_id = match object.get("loggerId") {
        None | Some(Value::Null) => None,
        Some(v) => Some(unsigned(v, "loggerId")?),
    };
    let ts = match object.get("ts") {
        None => return Err(missing_field("ts")),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(secs) => DeviceTime::from_unix_seconds(secs)?,
            None => DeviceTime::from_unix_fractional(n.as_f64().unwrap_or(f64::NAN))?,
        },
        Some(_) => return Err(IngestError::invalid("ts", "expected a number")),
    };
    Ok(Meta {
        cell_id,
        logger_id,
        ts,
    })
}

fn missing_field(field: &str) -> IngestError {
    IngestError::MissingField {
        field: field.to_owned(),
    }
}

fn missing(field: &str) -> WireError {
    missing_field(field).into()
}
