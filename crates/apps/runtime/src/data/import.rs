//! `ents import`: a file into the series tables through the domain's [`Importer`] (batches
//! of one transaction each, duplicates skipped, bad lines reported with their numbers).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, anyhow, bail};
use ents_config::Settings;
use ents_domain::imports::{
    EXPORT_CSV_COLUMNS, ExportCsvAssembler, ImportOptions, ImportSummary, Importer,
};
use ents_domain::users::UserRepository;
use ents_persistence::{PgImportStore, PgUserRepository};

use super::export::explain;
use super::progress::Progress;

/// What to import, as typed on the command line.
#[derive(Debug, Clone)]
pub struct ImportCommand {
    pub input: PathBuf,
    /// Every row into this cell.
    pub cell: Option<i32>,
    pub dry_run: bool,
    pub strict: bool,
    /// Create unknown cells owned by the user with this e-mail address.
    pub create_missing_owner: Option<String>,
    pub batch_rows: usize,
}

/// Imports `command.input` (the export CSV). Errors: an unreadable file or header, an
/// unknown owner or target cell, the first bad line when strict, the database failing
/// (batches committed before stay: each is whole).
pub async fn run_import(
    settings: &Settings,
    command: &ImportCommand,
    progress: &Progress,
) -> anyhow::Result<ImportSummary> {
    let db = crate::database::pool(settings)?;
    let owner = match &command.create_missing_owner {
        Some(email) => {
            let user = PgUserRepository::new(db.clone())
                .find_by_email(email)
                .await
                .map_err(explain)?
                .ok_or_else(|| anyhow!("--owner: no user with e-mail address {email}"))?;
            Some(user.id)
        }
        None => None,
    };
    let options = ImportOptions {
        batch_rows: command.batch_rows,
        dry_run: command.dry_run,
        strict: command.strict,
        target_cell: command.cell,
        create_missing: owner,
    };
    let mut importer = Importer::new(Arc::new(PgImportStore::new(db)), options);
    let file = std::fs::File::open(&command.input)
        .with_context(|| format!("opening {}", command.input.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0).max(1);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(std::io::BufReader::with_capacity(256 * 1024, file));
    let header = reader.headers().context("reading the header line")?;
    if header.iter().ne(EXPORT_CSV_COLUMNS) {
        bail!(
            "{}: not an export CSV: the header must be {}",
            command.input.display(),
            EXPORT_CSV_COLUMNS.join(",")
        );
    }
    let mut assembler = ExportCsvAssembler::new();
    let mut record = csv::StringRecord::new();
    loop {
        let line = reader.position().line() + 1;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                importer.line_read();
                importer.bad_line(line, e.to_string()).map_err(explain)?;
                continue;
            }
        }
        importer.line_read();
        let line = record.position().map_or(line, |p| p.line());
        let fields: Vec<&str> = record.iter().collect();
        match assembler.push(line, &fields) {
            Ok(Some(row)) => importer.add(row).await.map_err(explain)?,
            Ok(None) => {}
            Err(reason) => importer.bad_line(line, reason).map_err(explain)?,
        }
        if line.is_multiple_of(4096) {
            let s = importer.summary();
            let done = reader.position().byte() as f32 / size as f32;
            progress.update(done, &format!("{} rows stored", s.stored));
        }
    }
    if let Some(row) = assembler.finish() {
        importer.add(row).await.map_err(explain)?;
    }
    let summary = importer.finish().await.map_err(explain)?;
    progress.finish();
    Ok(summary)
}

/// The summary as the command prints it.
pub fn render_summary(summary: &ImportSummary) -> String {
    let mut out = String::new();
    let verb = if summary.dry_run {
        "would store"
    } else {
        "stored"
    };
    let _ = writeln!(
        out,
        "{}read {} lines: {} rows, {verb} {}, {} duplicates skipped, {} refused, {} bad lines",
        if summary.dry_run { "dry run: " } else { "" },
        summary.lines,
        summary.rows,
        summary.stored,
        summary.duplicates,
        summary.refused,
        summary.bad_lines.len()
    );
    if let (Some(first), Some(last)) = (summary.first, summary.last) {
        let _ = writeln!(out, "time range: {first} .. {last} (UTC)");
    }
    for ((cell, kind), rows) in &summary.per_kind {
        let _ = writeln!(out, "cell {cell} {kind}: {rows} rows");
    }
    for (name, id) in &summary.created_cells {
        let _ = writeln!(out, "created cell {id} ({name})");
    }
    for bad in &summary.bad_lines {
        let _ = writeln!(out, "line {}: {}", bad.line, bad.reason);
    }
    out
}
