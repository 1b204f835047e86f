//! Python's truthiness of a JSON body, which upstream's `if not data:` checks apply.

use serde_json::Value;

/// `{}`, `[]`, `""`, `null`, `false` and `0` are falsy (upstream answers them "No input data
/// provided").
pub(crate) fn is_falsy(body: &Value) -> bool {
    match body {
        Value::Null => true,
        Value::Object(map) => map.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn as_python_sees_it() {
        for falsy in [
            json!(null),
            json!({}),
            json!([]),
            json!(""),
            json!(false),
            json!(0),
        ] {
            assert!(is_falsy(&falsy), "{falsy}");
        }
        for truthy in [
            json!({"a": 1}),
            json!([0]),
            json!("x"),
            json!(true),
            json!(1.5),
        ] {
            assert!(!is_falsy(&truthy), "{truthy}");
        }
    }
}
