//! `ents export` (and `ents import`): arguments to `ents_runtime::data`; the data goes to
//! standard output or a file, progress and the summary to standard error.

use std::io::Write;
use std::path::Path;

use ents_config::Settings;
use ents_runtime::data::{ExportCommand, Progress, run_export};

use crate::cli::{ExportArgs, ExportFileFormat};

pub async fn export(settings: &Settings, args: ExportArgs) -> anyhow::Result<()> {
    let ExportFileFormat::Csv = args.format;
    let to_stdout = args.output == Path::new("-");
    let command = ExportCommand {
        cells: args.cells,
        from: args.from,
        to: args.to,
        resample: args.resample,
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
