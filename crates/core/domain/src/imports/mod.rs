//! Bulk imports of history (`ents import`; docs/import-export.md).
//!
//! - [`ExportCsvAssembler`]: the lines of the project's own export CSV (`docs/exports.md`)
//!   back into stored rows (the values of one stored power or TEROS row are consecutive
//!   lines of the export; they are put back together).
//! - [`SeedCsvParser`]: the seed-era wide CSV of `GET /api/cell/datas` (one cell, `void`
//!   for gaps) back into rows.
//! - [`Importer`]: the use case: rows in batches, each written in one transaction through
//!   the [`ImportStore`] port with `ON CONFLICT DO NOTHING` (the ingest idempotency keys of
//!   `crate::ingest`), so a re-import, or a device's late live upload of an imported
//!   reading, stores nothing twice; bad lines are reported with their line numbers and stop
//!   the import only when strict. No live events: an import is history, not news.
//! - [`ImportService`]: the same import over HTTP (`POST /api/cells/<id>/imports`): the
//!   body waits in an [`ImportUploadStore`] for a job of kind [`IMPORT_KIND`], whose
//!   handler (in `ents-runtime`, beside the CLI's readers) runs the [`Importer`].

mod export_csv;
mod importer;
mod job;
mod model;
mod ports;
mod seed_csv;
mod service;

#[cfg(test)]
mod tests;

pub use export_csv::{EXPORT_CSV_COLUMNS, EXPORT_CSV_COLUMNS_WITHOUT_LOGGER, ExportCsvAssembler};
pub use importer::{ImportOptions, Importer};
pub use job::{CellImport, CsvLayout, IMPORT_KIND, ImportPayload, ImportResult, error_report};
pub use model::{BadLine, ImportRow, ImportSummary, ImportValue, LineRow};
pub use ports::{BatchCounts, ImportStore, ImportUploadStore};
pub use seed_csv::{SEED_CSV_COLUMNS, SeedCsvParser};
pub use service::ImportService;
