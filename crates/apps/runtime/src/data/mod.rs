//! Historical data in and out from the command line (`ents export`, `ents import`;
//! docs/import-export.md). The binary parses arguments; everything else is here, on the
//! same domain code paths as the API's jobs.

mod checkpoint;
mod export;
mod frames;
mod import;
mod import_job;
mod output;
mod progress;
mod ttn;

pub use ents_domain::exports::ExportFormat;
pub use export::{ExportCommand, ExportOutcome, run_export};
pub use import::{
    FileImport, ImportCommand, ImportFormat, render_imports, render_summary, run_import,
};
pub use import_job::ImportCsvHandler;
pub use progress::Progress;
