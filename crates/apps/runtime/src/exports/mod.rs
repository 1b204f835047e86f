//! CSV exports as both processes wire them: rows from PostgreSQL, files in
//! `exports.directory` (`docs/exports.md`), which the server and the worker must share.

mod retention;

use std::sync::Arc;

use ents_config::Settings;
use ents_domain::exports::{ExportHandler, ExportService};
use ents_domain::jobs::JobService;
use ents_export_files::FsExportFileStore;
use ents_persistence::{Db, PgCellRepository, PgExportRowSource};

pub use retention::{RETENTION_SWEEP_INTERVAL, run_export_retention};

use crate::settings::{access_policy, export_settings};

/// The file store on `exports.directory`.
pub fn export_files(settings: &Settings) -> Arc<FsExportFileStore> {
    Arc::new(FsExportFileStore::new(settings.exports.directory.clone()))
}

pub(crate) fn row_source(settings: &Settings, db: &Db) -> Arc<PgExportRowSource> {
    Arc::new(PgExportRowSource::new(
        db.clone(),
        settings.series.use_rollups,
    ))
}

/// The handler of kind `export.csv`, to register in a job runner.
pub fn export_handler(settings: &Settings, db: &Db) -> Arc<ExportHandler> {
    Arc::new(ExportHandler::new(
        row_source(settings, db),
        export_files(settings),
        export_settings(settings),
    ))
}

/// The export use case behind the API's routes: jobs through `jobs` (run in-process or by
/// the worker), cell facts for the access policy.
pub fn export_service(settings: &Settings, db: &Db, jobs: JobService) -> Arc<ExportService> {
    Arc::new(ExportService::new(
        jobs,
        row_source(settings, db),
        Arc::new(PgCellRepository::new(db.clone())),
        export_files(settings),
        access_policy(settings),
    ))
}
