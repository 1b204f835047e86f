//! Stored values and the ordered `data` object of a live event.

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

/// One value of the generic `data` table. The variant is upstream's `data_type`: `float` goes
/// to `float_val` (double precision), `int` to `int_val` (PostgreSQL `integer`, hence `i32`).
///
/// Floats are always finite: uploads carrying NaN or infinities are refused when built.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum SensorValue {
    Float(f64),
    Int(i32),
}

impl SensorValue {
    /// The `sensor.data_type` text upstream wrote at first insert.
    pub fn data_type(&self) -> &'static str {
        match self {
            Self::Float(_) => "float",
            Self::Int(_) => "int",
        }
    }
}

/// The `data` object of a `measurement_received` event: keys in the order upstream emitted
/// them (protobuf field order), which a `serde_json::Map` without `preserve_order` would lose.
#[derive(Debug, Clone, PartialEq, Default)]
///
/// A value is `None` (serialized `null`) only for teros12 `ec` sent as JSON `null`.
pub struct DataFields(Vec<(&'static str, Option<SensorValue>)>);

impl DataFields {
    pub(crate) fn new(fields: Vec<(&'static str, Option<SensorValue>)>) -> Self {
        Self(fields)
    }

    /// The value under `key`, if present and not null.
    pub fn get(&self, key: &str) -> Option<SensorValue> {
        self.0.iter().find(|(k, _)| *k == key).and_then(|(_, v)| *v)
    }

    /// Key/value pairs in emission order; `None` is a `null` value.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, Option<SensorValue>)> + '_ {
        self.0.iter().copied()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for DataFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// The largest magnitude a stored float may have, and the smallest non-zero one.
///
/// Why bounded: the rollups and the power series multiply two readings and scale them
/// (`voltage * current * 1e6`), and PostgreSQL refuses — rather than rounds — a product that
/// overflows or underflows a double, which would fail the whole upload's transaction. Readings
/// within these bounds keep every such product finite and non-zero; no sensor reads beyond them.
pub const MAX_MAGNITUDE: f64 = 1e100;
/// See [`MAX_MAGNITUDE`].
pub const MIN_MAGNITUDE: f64 = 1e-100;

/// `value` as it may be stored under `field`: finite, and zero or within
/// [`MIN_MAGNITUDE`]..=[`MAX_MAGNITUDE`] in magnitude. Errors: `NotFinite` for NaN and
/// infinities, `OutOfRange` for magnitudes beyond the bounds.
pub fn storable_float(field: &str, value: f64) -> Result<f64, crate::measurements::IngestError> {
    use crate::measurements::IngestError;
    if !value.is_finite() {
        return Err(IngestError::not_finite(field));
    }
    let magnitude = value.abs();
    if magnitude != 0.0 && !(MIN_MAGNITUDE..=MAX_MAGNITUDE).contains(&magnitude) {
        return Err(IngestError::out_of_range(field));
    }
    Ok(value)
}
