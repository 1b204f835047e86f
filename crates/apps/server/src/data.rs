//! `ents export` (and `ents import`): arguments to `ents_runtime::data`; the data goes to
//! standard output or a file, progress and the summary to standard error.

use std::io::Write;
use std::path::Path;

use ents_config::Settings;

use ents_runtime::data::{
    ExportCommand, ExportFormat, ImportCommand, ImportFormat, Progress, render_imports, run_export,
    run_import,
};

use crate::cli::{ExportArgs, ExportFileFormat, ImportArgs, ImportFileFormat};

pub async fn export(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let to_stdout = args.output == Path::new("-");
    let command = ExportCommand {
        cells: args.cells,
        from: args.from,
        to: args.to,
        resample: args.resample,
        format: match args.format {
            ExportFileFormat::Csv => ExportFormat::Csv,
            ExportFileFormat::SeedCsv => ExportFormat::SeedCsv,
        },
        output: (!to_stdout).then_some(args.output),
    };
    let progress = Progress::new("export", args.quiet);
    let outcome = run_export(settings, &command, &progress).await?;
    if !args.quiet {
        writeln!(
            std::io::stderr(),
            "exported {} rows ({} bytes)",
            outcome.rows,
            outcome.bytes
        )?;
    }
    Ok(())
}

/// The summary (and, dry, what would be stored) goes to standard output.
pub async fn import(settings: &Settings, args: ImportArgs) -> anyhow::Result<()> {
    let command = ImportCommand {
        input: args.input,
        format: match args.format {
            ImportFileFormat::Csv => ImportFormat::ExportCsv,
            ImportFileFormat::SeedCsv => ImportFormat::SeedCsv,
            ImportFileFormat::Ttn => ImportFormat::Ttn,
            ImportFileFormat::Protobuf => ImportFormat::Measurement,
            ImportFileFormat::Generic => ImportFormat::Generic,
        },
        cell: args.cell,
        dry_run: args.dry_run,
        strict: args.strict,
        create_missing_owner: if args.create_missing {
            args.owner
        } else {
            None
        },
        batch_rows: args.batch_rows as usize,
        resume: args.resume,
    };
    let progress = Progress::new("import", args.quiet);
    let files = run_import(settings, &command, &progress).await?;
    write!(std::io::stdout(), "{}", render_imports(&files))?;
    if let Some(checkpoint) = files.iter().find_map(|f| f.interrupted.as_ref()) {
        anyhow::bail!(
            "interrupted after the last committed batch (checkpoint {}); continue with: \
             ents import {} --resume (and the same options)",
            checkpoint.display(),
            command.input.display()
        );
    }
    Ok(())
}
