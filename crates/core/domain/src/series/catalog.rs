//! `GET /api/catalog/sensors?cell_id=`: the panels the dashboard can offer for a cell
//! (docs/compatibility.md#reading-data).

use serde::Serialize;

/// What the catalog is built from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CatalogFacts {
    pub has_power: bool,
    pub has_teros: bool,
    /// Sensors of the cell with at least one data row, by name, measurement, id.
    pub sensors: Vec<CatalogSensor>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogSensor {
    pub id: i32,
    pub name: String,
    pub measurement: String,
    pub unit: Option<String>,
}

/// One catalog entry, keys in upstream's order; the `sensor_*` keys only for `kind:
/// "sensor"`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogEntry {
    pub panel_id: String,
    pub label: String,
    pub description: String,
    pub category: &'static str,
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensor_id: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensor_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub measurement: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

fn builtin(panel_id: &str, label: &str, description: &str, category: &'static str) -> CatalogEntry {
    CatalogEntry {
        panel_id: panel_id.to_owned(),
        label: label.to_owned(),
        description: description.to_owned(),
        category,
        kind: "builtin",
        sensor_id: None,
        sensor_name: None,
        measurement: None,
        unit: None,
    }
}

/// The entries, in upstream's order: power builtins, TEROS builtins, then the sensors.
pub fn catalog_entries(facts: &CatalogFacts) -> Vec<CatalogEntry> {
    let mut entries = Vec::new();
    if facts.has_power {
        entries.push(builtin(
            "power-vi",
            "Voltage & Current",
            "power · voltage & current",
            "power",
        ));
        entries.push(builtin("power-p", "Power", "power · µW", "power"));
    }
    if facts.has_teros {
        entries.push(builtin(
            "teros",
            "VWC & EC",
            "teros · volumetric water & conductivity",
            "teros",
        ));
        entries.push(builtin("temp", "Temperature", "teros · °C", "teros"));
    }
    for sensor in &facts.sensors {
        let unit = sensor.unit.clone().unwrap_or_default();
        let label = [sensor.measurement.as_str(), sensor.name.as_str()]
            .into_iter()
            .find(|s| !s.is_empty())
            .map_or_else(|| format!("Sensor {}", sensor.id), str::to_owned);
        let description = [
            sensor.name.as_str(),
            sensor.measurement.as_str(),
            unit.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
        entries.push(CatalogEntry {
            panel_id: format!("s:{}", sensor.id),
            label,
            description,
            category: "generic",
            kind: "sensor",
            sensor_id: Some(sensor.id),
            sensor_name: Some(sensor.name.clone()),
            measurement: Some(sensor.measurement.clone()),
            unit: Some(unit),
        });
    }
    entries
}
