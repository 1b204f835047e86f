//! `ents import`: a file into the series tables through the domain's [`Importer`] (batches
//! of one transaction each, duplicates skipped, bad lines reported with their numbers).

use std::fmt::Write as _;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, anyhow, bail};
use ents_config::Settings;
use ents_domain::imports::{
    EXPORT_CSV_COLUMNS, EXPORT_CSV_COLUMNS_WITHOUT_LOGGER, ExportCsvAssembler, ImportOptions,
    ImportStore, ImportSummary, Importer, LineRow, SEED_CSV_COLUMNS, SeedCsvParser,
};
use ents_domain::measurements::Upload;
use ents_domain::users::UserRepository;
use ents_persistence::{PgImportStore, PgUserRepository};

use super::checkpoint::{Cursor, Interrupted, Position};
use super::export::explain;
use super::frames::next_frame;
use super::progress::{Progress, Report};
use super::ttn::ttn_lines;

/// The layouts `ents import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportFormat {
    /// The project's export CSV.
    ExportCsv,
    /// The seed-era wide CSV of one cell (`--cell` required).
    SeedCsv,
    /// The Things Network v3 uplink JSON, one per line (as the webhook receives them).
    Ttn,
    /// Length-delimited protobuf `Measurement` messages (device uploads).
    Measurement,
    /// Length-delimited protobuf `RepeatedSensorMeasurements` messages.
    Generic,
}

impl ImportFormat {
    /// The `--format` value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ExportCsv => "csv",
            Self::SeedCsv => "seed-csv",
            Self::Ttn => "ttn",
            Self::Measurement => "protobuf",
            Self::Generic => "generic",
        }
    }
}

/// What to import, as typed on the command line.
#[derive(Debug, Clone)]
pub struct ImportCommand {
    pub input: PathBuf,
    pub format: ImportFormat,
    /// Every row into this cell.
    pub cell: Option<i32>,
    pub dry_run: bool,
    pub strict: bool,
    /// Create unknown cells owned by the user with this e-mail address.
    pub create_missing_owner: Option<String>,
    pub batch_rows: usize,
    /// Continue each file after its checkpoint (docs/import-export.md#resuming).
    pub resume: bool,
}

/// What the import of one file did.
#[derive(Debug, Clone)]
pub struct FileImport {
    pub path: PathBuf,
    pub summary: ImportSummary,
    /// Stopped on request (Ctrl-C): the checkpoint to `--resume` from.
    pub interrupted: Option<PathBuf>,
}

/// Imports `command.input` in `command.format`: a file, or every file of a directory in
/// name order (not recursing), each with its own summary. Errors: an unreadable file or
/// header (naming the file), an unknown owner or target cell, the first bad line when
/// strict, the database failing (batches committed before stay: each is whole).
pub async fn run_import(
    settings: &Settings,
    command: &ImportCommand,
    progress: &Progress,
) -> anyhow::Result<Vec<FileImport>> {
    if command.format == ImportFormat::SeedCsv && command.cell.is_none() {
        bail!("--format seed-csv needs --cell: the seed-era layout names no cell");
    }
    let files = input_files(&command.input)?;
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
    let store: Arc<dyn ImportStore> = Arc::new(PgImportStore::new(db));
    // Ctrl-C: finish the current batch, save the checkpoint, stop (a second one kills).
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let stop = stop.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        })
    };
    let mut done = Vec::with_capacity(files.len());
    let result = async {
        for path in files {
            if !done.is_empty() || path != command.input {
                progress.line(&format!("importing {}", path.display()));
            }
            let mut cursor =
                Cursor::open(&path, command.format.as_str(), command.resume, stop.clone())?;
            if let Some(start) = cursor.start {
                progress.line(&format!(
                    "resuming {} after line {} (byte {})",
                    path.display(),
                    start.line,
                    start.byte
                ));
            }
            let mut importer = Importer::new(store.clone(), options.clone());
            match import_file(command.format, &path, &mut importer, progress, &mut cursor).await {
                Ok(()) => {}
                Err(e) if e.is::<Interrupted>() => {
                    done.push(FileImport {
                        interrupted: Some(cursor.path().to_owned()),
                        summary: importer.summary().clone(),
                        path,
                    });
                    break;
                }
                Err(e) => return Err(e.context(format!("importing {}", path.display()))),
            }
            let summary = importer.finish().await.map_err(explain)?;
            cursor.complete();
            done.push(FileImport {
                path,
                summary,
                interrupted: None,
            });
        }
        anyhow::Ok(())
    }
    .await;
    watcher.abort();
    progress.finish();
    result?;
    Ok(done)
}

/// `input` itself, or the files of the directory `input` sorted by name (hidden files and
/// subdirectories left out). Errors: unreadable, or a directory without files.
fn input_files(input: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if !input.is_dir() {
        return Ok(vec![input.to_owned()]);
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(input).with_context(|| format!("reading {}", input.display()))? {
        let entry = entry.with_context(|| format!("reading {}", input.display()))?;
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        if !hidden && entry.file_type().is_ok_and(|t| t.is_file()) {
            files.push(entry.path());
        }
    }
    if files.is_empty() {
        bail!("{}: the directory holds no files", input.display());
    }
    files.sort();
    Ok(files)
}

async fn import_file(
    format: ImportFormat,
    path: &Path,
    importer: &mut Importer,
    progress: &Progress,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    let mut file =
        std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0).max(1);
    let decode = match format {
        ImportFormat::ExportCsv => {
            let reader = csv_reader(file);
            let mut report = Report::Display(progress);
            return export_csv(path, reader, size, importer, &mut report, cursor).await;
        }
        ImportFormat::SeedCsv => {
            let reader = csv_reader(file);
            let mut report = Report::Display(progress);
            return seed_csv(path, reader, size, importer, &mut report, cursor).await;
        }
        ImportFormat::Ttn => return ttn_lines(file, size, importer, progress, cursor).await,
        ImportFormat::Measurement => ents_wire::decode_measurement,
        ImportFormat::Generic => ents_wire::decode_repeated,
    };
    if let Some(start) = cursor.start {
        file.seek(SeekFrom::Start(start.byte))?;
    }
    uploads(file, size, importer, progress, decode, cursor).await
}

/// Device uploads, one per frame; a frame's number stands for its line. Each goes through
/// the live upload's decoder and row mapping.
async fn uploads(
    file: std::fs::File,
    size: u64,
    importer: &mut Importer,
    progress: &Progress,
    decode: fn(&[u8]) -> Result<Upload, ents_wire::WireError>,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    let mut input = std::io::BufReader::with_capacity(256 * 1024, file);
    let mut buf = Vec::new();
    let start = cursor.start.unwrap_or_default();
    let mut frame: u64 = start.line;
    let mut offset: u64 = start.byte;
    loop {
        let here = Position {
            byte: offset,
            line: frame,
        };
        cursor.check_stop(importer, here).await?;
        frame += 1;
        match next_frame(&mut input, &mut buf) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                // The rest cannot be framed: report it and stop reading.
                importer.line_read();
                importer
                    .bad_line(frame, format!("unreadable frame: {e}"))
                    .map_err(explain)?;
                break;
            }
        }
        importer.line_read();
        offset += (prost::length_delimiter_len(buf.len()) + buf.len()) as u64;
        match decode(&buf) {
            Ok(upload) => add_upload(importer, frame, &upload).await?,
            Err(e) => importer.bad_line(frame, e.to_string()).map_err(explain)?,
        }
        cursor.after_unit(importer, here)?;
        if frame.is_multiple_of(1024) {
            let s = importer.summary();
            progress.update(
                offset as f32 / size as f32,
                &format!("{} rows stored", s.stored),
            );
        }
    }
    Ok(())
}

/// The rows of a decoded upload, mapped as a live upload's (`Upload::stored_rows`).
pub(super) async fn add_upload(
    importer: &mut Importer,
    line: u64,
    upload: &Upload,
) -> anyhow::Result<()> {
    for row in upload.stored_rows() {
        let row = LineRow {
            line,
            row: row.into(),
            cell_name: None,
        };
        importer.add(row).await.map_err(explain)?;
    }
    Ok(())
}

/// The export CSV (the CLI's file, or an import job's body).
pub(super) async fn export_csv<R: Read + Seek>(
    path: &Path,
    mut reader: csv::Reader<R>,
    size: u64,
    importer: &mut Importer,
    progress: &mut Report<'_>,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    // Files of the first release have no `logger` column.
    let accepted: [&[&str]; 2] = [&EXPORT_CSV_COLUMNS, EXPORT_CSV_COLUMNS_WITHOUT_LOGGER];
    expect_header(&mut reader, path, &accepted, "an export CSV")?;
    seek(&mut reader, cursor)?;
    let mut assembler = ExportCsvAssembler::new();
    let mut record = csv::StringRecord::new();
    // Where the row being assembled started: its lines are not committed yet.
    let mut pending: Option<Position> = None;
    loop {
        let here = position(&reader);
        cursor.check_stop(importer, pending.unwrap_or(here)).await?;
        let line = here.line + 1;
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
            Ok(Some(row)) => {
                pending = Some(here);
                importer.add(row).await.map_err(explain)?;
            }
            Ok(None) => {
                pending.get_or_insert(here);
            }
            Err(reason) => importer.bad_line(line, reason).map_err(explain)?,
        }
        cursor.after_unit(importer, pending.unwrap_or(here))?;
        if line.is_multiple_of(4096) {
            let s = importer.summary();
            let done = reader.position().byte() as f32 / size as f32;
            let detail = format!("{} rows stored", s.stored);
            progress.update(done, &detail).await;
        }
    }
    if let Some(row) = assembler.finish() {
        importer.add(row).await.map_err(explain)?;
    }
    Ok(())
}

/// The position of the next record: its first byte, and the lines before it.
fn position<R: std::io::Read>(reader: &csv::Reader<R>) -> Position {
    let p = reader.position();
    Position {
        byte: p.byte(),
        line: p.line().saturating_sub(1),
    }
}

/// Continues at the checkpoint (after the header was read and checked).
fn seek<R: Read + Seek>(reader: &mut csv::Reader<R>, cursor: &Cursor) -> anyhow::Result<()> {
    if let Some(start) = cursor.start {
        let mut at = csv::Position::new();
        at.set_byte(start.byte)
            .set_line(start.line + 1)
            .set_record(start.line);
        reader.seek(at).context("seeking to the checkpoint")?;
    }
    Ok(())
}

/// The seed-era wide CSV: every line's rows into `--cell` (the importer's target).
pub(super) async fn seed_csv<R: Read + Seek>(
    path: &Path,
    mut reader: csv::Reader<R>,
    size: u64,
    importer: &mut Importer,
    progress: &mut Report<'_>,
    cursor: &mut Cursor,
) -> anyhow::Result<()> {
    expect_header(&mut reader, path, &[&SEED_CSV_COLUMNS], "a seed-era CSV")?;
    // Every row goes to --cell (the importer's target, checked by run_import): the id
    // given here is only a placeholder.
    seek(&mut reader, cursor)?;
    let mut parser = SeedCsvParser::new(0);
    let mut record = csv::StringRecord::new();
    loop {
        let here = position(&reader);
        cursor.check_stop(importer, here).await?;
        let line = here.line + 1;
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
        match parser.push(line, &fields) {
            Ok(rows) => {
                for row in rows {
                    importer.add(row).await.map_err(explain)?;
                }
            }
            Err(reason) => importer.bad_line(line, reason).map_err(explain)?,
        }
        cursor.after_unit(importer, here)?;
        if line.is_multiple_of(4096) {
            let s = importer.summary();
            let done = reader.position().byte() as f32 / size as f32;
            let detail = format!("{} rows stored", s.stored);
            progress.update(done, &detail).await;
        }
    }
    Ok(())
}

/// Refuses a file whose header line is not exactly `columns` (the layout `what` names).
/// `accepted`: the headers of the layout, the current one first (named in the message).
fn expect_header<R: Read>(
    reader: &mut csv::Reader<R>,
    path: &Path,
    accepted: &[&[&str]],
    what: &str,
) -> anyhow::Result<()> {
    let header = reader.headers().context("reading the header line")?;
    if !accepted
        .iter()
        .any(|columns| header.iter().eq(columns.iter().copied()))
    {
        bail!(
            "{}: not {what}: the header must be {}",
            path.display(),
            accepted.first().map(|c| c.join(",")).unwrap_or_default()
        );
    }
    Ok(())
}

fn csv_reader(file: std::fs::File) -> csv::Reader<std::io::BufReader<std::fs::File>> {
    csv_reader_of(std::io::BufReader::with_capacity(256 * 1024, file))
}

/// The reader of both CSV layouts: headers checked by the caller, lines of any length
/// reported as bad lines rather than errors.
pub(super) fn csv_reader_of<R: Read>(input: R) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(input)
}

/// The summaries as the command prints them: one file's as it is, several each under its
/// file's name.
pub fn render_imports(files: &[FileImport]) -> String {
    match files {
        [one] => render_summary(&one.summary),
        many => many
            .iter()
            .map(|f| format!("{}:\n{}", f.path.display(), render_summary(&f.summary)))
            .collect(),
    }
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
