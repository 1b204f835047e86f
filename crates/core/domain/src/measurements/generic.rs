//! Generic uploads: one value of one [`SensorType`] per item of a `RepeatedSensorMeasurements`.

use super::live::MeasurementReceived;
use super::rows::SensorRow;
use super::value::{DataFields, storable_float};
use super::{IngestError, Meta, SensorType, SensorValue};

/// The `value` oneof of `SensorMeasurement`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum GenericValue {
    Unsigned(u32),
    Signed(i32),
    Decimal(f64),
}

/// One generic item, validated for storage by [`GenericMeasurement::new`].
#[derive(Debug, Clone, PartialEq)]
pub struct GenericMeasurement {
    meta: Meta,
    sensor: SensorType,
    value: SensorValue,
    raw: GenericValue,
}

impl GenericMeasurement {
    /// Refuses what the `data` table cannot hold: NaN/infinite decimals (upstream turned them
    /// into the string `"NaN"` and crashed, D-33) and unsigned values above `i32::MAX` (the
    /// `int_val` column is a PostgreSQL `integer`). Field names in errors are the protobuf ones.
    pub fn new(meta: Meta, sensor: SensorType, raw: GenericValue) -> Result<Self, IngestError> {
        let value = match raw {
            GenericValue::Unsigned(u) => SensorValue::Int(
                i32::try_from(u).map_err(|_| IngestError::out_of_range("unsigned_int"))?,
            ),
            GenericValue::Signed(i) => SensorValue::Int(i),
            GenericValue::Decimal(f) => SensorValue::Float(storable_float("decimal", f)?),
        };
        Ok(Self {
            meta,
            sensor,
            value,
            raw,
        })
    }

    pub fn meta(&self) -> &Meta {
        &self.meta
    }

    pub fn sensor(&self) -> SensorType {
        self.sensor
    }

    /// The value as sent.
    pub fn raw_value(&self) -> GenericValue {
        self.raw
    }

    /// The value as stored: integers → `int`, decimals → `float`, as upstream.
    pub fn value(&self) -> SensorValue {
        self.value
    }

    /// sensor name = enum name, measurement/unit = `ents` display name/unit.
    pub fn stored_row(&self) -> SensorRow {
        SensorRow {
            cell_id: self.meta.cell_id,
            name: self.sensor.name(),
            measurement: self.sensor.measurement(),
            unit: self.sensor.unit(),
            ts: self.meta.ts.utc(),
            value: self.value,
        }
    }

    /// One event per item: `{"type": <enum name>, …, "data": {<display name>: value}, "obj_count": 1}`.
    pub fn live_event(&self) -> MeasurementReceived {
        MeasurementReceived {
            kind: self.sensor.name(),
            cell_id: self.meta.cell_id.get(),
            logger_id: self.meta.logger_id,
            timestamp: self.meta.ts,
            data: DataFields::new(vec![(self.sensor.measurement(), Some(self.value))]),
            obj_count: 1,
        }
    }
}
