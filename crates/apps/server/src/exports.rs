//! The export use case as the API server wires it: jobs through the server's job runtime,
//! rows and cell facts from PostgreSQL, files in `exports.directory` (shared with the
//! worker, which runs the jobs when a broker is configured).

use std::sync::Arc;

use ents_config::Settings;
use ents_domain::exports::ExportService;
use ents_domain::jobs::JobService;
use ents_persistence::{Db, PgCellRepository, PgExportRowSource};

pub fn service(settings: &Settings, db: &Db, jobs: JobService) -> Arc<ExportService> {
    Arc::new(ExportService::new(
        jobs,
        Arc::new(PgExportRowSource::new(
            db.clone(),
            settings.series.use_rollups,
        )),
        Arc::new(PgCellRepository::new(db.clone())),
        ents_worker::exports::export_files(settings),
        crate::identity::access_policy(settings),
    ))
}
