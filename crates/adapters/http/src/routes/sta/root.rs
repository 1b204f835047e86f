//! The service root document: the entity sets and the conformance classes we claim (each
//! covered by a test named after it, docs/sensorthings.md#conformance).

use ents_domain::sta::EntitySet;
use serde_json::{Value, json};

/// The requirement classes of STA 1.1 Part 1 this read-only service implements.
pub(crate) const CONFORMANCE: [&str; 3] = [
    "http://www.opengis.net/spec/iot_sensing/1.1/req/datamodel",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/resource-path/resource-path-to-entities",
    "http://www.opengis.net/spec/iot_sensing/1.1/req/request-data",
];

pub(super) fn document(base: &str) -> Value {
    let sets: Vec<Value> = EntitySet::ALL
        .iter()
        .map(|s| json!({"name": s.name(), "url": format!("{base}/{}", s.name())}))
        .collect();
    json!({
        "value": sets,
        "serverSettings": {"conformance": CONFORMANCE},
    })
}
