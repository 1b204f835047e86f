//! Reading JSON request bodies field by field, so that every bad field is named in one 400
//! (upstream answered 500 and echoed the input, D-44), and the dashboard's quirks are
//! accepted: coordinates as numeric strings ("37.0"), `lat`/`long` as well as
//! `latitude`/`longitude`.

use ents_domain::{DomainError, FieldErrors};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::error::ApiError;

/// The fields of a JSON object body, collecting one problem list per bad field.
pub(super) struct Fields<'a> {
    map: &'a Map<String, Value>,
    errors: FieldErrors,
}

impl<'a> Fields<'a> {
    /// Errors: 400 when the body is not a JSON object.
    pub(super) fn of(body: &'a Value) -> Result<Self, ApiError> {
        match body {
            Value::Object(map) => Ok(Self {
                map,
                errors: FieldErrors::new(),
            }),
            _ => Err(ApiError::bad_request("Expected a JSON object")),
        }
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.map.contains_key(key)
    }

    /// Records a problem with `key`.
    pub(super) fn problem(&mut self, key: &str, problem: impl Into<String>) {
        self.errors
            .entry(key.to_owned())
            .or_default()
            .push(problem.into());
    }

    /// Keys outside `allowed` are errors (upstream's schemas reject unknown keys).
    pub(super) fn reject_unknown(&mut self, allowed: &[&str]) {
        let unknown: Vec<String> = self
            .map
            .keys()
            .filter(|k| !allowed.contains(&k.as_str()))
            .cloned()
            .collect();
        for key in unknown {
            self.problem(&key, "unknown field");
        }
    }

    /// Absent → `None`; `null` → `Some(None)`; a string → `Some(Some(_))`.
    pub(super) fn string(&mut self, key: &str) -> Option<Option<String>> {
        match self.map.get(key)? {
            Value::Null => Some(None),
            Value::String(s) => Some(Some(s.clone())),
            _ => {
                self.problem(key, "must be a string");
                None
            }
        }
    }

    /// A number, or a string holding one (the dashboard's text inputs). Absent → `None`;
    /// `null` or `""` → `Some(None)`.
    pub(super) fn number(&mut self, key: &str) -> Option<Option<f64>> {
        let value = match self.map.get(key)? {
            Value::Null => return Some(None),
            Value::Number(n) => n.as_f64(),
            Value::String(s) if s.trim().is_empty() => return Some(None),
            Value::String(s) => s.trim().parse::<f64>().ok(),
            _ => None,
        };
        match value.filter(|v| v.is_finite()) {
            Some(v) => Some(Some(v)),
            None => {
                self.problem(key, "must be a number");
                None
            }
        }
    }

    /// Absent → `None`; `null` → `Some(None)`.
    pub(super) fn boolean(&mut self, key: &str) -> Option<Option<bool>> {
        match self.map.get(key)? {
            Value::Null => Some(None),
            Value::Bool(b) => Some(Some(*b)),
            _ => {
                self.problem(key, "must be true or false");
                None
            }
        }
    }

    /// A list of cell or tag ids (integers). Errors: `not_a_list` when it is not a list.
    pub(super) fn id_list(
        &mut self,
        key: &str,
        not_a_list: &str,
    ) -> Result<Option<Vec<i32>>, ApiError> {
        self.list(key, not_a_list, "an id", |item| {
            item.as_i64().and_then(|i| i32::try_from(i).ok())
        })
    }

    /// A list of user ids (UUID strings). Errors: `not_a_list` when it is not a list.
    pub(super) fn uuid_list(
        &mut self,
        key: &str,
        not_a_list: &str,
    ) -> Result<Option<Vec<Uuid>>, ApiError> {
        self.list(key, not_a_list, "a user id", |item| {
            item.as_str().and_then(|s| Uuid::parse_str(s).ok())
        })
    }

    /// A list whose items `read` accepts; each item it refuses is a problem of `key`
    /// ("<item> is not <what>"). `None` when the key is absent.
    fn list<T>(
        &mut self,
        key: &str,
        not_a_list: &str,
        what: &str,
        read: impl Fn(&Value) -> Option<T>,
    ) -> Result<Option<Vec<T>>, ApiError> {
        let Some(value) = self.map.get(key) else {
            return Ok(None);
        };
        let Value::Array(items) = value else {
            return Err(ApiError::bad_request(not_a_list));
        };
        let mut values = Vec::with_capacity(items.len());
        for item in items {
            match read(item) {
                Some(v) => values.push(v),
                None => self.problem(key, format!("{item} is not {what}")),
            }
        }
        Ok(Some(values))
    }

    /// `Ok` when no field had a problem; otherwise 400 naming them.
    pub(super) fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.errors).into())
        }
    }
}

/// Turns a garde report into the field errors of a 400.
pub(super) fn garde_errors(report: garde::Report) -> ApiError {
    let mut errors = FieldErrors::new();
    for (path, error) in report.iter() {
        let field = path.to_string();
        errors
            .entry(if field.is_empty() {
                "body".to_owned()
            } else {
                field
            })
            .or_default()
            .push(error.message().to_owned());
    }
    DomainError::Invalid(errors).into()
}
