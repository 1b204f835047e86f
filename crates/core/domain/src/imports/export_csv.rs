//! The export CSV (`docs/exports.md`) read back: one line per value, the values of one
//! stored power or TEROS row on consecutive lines, in the units of the series API (mV, µA),
//! converted back to the tables' (V, A).

use std::sync::Arc;

use super::model::{ImportRow, ImportValue, LineRow};
use crate::series::parse_time;

/// The header of an export CSV, as fields.
pub const EXPORT_CSV_COLUMNS: [&str; 9] = [
    "cell_id",
    "cell_name",
    "source",
    "sensor",
    "measurement",
    "unit",
    "timestamp",
    "value",
    "logger",
];

/// The header of the first release's export CSV: the same without its last column,
/// `logger`. Still read.
pub const EXPORT_CSV_COLUMNS_WITHOUT_LOGGER: &[&str] = match EXPORT_CSV_COLUMNS.split_last() {
    Some((_logger, first)) => first,
    None => &[],
};

/// Puts the lines of an export back into rows. Feed every data line in order to
/// [`Self::push`], then take the last row from [`Self::finish`].
#[derive(Debug, Default)]
pub struct ExportCsvAssembler {
    pending: Option<LineRow>,
    /// The last cell name seen, shared by its rows.
    name: Option<Arc<str>>,
    /// The last logger name seen, shared by its rows.
    logger: Option<Arc<str>>,
}

impl ExportCsvAssembler {
    pub fn new() -> Self {
        Self::default()
    }

    /// Feeds data line `line` (its fields). Returns the row the previous lines completed,
    /// if this line starts another one. A bad line is `Err(reason)` and changes nothing.
    pub fn push(&mut self, line: u64, fields: &[&str]) -> Result<Option<LineRow>, String> {
        let (fields, logger) = match fields {
            [head @ .., logger] if fields.len() == EXPORT_CSV_COLUMNS.len() => (head, *logger),
            _ => (fields, ""),
        };
        let [
            cell_id,
            name,
            source,
            sensor,
            measurement,
            unit,
            timestamp,
            value,
        ] = fields
        else {
            return Err(format!(
                "expected {} fields, found {}",
                EXPORT_CSV_COLUMNS.len(),
                fields.len()
            ));
        };
        let cell_id: i32 = cell_id
            .parse()
            .map_err(|_| format!("cell_id: {cell_id:?} is not a cell id"))?;
        let ts = parse_time(timestamp)
            .ok_or_else(|| format!("timestamp: {timestamp:?} is not an ISO 8601 time"))?;
        let number = || -> Result<f64, String> {
            value
                .parse::<f64>()
                .map_err(|_| format!("value: {value:?} is not a number"))
        };
        let row = match *source {
            "power" => {
                let v = number()?;
                let (voltage, current) = match *measurement {
                    "voltage" => (Some(v / 1e3), None),
                    "current" => (None, Some(v / 1e6)),
                    // Derived from voltage and current: nothing to store.
                    "power" => return Ok(None),
                    other => return Err(format!("measurement: {other:?} is not a power value")),
                };
                if self.logger.as_deref() != Some(logger) {
                    self.logger = (!logger.is_empty()).then(|| Arc::from(logger));
                }
                ImportRow::Power {
                    cell_id,
                    logger_id: None,
                    logger_name: self.logger.clone(),
                    ts,
                    voltage,
                    current,
                }
            }
            "teros" => {
                let v = number()?;
                let mut row = (None, None, None, None);
                match *measurement {
                    "vwc" => row.0 = Some(v),
                    "raw_vwc" => row.1 = Some(v),
                    "temp" => row.2 = Some(v),
                    "ec" => row.3 = Some(integer(v).ok_or("value: ec must be an integer")?),
                    other => return Err(format!("measurement: {other:?} is not a TEROS value")),
                }
                ImportRow::Teros {
                    cell_id,
                    ts,
                    vwc: row.0,
                    raw_vwc: row.1,
                    temp: row.2,
                    ec: row.3,
                }
            }
            "sensor" => {
                if sensor.is_empty() || measurement.is_empty() {
                    return Err("sensor and measurement must not be empty".to_owned());
                }
                let value = match value.parse::<f64>() {
                    Ok(n) => ImportValue::Number(n),
                    Err(_) => ImportValue::Text((*value).to_owned()),
                };
                ImportRow::Sensor {
                    cell_id,
                    name: (*sensor).to_owned(),
                    measurement: (*measurement).to_owned(),
                    unit: (*unit).to_owned(),
                    ts,
                    value,
                }
            }
            other => return Err(format!("source: {other:?} is not power, teros or sensor")),
        };
        if let Some(pending) = &mut self.pending
            && merge(&mut pending.row, &row)
        {
            return Ok(None);
        }
        if self.name.as_deref() != Some(*name) {
            self.name = Some(Arc::from(*name));
        }
        Ok(self.pending.replace(LineRow {
            line,
            row,
            cell_name: self.name.clone(),
        }))
    }

    /// The last row.
    pub fn finish(&mut self) -> Option<LineRow> {
        self.pending.take()
    }
}

fn integer(v: f64) -> Option<i32> {
    let rounded = v.round();
    (rounded == v && rounded >= f64::from(i32::MIN) && rounded <= f64::from(i32::MAX))
        .then_some(rounded as i32)
}

/// Adds the value of `next` to `into` when it is another field of the same stored row (same
/// table, cell and time, a field not set yet). Generic rows are one value each.
fn merge(into: &mut ImportRow, next: &ImportRow) -> bool {
    fn fill<T: Copy>(slot: &mut Option<T>, value: Option<T>) -> bool {
        match (slot.is_some(), value) {
            (false, Some(v)) => {
                *slot = Some(v);
                true
            }
            (_, None) => true,
            (true, Some(_)) => false,
        }
    }
    match (into, next) {
        (
            ImportRow::Power {
                cell_id: c1,
                ts: t1,
                voltage: v1,
                current: i1,
                logger_name: l1,
                ..
            },
            ImportRow::Power {
                cell_id: c2,
                ts: t2,
                voltage: v2,
                current: i2,
                logger_name: l2,
                ..
            },
        ) if c1 == c2 && t1 == t2 && l1 == l2 => {
            // Both fields must be free, or neither is taken.
            if (v2.is_some() && v1.is_some()) || (i2.is_some() && i1.is_some()) {
                return false;
            }
            fill(v1, *v2) && fill(i1, *i2)
        }
        (
            ImportRow::Teros {
                cell_id: c1,
                ts: t1,
                vwc: a1,
                raw_vwc: b1,
                temp: d1,
                ec: e1,
            },
            ImportRow::Teros {
                cell_id: c2,
                ts: t2,
                vwc: a2,
                raw_vwc: b2,
                temp: d2,
                ec: e2,
            },
        ) if c1 == c2 && t1 == t2 => {
            if (a2.is_some() && a1.is_some())
                || (b2.is_some() && b1.is_some())
                || (d2.is_some() && d1.is_some())
                || (e2.is_some() && e1.is_some())
            {
                return false;
            }
            fill(a1, *a2) && fill(b1, *b2) && fill(d1, *d2) && fill(e1, *e2)
        }
        _ => false,
    }
}
