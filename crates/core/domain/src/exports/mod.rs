//! Exports through the worker (docs/exports.md): any cells, any range, no row limit,
//! a CSV file written by a job and downloaded when it is finished.
//!
//! - [`ExportService`]: what the API calls — create (→ a job of kind [`EXPORT_KIND`]),
//!   status, and the download handle; it applies the access policy (`Read` on every cell).
//! - [`ExportHandler`]: the job handler both job runtimes register — it streams rows from
//!   an [`ExportRowSource`] (a server-side cursor, constant memory) into an
//!   [`ExportFileStore`] writer (a temporary file published atomically).
//!
//! - Two layouts: the long CSV ([`write_csv`]) and the seed-era wide CSV of
//!   `GET /api/cell/datas` ([`write_seed_csv`], one cell merged in memory at a time);
//!   [`write_export`] picks by the request's format.
//!
//! The export *is* its job record: payload = the request and its creator, progress, result
//! = `{file, rows, bytes}`. Column layout and visibility rules: `docs/exports.md`.

mod csv;
mod handler;
mod model;
mod ports;
mod seed_csv;
mod seed_sink;
mod service;

#[cfg(test)]
mod tests;

pub(crate) use csv::push_field;
pub use csv::{CSV_HEADER, encode_row, format_timestamp};
pub use handler::{ExportHandler, ExportSettings, write_csv, write_export};
pub use model::{
    EXPORT_KIND, Export, ExportFormat, ExportPayload, ExportRequest, ExportResult, ExportRow,
    ExportValue, MAX_EXPORT_CELLS, SeriesLabel,
};
pub use ports::{
    ExportFileStore, ExportFileWriter, ExportReader, ExportRowSource, FinishedFile, RowSink,
};
pub use seed_csv::{SEED_CSV_HEADER, SEED_MEASUREMENT, SEED_SENSOR, SeedBlock, VOID, python_float};
pub use seed_sink::write_seed_csv;
pub use service::ExportService;
