//! Serves the built React dashboard from `web.static_dir`, so one origin serves both the
//! UI and the API. Unknown non-API paths get `index.html`: the dashboard routes on the client
//! (`/dashboard`, `/profile/cells`, …).

use std::path::{Path, PathBuf};

use actix_files::{Files, NamedFile};
use actix_web::dev::{ServiceRequest, ServiceResponse, fn_service};

pub(crate) fn dashboard(dir: &Path) -> Files {
    let index: PathBuf = dir.join("index.html");
    Files::new("/", dir)
        .index_file("index.html")
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                let file = NamedFile::open(&index)?;
                let response = file.into_response(&req);
                Ok(ServiceResponse::new(req, response))
            }
        }))
}
