//! Entities as STA JSON: their properties, `@iot.id`, `@iot.selfLink` and one
//! `<Nav>@iot.navigationLink` per navigation property.

use chrono::NaiveDateTime;
use ents_domain::sta::{Entity, EntitySet, StaCell};
use serde_json::{Map, Value, json};

const GEOJSON: &str = "application/geo+json";
const MEASUREMENT: &str = "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement";

/// ISO 8601 in UTC, as STA writes times.
pub(super) fn time(t: NaiveDateTime) -> String {
    t.and_utc().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn point(cell: &StaCell) -> Value {
    cell.point()
        .map_or(Value::Null, |c| json!({"type": "Point", "coordinates": c}))
}

fn description(cell: &StaCell) -> String {
    cell.location.clone().unwrap_or_default()
}

/// The plain properties, in the order STA's examples show them.
fn properties(entity: &Entity) -> Map<String, Value> {
    let value = match entity {
        Entity::Thing(c) => json!({
            "name": c.name,
            "description": description(c),
            "properties": {"tags": c.tags, "archived": c.archive, "location": c.location},
        }),
        Entity::Location(c) => json!({
            "name": c.name,
            "description": description(c),
            "encodingType": GEOJSON,
            "location": point(c),
        }),
        Entity::HistoricalLocation(never) => match *never {},
        Entity::Datastream(d) => {
            let sensor = d.sensor();
            json!({
                "name": d.name(),
                "description": format!("{} of {} ({}) in cell {}",
                    d.measurement, sensor.name, d.unit, d.cell_name),
                "unitOfMeasurement": {"name": d.unit, "symbol": d.unit, "definition": ""},
                "observationType": MEASUREMENT,
                "phenomenonTime": d.span.map(|(a, b)| format!("{}/{}", time(a), time(b))),
                "properties": {"cell_id": d.cell_id, "integer": d.integer},
            })
        }
        Entity::Sensor(s) => json!({
            "name": s.name,
            "description": format!("ENTS sensor kind '{}'", s.name),
            "encodingType": "text/plain",
            "metadata": s.name,
        }),
        Entity::ObservedProperty(p) => json!({
            "name": p.name,
            "definition": format!("https://github.com/jlab-sensing/ENTS-backend#{}", p.name),
            "description": p.name,
        }),
        Entity::Observation(o) => json!({
            "phenomenonTime": time(o.phenomenon_time),
            "resultTime": o.result_time.map(time),
            "result": o.result,
        }),
        Entity::FeatureOfInterest(c) => json!({
            "name": c.name,
            "description": description(c),
            "encodingType": GEOJSON,
            "feature": point(c),
        }),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// `base/Set(id)`.
pub(super) fn self_link(base: &str, set: EntitySet, id: i64) -> String {
    format!("{base}/{}({id})", set.name())
}

/// The entity's JSON, reduced to `select` when given.
pub(super) fn entity(base: &str, entity: &Entity, select: Option<&[String]>) -> Map<String, Value> {
    let keep = |name: &str| select.is_none_or(|s| s.iter().any(|n| n == name));
    let set = entity.set();
    let link = self_link(base, set, entity.id());
    let mut out = Map::new();
    if keep("id") {
        out.insert("@iot.id".into(), json!(entity.id()));
        out.insert("@iot.selfLink".into(), json!(link));
    }
    for (name, value) in properties(entity) {
        if keep(&name) {
            out.insert(name, value);
        }
    }
    for (name, _, _) in set.navigation() {
        if keep(name) {
            out.insert(
                format!("{name}@iot.navigationLink"),
                json!(format!("{link}/{name}")),
            );
        }
    }
    out
}

/// One property of the entity (`Set(id)/property`), `None` when it has no such key.
pub(super) fn property(base: &str, e: &Entity, name: &str) -> Option<Value> {
    let key = if name == "id" { "@iot.id" } else { name };
    entity(base, e, None).remove(key)
}
