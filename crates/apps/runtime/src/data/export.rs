//! `ents export`: one cell range to CSV on a file or standard output, through the export
//! job's streaming writer ([`write_export`]: the long or the seed-era layout) and row source.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow};
use ents_config::Settings;
use ents_domain::DomainError;
use ents_domain::exports::{
    ExportFileWriter, ExportFormat, ExportRequest, ExportRowSource, write_export,
};
use ents_domain::series::{Resample, TimeRange, parse_time};

use super::output::StreamWriter;
use super::progress::Progress;
use crate::exports::row_source;
use crate::settings::export_settings;

/// What to export, as typed on the command line.
#[derive(Debug, Clone)]
pub struct ExportCommand {
    pub cells: Vec<i32>,
    /// ISO 8601 or RFC 1123; no zone means UTC.
    pub from: String,
    pub to: String,
    /// `none`, `minute`, `hour`, `day`, `week` or `month`.
    pub resample: String,
    /// The file layout.
    pub format: ExportFormat,
    /// `None`: standard output.
    pub output: Option<PathBuf>,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub rows: u64,
    pub bytes: u64,
}

impl ExportCommand {
    /// Errors: a bad time, resample or cell list, naming the argument.
    pub fn request(&self) -> anyhow::Result<ExportRequest> {
        let time = |name: &str, value: &str| {
            parse_time(value).ok_or_else(|| {
                anyhow!("--{name}: {value:?} is not a time (ISO 8601 or RFC 1123, UTC by default)")
            })
        };
        let range = TimeRange {
            start: time("from", &self.from)?,
            end: time("to", &self.to)?,
        };
        let resample = Resample::parse(&self.resample).ok_or_else(|| {
            anyhow!(
                "--resample: {:?} is not one of {}",
                self.resample,
                Resample::ACCEPTED
            )
        })?;
        ExportRequest::new(&self.cells, range, resample, self.format).map_err(explain)
    }
}

/// Streams the export to its output. Errors: a bad request; an unknown cell; the database
/// or the output failing (a file output is then left as `<file>.part`, never under its name).
pub async fn run_export(
    settings: &Settings,
    command: &ExportCommand,
    progress: &Progress,
) -> anyhow::Result<ExportOutcome> {
    let request = command.request()?;
    let db = crate::database::pool(settings)?;
    let source = row_source(settings, &db);
    // Fails early (before any output) on an unknown cell.
    source
        .cell_names(request.cell_ids())
        .await
        .map_err(explain)?;
    let mut writer: Box<dyn ExportFileWriter> = match &command.output {
        Some(path) => Box::new(StreamWriter::file(path).await.map_err(explain)?),
        None => Box::new(StreamWriter::stdout()),
    };
    let tuning = export_settings(settings);
    let rows = write_export(
        source.as_ref(),
        &request,
        tuning.batch_rows,
        writer.as_mut(),
        progress,
        Duration::from_millis(200),
    )
    .await
    .map_err(explain)
    .context("exporting")?;
    let finished = writer.finish().await.map_err(explain)?;
    progress.finish();
    Ok(ExportOutcome {
        rows,
        bytes: finished.bytes,
    })
}

/// A domain error as a command-line message: `Invalid` names its fields.
pub(crate) fn explain(error: DomainError) -> anyhow::Error {
    match error {
        DomainError::Invalid(fields) => {
            let text: Vec<String> = fields
                .iter()
                .map(|(field, problems)| format!("{field}: {}", problems.join("; ")))
                .collect();
            anyhow!("invalid input: {}", text.join(", "))
        }
        other => anyhow::Error::new(other),
    }
}
