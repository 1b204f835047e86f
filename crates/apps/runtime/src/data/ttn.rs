//! The Things Network v3 uplinks, one JSON object per line (what a webhook logger or
//! `ttn-lw-cli` stores), read as the webhook reads them: `ents_wire::parse_ttn_uplink`, then
//! the live decoder of the port (1: `Measurement`, 2: `RepeatedSensorMeasurements`). Cell
//! and logger come from the protobuf metadata inside the payload, as for the webhook.

use std::io::{BufRead, Seek, SeekFrom};

use ents_domain::imports::Importer;
use ents_wire::{TtnUplink, parse_ttn_uplink};

use super::checkpoint::{Cursor, Position};
use super::export::explain;
use super::import::add_upload;
use super::progress::Progress;

/// Imports every line; a line number is the line's (the first is 1). Blank lines are
/// skipped; time-sync uplinks and JSON that is not an uplink are read and store nothing (as
/// the webhook answers them 200); an unknown port or a payload that does not decode is a bad
/// line.
pub(super) async fn ttn_lines(
    file: std::fs::File,
    size: u64,
    importer: &mut Importer,
    progress: &Progress,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    let start = cursor.start.unwrap_or_default();
    let mut file = file;
    file.seek(SeekFrom::Start(start.byte))?;
    let mut input = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut text = String::new();
    let mut line: u64 = start.line;
    let mut offset: u64 = start.byte;
    loop {
        let here = Position { byte: offset, line };
        cursor.check_stop(importer, here).await?;
        text.clear();
        let read = match input.read_line(&mut text) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) => {
                // Not UTF-8, or the file went away: the rest cannot be read as lines.
                importer.line_read();
                importer
                    .bad_line(line + 1, format!("unreadable line: {e}"))
                    .map_err(explain)?;
                break;
            }
        };
        line += 1;
        offset += read as u64;
        if text.trim().is_empty() {
            continue;
        }
        importer.line_read();
        let decoded = match parse_ttn_uplink(text.trim_end().as_bytes()) {
            Ok(TtnUplink::Measurement(payload)) => ents_wire::decode_measurement(&payload),
            Ok(TtnUplink::RepeatedMeasurements(payload)) => ents_wire::decode_repeated(&payload),
            Ok(TtnUplink::TimeSync | TtnUplink::NotUplink) => continue,
            Ok(TtnUplink::UnknownPort(port)) => {
                importer
                    .bad_line(line, format!("f_port {port} is not 1 or 2"))
                    .map_err(explain)?;
                continue;
            }
            Err(e) => {
                importer.bad_line(line, e.to_string()).map_err(explain)?;
                continue;
            }
        };
        match decoded {
            Ok(upload) => add_upload(importer, line, &upload).await?,
            Err(e) => importer.bad_line(line, e.to_string()).map_err(explain)?,
        }
        cursor.after_unit(importer, here)?;
        if line.is_multiple_of(1024) {
            let stored = importer.summary().stored;
            progress.update(
                offset as f32 / size as f32,
                &format!("{stored} rows stored"),
            );
        }
    }
    Ok(())
}
