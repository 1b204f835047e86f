//! Generic protobuf `RepeatedSensorMeasurements` → [`Upload::Generic`].

use ents_domain::measurements::{
    GenericMeasurement, GenericValue, IngestError, Meta, RawMeta, SensorType, Upload,
};
use prost::Message as _;

use crate::WireError;
use crate::lenient;
use crate::proto::{self, sensor_measurement::Value};

/// Decodes the body of `POST /api/sensor/` with `SensorVersion: 2` (and TTN f_port 2).
///
/// As upstream (`ents.proto.sensor.parse_sensor_measurement`), an item without its own `meta`
/// takes the top-level one whole (no per-field merge); the top-level `type` and every `idx` are
/// ignored. Wire leniency as in [`crate::decode_measurement`].
///
/// Errors: [`WireError::Malformed`]; [`IngestError::NoMeasurements`] (also for an empty body);
/// per item, wrapped in [`IngestError::Item`]: `MissingMeta`, `MissingSensorType` (NONE),
/// `UnknownSensorType`, `MissingValue`, then the validation of [`Meta::generic`] and
/// [`GenericMeasurement::new`]. The first refused item refuses the whole upload, so nothing
/// is stored from it.
pub fn decode_repeated(bytes: &[u8]) -> Result<Upload, WireError> {
    let schema = lenient::REPEATED_SENSOR_MEASUREMENTS;
    let malformed = |_| WireError::Malformed {
        message: schema.name,
    };
    let filtered = lenient::filter(schema, bytes).map_err(malformed)?;
    let message =
        proto::RepeatedSensorMeasurements::decode(filtered.bytes.as_slice()).map_err(|_| {
            WireError::Malformed {
                message: schema.name,
            }
        })?;

    if message.measurements.is_empty() {
        return Err(IngestError::NoMeasurements.into());
    }
    let top_meta = message.meta.as_ref();
    let items = message
        .measurements
        .iter()
        .enumerate()
        .map(|(index, item)| item_from(item, top_meta).map_err(|e| e.in_item(index)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Upload::Generic(items))
}

fn item_from(
    item: &proto::SensorMeasurement,
    top_meta: Option<&proto::Metadata>,
) -> Result<GenericMeasurement, IngestError> {
    let meta = item
        .meta
        .as_ref()
        .or(top_meta)
        .ok_or(IngestError::MissingMeta)?;
    let sensor = match item.r#type {
        0 => return Err(IngestError::MissingSensorType),
        n => SensorType::from_number(n).ok_or(IngestError::UnknownSensorType(n))?,
    };
    let value = match item.value {
        Some(Value::UnsignedInt(u)) => GenericValue::Unsigned(u),
        Some(Value::SignedInt(i)) => GenericValue::Signed(i),
        Some(Value::Decimal(f)) => GenericValue::Decimal(f),
        None => return Err(IngestError::MissingValue),
    };
    let meta = Meta::generic(RawMeta {
        cell_id: meta.cell_id,
        logger_id: meta.logger_id,
        ts: meta.ts,
    })?;
    GenericMeasurement::new(meta, sensor, value)
}
