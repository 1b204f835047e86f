//! The CSV encoding of export rows (RFC 4180: comma-separated, `\n` line ends, fields
//! quoted only when they contain a comma, a quote or a line break). Layout: `docs/exports.md`.

use std::fmt::Write as _;

use chrono::NaiveDateTime;

use super::model::{ExportRow, ExportValue};

/// The header line, with its line end. `logger` came after the first release's eight
/// columns, at the end, so readers that index columns keep working.
pub const CSV_HEADER: &str =
    "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value,logger\n";

/// ISO 8601 in UTC with a `Z`: `2024-01-13T20:02:42Z`, fractional seconds only when present.
pub fn format_timestamp(ts: NaiveDateTime) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string()
}

/// Appends one line for `row` to `out`.
pub fn encode_row(row: &ExportRow, out: &mut String) {
    let s = &row.series;
    // `write!` to a String cannot fail.
    let _ = write!(out, "{},", s.cell_id);
    push_field(out, &s.cell_name);
    out.push(',');
    out.push_str(s.source);
    out.push(',');
    push_field(out, &s.sensor);
    out.push(',');
    push_field(out, &s.measurement);
    out.push(',');
    push_field(out, &s.unit);
    out.push(',');
    out.push_str(&format_timestamp(row.ts));
    out.push(',');
    match &row.value {
        // Shortest text that reads back as the same f64 (`1000`, `0.1`, `1e-7`).
        ExportValue::Number(v) => {
            let _ = write!(out, "{v}");
        }
        ExportValue::Text(t) => push_field(out, t),
    }
    out.push(',');
    if let Some(logger) = &row.logger {
        push_field(out, logger);
    }
    out.push('\n');
}

pub(crate) fn push_field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}
