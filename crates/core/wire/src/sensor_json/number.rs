//! Reading JSON numbers into the protobuf field types, naming the offending key on error.

use ents_domain::measurements::{IngestError, SensorValue};
use serde_json::{Map, Number, Value};

/// A non-negative integer that fits `u32`. Integral floats (`15.0`) are accepted; other floats
/// are rounded half to even, as PostgreSQL did when upstream stored them in an `integer` column.
pub(super) fn unsigned(value: &Value, field: &str) -> Result<u32, IngestError> {
    let Value::Number(n) = value else {
        return Err(IngestError::invalid(field, "expected a number"));
    };
    if let Some(u) = n.as_u64() {
        return u32::try_from(u).map_err(|_| IngestError::out_of_range(field));
    }
    if n.is_i64() {
        return Err(IngestError::out_of_range(field));
    }
    let f = finite(n, field)?.round_ties_even();
    if !(0.0..=f64::from(u32::MAX)).contains(&f) {
        return Err(IngestError::out_of_range(field));
    }
    Ok(f as u32)
}

fn finite(n: &Number, field: &str) -> Result<f64, IngestError> {
    n.as_f64()
        .filter(|f| f.is_finite())
        .ok_or_else(|| IngestError::not_finite(field))
}

/// The `data` object of a JSON upload; keys are reported as `data.<key>`.
pub(super) struct Fields<'a> {
    data: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub(super) fn new(data: &'a Map<String, Value>) -> Self {
        Self { data }
    }

    fn get(&self, key: &str) -> Result<&'a Value, IngestError> {
        self.data.get(key).ok_or_else(|| IngestError::MissingField {
            field: format!("data.{key}"),
        })
    }

    /// A `double` field: any JSON number.
    pub(super) fn float(&self, key: &str) -> Result<f64, IngestError> {
        match self.get(key)? {
            Value::Number(n) => finite(n, &format!("data.{key}")),
            _ => Err(IngestError::invalid(
                format!("data.{key}"),
                "expected a number",
            )),
        }
    }

    /// A `double` field that upstream read under another spelling: the first key present wins.
    pub(super) fn float_any(&self, keys: &[&str]) -> Result<f64, IngestError> {
        let key = keys
            .iter()
            .find(|k| self.data.contains_key(**k))
            .or(keys.first())
            .copied()
            .unwrap_or_default();
        self.float(key)
    }

    /// A `uint32` field.
    pub(super) fn unsigned(&self, key: &str) -> Result<u32, IngestError> {
        unsigned(self.get(key)?, &format!("data.{key}"))
    }

    /// A `uint32` field that may be an explicit `null` (`None`); a missing key is still an error.
    pub(super) fn nullable_unsigned(&self, key: &str) -> Result<Option<u32>, IngestError> {
        match self.get(key)? {
            Value::Null => Ok(None),
            value => unsigned(value, &format!("data.{key}")).map(Some),
        }
    }

    /// A JSON-only value, kept as `int` or `float` like upstream's `type(v).__name__`. With
    /// `allow_bool`, `true`/`false` are 1/0 (upstream crashed on booleans, D-33).
    pub(super) fn value(&self, key: &str, allow_bool: bool) -> Result<SensorValue, IngestError> {
        let field = format!("data.{key}");
        match self.get(key)? {
            Value::Bool(b) if allow_bool => Ok(SensorValue::Int(i32::from(*b))),
            Value::Number(n) if n.is_f64() => finite(n, &field).map(SensorValue::Float),
            Value::Number(n) => n
                .as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .map(SensorValue::Int)
                .ok_or_else(|| IngestError::out_of_range(field)),
            _ => Err(IngestError::invalid(field, "expected a number")),
        }
    }
}
