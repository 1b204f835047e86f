//! The series an export reads, in output order, with their labels.

use std::sync::Arc;

use diesel::sql_types::Integer;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use ents_domain::exports::SeriesLabel;
use ents_domain::series::SensorKind;

use crate::error::StoreError;
use crate::series::rows::{SENSOR_COLUMNS, SensorRow};
use crate::series::spec::{self, SeriesSpec};

/// How one series is read.
pub(crate) enum Reader {
    /// Numeric columns of a [`SeriesSpec`]; one label per field.
    Numeric(&'static SeriesSpec),
    /// `data.text_val`, never aggregated (as the series reads).
    Text,
}

/// One series of the export.
pub(crate) struct Part {
    /// The cell id (power, TEROS) or the sensor id (generic).
    pub key: i32,
    pub reader: Reader,
    /// One per field of the reader, in field order.
    pub labels: Vec<Arc<SeriesLabel>>,
}

/// Measurement names and units of the legacy tables' fields, in `spec` field order. Units
/// are the ones the series API answers in.
const POWER_FIELDS: [(&str, &str); 3] = [("voltage", "mV"), ("current", "µA"), ("power", "µW")];
const TEROS_FIELDS: [(&str, &str); 4] = [
    ("vwc", "%"),
    ("temp", "°C"),
    ("ec", "µS/cm"),
    ("raw_vwc", ""),
];

fn legacy_part(
    cell_id: i32,
    cell_name: &str,
    source: &'static str,
    sensor: &str,
    spec: &'static SeriesSpec,
    fields: &[(&str, &str)],
) -> Part {
    Part {
        key: cell_id,
        reader: Reader::Numeric(spec),
        labels: fields
            .iter()
            .map(|(measurement, unit)| {
                Arc::new(SeriesLabel {
                    cell_id,
                    cell_name: cell_name.to_owned(),
                    source,
                    sensor: sensor.to_owned(),
                    measurement: (*measurement).to_owned(),
                    unit: (*unit).to_owned(),
                    data_type: String::new(),
                })
            })
            .collect(),
    }
}

/// Per cell, in the order given: power, TEROS, then its sensors by name, measurement, id.
/// Sensors whose data type matches no value column have nothing to export.
pub(crate) async fn parts(
    conn: &mut AsyncPgConnection,
    cells: &[(i32, String)],
) -> Result<Vec<Part>, StoreError> {
    let mut parts = Vec::new();
    for (cell_id, name) in cells {
        parts.push(legacy_part(
            *cell_id,
            name,
            "power",
            "power",
            &spec::POWER,
            &POWER_FIELDS,
        ));
        parts.push(legacy_part(
            *cell_id,
            name,
            "teros",
            "teros12",
            &spec::TEROS,
            &TEROS_FIELDS,
        ));
        let sensors = diesel::sql_query(format!(
            "SELECT {SENSOR_COLUMNS} FROM sensor \
             WHERE cell_id = $1 ORDER BY name, measurement, id"
        ))
        .bind::<Integer, _>(*cell_id)
        .load::<SensorRow>(conn)
        .await?;
        for s in sensors {
            let reader = match SensorKind::from_data_type(&s.data_type) {
                Some(SensorKind::Float) => Reader::Numeric(&spec::DATA_FLOAT),
                Some(SensorKind::Int) => Reader::Numeric(&spec::DATA_INT),
                Some(SensorKind::Text) => Reader::Text,
                None => continue,
            };
            parts.push(Part {
                key: s.id,
                reader,
                labels: vec![Arc::new(SeriesLabel {
                    cell_id: *cell_id,
                    cell_name: name.clone(),
                    source: "sensor",
                    sensor: s.name,
                    measurement: s.measurement,
                    unit: s.unit.unwrap_or_default(),
                    data_type: s.data_type,
                })],
            });
        }
    }
    Ok(parts)
}
