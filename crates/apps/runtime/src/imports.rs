//! HTTP imports as both processes wire them (docs/import-export.md#over-http): bodies in
//! PostgreSQL (`import_upload`, readable by every worker of a fleet), rows through
//! `PgImportStore`, the job handler beside the CLI's readers (`data`).

use std::sync::Arc;

use ents_config::Settings;
use ents_domain::imports::{ImportOptions, ImportService};
use ents_domain::jobs::JobService;
use ents_persistence::{Db, PgCellRepository, PgImportStore, PgImportUploadStore};

use crate::data::ImportCsvHandler;
use crate::settings::access_policy;

/// The handler of kind `import.csv`, to register in a job runner. Uploads live as long as
/// export files (`exports.retention_hours`).
pub fn import_handler(settings: &Settings, db: &Db) -> Arc<ImportCsvHandler> {
    Arc::new(ImportCsvHandler::new(
        Arc::new(PgImportStore::new(db.clone())),
        Arc::new(PgImportUploadStore::new(db.clone())),
        settings.exports.retention(),
        ImportOptions::default().batch_rows,
    ))
}

/// The import use case behind `POST /api/cells/<id>/imports`.
pub fn import_service(settings: &Settings, db: &Db, jobs: JobService) -> Arc<ImportService> {
    Arc::new(ImportService::new(
        jobs,
        Arc::new(PgImportUploadStore::new(db.clone())),
        Arc::new(PgCellRepository::new(db.clone())),
        access_policy(settings),
    ))
}
