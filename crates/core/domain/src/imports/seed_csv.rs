//! The seed-era wide CSV (`timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type`,
//! `void` for gaps; what `GET /api/cell/datas` answers) read back for one cell: each line
//! holds up to one TEROS row, one power row (mV, µA: converted back to V, A; `p` is derived
//! and not stored) and one value of the seed's generic series (`phytos31`).

use super::model::{ImportRow, ImportValue, LineRow};
use crate::exports::{SEED_SENSOR, VOID};
use crate::series::parse_time;

/// The header of a seed-era CSV, as fields.
pub const SEED_CSV_COLUMNS: [&str; 12] = [
    "timestamp",
    "vwc",
    "temp",
    "ec",
    "raw_vwc",
    "v",
    "i",
    "p",
    "data",
    "measurement",
    "unit",
    "type",
];

/// Reads the lines of one cell's seed-era CSV into rows. The merge repeats a row on every
/// line it was combined with (two loggers at one time give two lines with the same TEROS
/// values): a row equal to the previous line's row of its kind is not produced again.
#[derive(Debug)]
pub struct SeedCsvParser {
    cell_id: i32,
    last: [Option<ImportRow>; 3],
}

impl SeedCsvParser {
    /// Rows go to cell `cell_id` (the layout names no cell).
    pub fn new(cell_id: i32) -> Self {
        Self {
            cell_id,
            last: [None, None, None],
        }
    }

    /// The rows of data line `line` (its fields). A bad line is `Err(reason)`: none of its
    /// rows is produced.
    pub fn push(&mut self, line: u64, fields: &[&str]) -> Result<Vec<LineRow>, String> {
        let [
            timestamp,
            vwc,
            temp,
            ec,
            raw_vwc,
            v,
            i,
            _p,
            data,
            measurement,
            unit,
            data_type,
        ] = fields
        else {
            return Err(format!(
                "expected {} fields, found {}",
                SEED_CSV_COLUMNS.len(),
                fields.len()
            ));
        };
        let ts = parse_time(timestamp)
            .ok_or_else(|| format!("timestamp: {timestamp:?} is not a time"))?;
        let cell_id = self.cell_id;
        let mut rows: [Option<ImportRow>; 3] = [None, None, None];
        let (vwc, temp, ec, raw_vwc) = (
            number("vwc", vwc)?,
            number("temp", temp)?,
            number("ec", ec)?,
            number("raw_vwc", raw_vwc)?,
        );
        if vwc.is_some() || temp.is_some() || ec.is_some() || raw_vwc.is_some() {
            let ec = match ec {
                Some(v) => Some(integer(v).ok_or("ec: must be an integer")?),
                None => None,
            };
            rows[0] = Some(ImportRow::Teros {
                cell_id,
                ts,
                vwc,
                raw_vwc,
                temp,
                ec,
            });
        }
        let (v, i) = (number("v", v)?, number("i", i)?);
        if v.is_some() || i.is_some() {
            rows[1] = Some(ImportRow::Power {
                cell_id,
                logger_id: None,
                logger_name: None,
                ts,
                voltage: v.map(|v| v / 1e3),
                current: i.map(|i| i / 1e6),
            });
        }
        if !is_void(data) {
            if is_void(measurement) {
                return Err("measurement: a data value needs its measurement".to_owned());
            }
            let value = match *data_type {
                "text" => ImportValue::Text((*data).to_owned()),
                "int" => {
                    let n = number("data", data)?.unwrap_or_default();
                    ImportValue::Int(
                        integer(n).ok_or("data: an int sensor's value must be an integer")?,
                    )
                }
                _ => ImportValue::Number(number("data", data)?.unwrap_or_default()),
            };
            rows[2] = Some(ImportRow::Sensor {
                cell_id,
                name: SEED_SENSOR.to_owned(),
                measurement: (*measurement).to_owned(),
                unit: if is_void(unit) {
                    String::new()
                } else {
                    (*unit).to_owned()
                },
                ts,
                value,
            });
        }
        let mut out = Vec::new();
        for (row, last) in rows.into_iter().zip(self.last.iter_mut()) {
            let Some(row) = row else { continue };
            if last.as_ref() == Some(&row) {
                continue;
            }
            *last = Some(row.clone());
            out.push(LineRow {
                line,
                row,
                cell_name: None,
            });
        }
        Ok(out)
    }
}

fn is_void(field: &str) -> bool {
    field.is_empty() || field == VOID
}

/// A finite number, or `None` for a gap. Live uploads refuse NaN and infinities too.
fn number(column: &str, field: &str) -> Result<Option<f64>, String> {
    if is_void(field) {
        return Ok(None);
    }
    match field.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(Some(v)),
        Ok(_) => Err(format!("{column}: {field:?} is not a finite number")),
        Err(_) => Err(format!("{column}: {field:?} is not a number")),
    }
}

fn integer(v: f64) -> Option<i32> {
    let rounded = v.round();
    (rounded == v && rounded >= f64::from(i32::MIN) && rounded <= f64::from(i32::MAX))
        .then_some(rounded as i32)
}
