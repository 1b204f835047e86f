//! The export job as both binaries wire it: rows from PostgreSQL, files in
//! `exports.directory` (`docs/exports.md`).

use std::sync::Arc;
use std::time::Duration;

use ents_config::Settings;
use ents_domain::exports::{ExportHandler, ExportSettings};
use ents_persistence::{Db, PgExportRowSource};

pub use ents_export_files::FsExportFileStore;

/// The handler's tunables from the configuration.
pub fn export_settings(settings: &Settings) -> ExportSettings {
    ExportSettings {
        batch_rows: settings.exports.batch_rows,
        retention: settings.exports.retention(),
        progress_interval: Duration::from_secs(1),
    }
}

/// The file store on `exports.directory`.
pub fn export_files(settings: &Settings) -> Arc<FsExportFileStore> {
    Arc::new(FsExportFileStore::new(settings.exports.directory.clone()))
}

/// The handler of kind `export.csv`, to register in a job runner.
pub fn export_handler(settings: &Settings, db: &Db) -> Arc<ExportHandler> {
    Arc::new(ExportHandler::new(
        Arc::new(PgExportRowSource::new(
            db.clone(),
            settings.series.use_rollups,
        )),
        export_files(settings),
        export_settings(settings),
    ))
}
