//! Which rooms a `subscribe_cells` / `unsubscribe_cells` payload names, as upstream's handler
//! computed them (docs/compatibility.md#live-push):
//!
//! ```python
//! for cell_id in data.get("cellIds", []):
//!     join_room(f"cell_{cell_id}")
//! ```
//!
//! so each element is formatted with Python's `str()`: `5` and `"5"` both name `cell_5`,
//! `"05"` names `cell_05`. A payload that is not an object made that line raise, and so does
//! a `cellIds` that cannot be iterated (a number, `true`, `null`): nothing is joined and no
//! acknowledgement is sent. Iterating a string or an object yields its characters or keys.

use serde_json::Value;

/// The rooms `payload` names, or `None` where upstream's handler raised.
pub(crate) fn requested(payload: &Value) -> Option<Vec<String>> {
    let object = payload.as_object()?;
    let ids: Vec<String> = match object.get("cellIds") {
        None => Vec::new(),
        Some(Value::Array(items)) => items.iter().map(py_str).collect(),
        Some(Value::String(s)) => s.chars().map(String::from).collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        Some(Value::Null | Value::Bool(_) | Value::Number(_)) => return None,
    };
    Some(ids.into_iter().map(|id| format!("cell_{id}")).collect())
}

/// Python's `str()` of a decoded JSON value.
fn py_str(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => py_repr(other),
    }
}

/// Python's `repr()` of a decoded JSON value (what `str()` of a list or dict shows inside).
fn py_repr(value: &Value) -> String {
    match value {
        Value::Null => "None".to_owned(),
        Value::Bool(true) => "True".to_owned(),
        Value::Bool(false) => "False".to_owned(),
        Value::Number(n) => match n.as_f64() {
            Some(f) if !(n.is_i64() || n.is_u64()) => py_float(f),
            _ => n.to_string(),
        },
        Value::String(s) => format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
        Value::Array(items) => {
            let inner: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", py_repr(&Value::String(k.clone())), py_repr(v)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
    }
}

/// Python's float repr: the shortest round-trip digits (as Rust's), always with a `.0` or an
/// exponent, in scientific notation below 1e-4 and from 1e16 up.
fn py_float(f: f64) -> String {
    let magnitude = f.abs();
    if f == 0.0 || (1e-4..1e16).contains(&magnitude) {
        let plain = f.to_string();
        if plain.contains('.') {
            plain
        } else {
            format!("{plain}.0")
        }
    } else {
        // Rust writes `1e16` / `1.5e-5`; Python `1e+16` / `1.5e-05`.
        let sci = format!("{f:e}");
        match sci.split_once('e') {
            Some((mantissa, exp)) => {
                let (sign, digits) = exp.strip_prefix('-').map_or(("+", exp), |d| ("-", d));
                format!("{mantissa}e{sign}{digits:0>2}")
            }
            None => sci,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;

    fn rooms(payload: Value) -> Option<Vec<String>> {
        requested(&payload)
    }

    #[test]
    fn numbers_and_numeric_strings_name_the_same_room() {
        assert_eq!(
            rooms(json!({"cellIds": [5, "5", "05", 12]})).unwrap(),
            ["cell_5", "cell_5", "cell_05", "cell_12"]
        );
    }

    #[test]
    fn other_elements_are_formatted_as_python_would() {
        assert_eq!(
            rooms(json!({"cellIds": [5.0, 0.5, 1e16, 1.5e-5, true, null, [1, "a"], {"k": false}]}))
                .unwrap(),
            [
                "cell_5.0",
                "cell_0.5",
                "cell_1e+16",
                "cell_1.5e-05",
                "cell_True",
                "cell_None",
                "cell_[1, 'a']",
                "cell_{'k': False}",
            ]
        );
    }

    #[test]
    fn a_missing_or_empty_list_joins_nothing_but_is_accepted() {
        assert_eq!(rooms(json!({})).unwrap(), Vec::<String>::new());
        assert_eq!(rooms(json!({"cellIds": []})).unwrap(), Vec::<String>::new());
    }

    #[test]
    fn strings_and_objects_are_iterated_like_python() {
        assert_eq!(
            rooms(json!({"cellIds": "12"})).unwrap(),
            ["cell_1", "cell_2"]
        );
        assert_eq!(rooms(json!({"cellIds": {"7": 1}})).unwrap(), ["cell_7"]);
    }

    #[test]
    fn what_upstream_raised_on_is_refused() {
        for payload in [
            json!([1, 2]),
            json!("cell"),
            json!(5),
            json!(null),
            json!({"cellIds": 5}),
            json!({"cellIds": null}),
            json!({"cellIds": true}),
        ] {
            assert_eq!(requested(&payload), None, "{payload}");
        }
    }
}
