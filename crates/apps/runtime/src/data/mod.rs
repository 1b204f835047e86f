//! Historical data in and out from the command line (`ents export`, `ents import`;
//! docs/import-export.md). The binary parses arguments; everything else is here, on the
//! same domain code paths as the API's jobs.

mod export;
mod frames;
mod import;
mod output;
mod progress;

pub use ents_domain::exports::ExportFormat;
pub use export::{ExportCommand, ExportOutcome, run_export};
pub use import::{ImportCommand, ImportFormat, render_summary, run_import};
pub use progress::Progress;
