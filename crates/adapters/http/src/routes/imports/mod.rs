//! CSV imports over HTTP (docs/import-export.md#over-http): `POST /api/cells/{cell_id}/imports`
//! with the file (raw `text/csv`, or `multipart/form-data` with one file part) → 202 and the
//! job; `GET …/imports/{id}` → state, progress and the summary; `GET …/imports/{id}/errors`
//! → the error report (CSV `line,reason`). Who may: as any write on the cell
//! (`ImportService`).

mod multipart;

use std::collections::BTreeMap;

use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Payload;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use ents_domain::DomainError;
use ents_domain::imports::{CellImport, ImportResult};
use ents_domain::jobs::{JobId, JobState};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::input_guard::BodyLimit;
use crate::routes::ingest::read_body;
use crate::routes::path_int::path_int;
use crate::state::AppState;

const CELL_NOT_FOUND: &str = "Cell not found";

fn cell_id(raw: &str) -> Result<i32, ApiError> {
    path_int(raw)?.ok_or_else(|| DomainError::NotFound(CELL_NOT_FOUND.to_owned()).into())
}

/// An import id from the path; anything but a UUID is an unknown import.
fn import_id(raw: &str) -> Result<JobId, ApiError> {
    raw.parse::<JobId>()
        .map_err(|_| DomainError::NotFound("Import not found".into()).into())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ImportParams {
    /// `csv` (the export CSV) or `seed-csv` (the seed-era wide CSV); detected from the
    /// header line when left out.
    format: Option<String>,
}

/// What an import did (once succeeded).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImportSummaryBody {
    /// Data lines read.
    read: u64,
    /// Rows assembled from them (the values of one stored power or TEROS row are one row).
    rows: u64,
    /// Rows newly stored.
    stored: u64,
    /// Rows already stored (same key): skipped.
    duplicates: u64,
    /// Rows refused.
    refused: u64,
    /// Lines of the error report.
    bad_lines: u64,
    /// Rows per kind: `power`, `teros`, `sensor/<name>/<measurement>`.
    per_kind: BTreeMap<String, u64>,
    /// The time range of the rows.
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}

impl From<&ImportResult> for ImportSummaryBody {
    fn from(r: &ImportResult) -> Self {
        Self {
            read: r.read,
            rows: r.rows,
            stored: r.stored,
            duplicates: r.duplicates,
            refused: r.refused,
            bad_lines: r.bad_lines,
            per_kind: r.per_kind.clone(),
            first: r.first.map(|t| t.and_utc()),
            last: r.last.map(|t| t.and_utc()),
        }
    }
}

/// An import as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ImportBody {
    id: String,
    cell_id: i32,
    /// `csv` or `seed-csv`.
    format: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    state: &'static str,
    /// 0..1.
    progress: f32,
    /// The last failure (also while a retry is queued).
    error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    /// Once succeeded.
    summary: Option<ImportSummaryBody>,
    /// Where to download the error report, once succeeded.
    errors: Option<String>,
}

fn location(cell_id: i32, id: JobId) -> String {
    format!("/api/cells/{cell_id}/imports/{id}")
}

impl From<&CellImport> for ImportBody {
    fn from(i: &CellImport) -> Self {
        let succeeded = i.state == JobState::Succeeded;
        Self {
            id: i.id.to_string(),
            cell_id: i.cell_id(),
            format: i.format().to_owned(),
            state: i.state.as_str(),
            progress: i.progress,
            error: i.error.clone(),
            created_at: i.created_at,
            finished_at: i.finished_at,
            summary: i.result.as_ref().map(ImportSummaryBody::from),
            errors: succeeded.then(|| format!("{}/errors", location(i.cell_id(), i.id))),
        }
    }
}

/// The CSV file of the request: a raw `text/csv` body, or the one file part of a
/// `multipart/form-data` body, within `http.body_limit_bytes`.
async fn csv_body(req: &HttpRequest, payload: Payload) -> Result<Vec<u8>, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let boundary = multipart::boundary(&content_type);
    if essence != "text/csv" && boundary.is_none() {
        return Err(ApiError::UnsupportedMediaType(format!(
            "Unsupported Content-Type '{content_type}': expected text/csv or \
             multipart/form-data (with its boundary) holding one CSV file"
        )));
    }
    let limit = req
        .app_data::<web::Data<BodyLimit>>()
        .map_or(10 * 1024 * 1024, |limit| limit.0);
    let bytes = read_body(req, payload, limit).await?;
    match boundary {
        Some(boundary) => multipart::file_part(bytes, &boundary)
            .await
            .map_err(ApiError::bad_request),
        None => Ok(bytes.to_vec()),
    }
}

/// Imports a CSV file into the cell, as a job: every row goes to this cell, through the same
/// rules as `ents import --cell` (the live uploads' keys: rows already stored are skipped).
/// The body is the file (`text/csv`) or a `multipart/form-data` form with one file part, at
/// most `http.body_limit_bytes` (bigger files: `ents import`). Needs write access to the cell
/// (its owner or a member).
#[utoipa::path(
    tag = "imports",
    params(("cell_id" = u32, Path, description = "The cell"), ImportParams),
    request_body(
        content(
            (String = "text/csv"),
            (String = "multipart/form-data"),
        ),
        description = "An export CSV (`cell_id,cell_name,source,sensor,measurement,unit,timestamp,value`) \
                       or a seed-era CSV (`timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type`)",
    ),
    responses(
        (status = 202, description = "Queued; `Location` is the import", body = ImportBody),
        (status = 400, description = "An empty file, a header of no accepted layout, an unknown `format`, a bad multipart body"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "The caller may not write to the cell"),
        (status = 404, description = "`Cell not found`"),
        (status = 413, description = "The body is larger than `http.body_limit_bytes`"),
        (status = 415, description = "Neither `text/csv` nor `multipart/form-data`"),
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/cells/{cell_id}/imports")]
pub(crate) async fn create_import(
    state: web::Data<AppState>,
    caller: Authenticated,
    req: HttpRequest,
    path: web::Path<String>,
    params: web::Query<ImportParams>,
    payload: Payload,
) -> Result<HttpResponse, ApiError> {
    let cell = cell_id(&path)?;
    let body = csv_body(&req, payload).await?;
    let import = state
        .imports
        .create(Some(&caller.0), cell, params.format.as_deref(), body)
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location(cell, import.id)))
        .json(ImportBody::from(&import)))
}

/// The state, progress and (once succeeded) the summary of an import.
#[utoipa::path(
    tag = "imports",
    params(
        ("cell_id" = u32, Path, description = "The cell"),
        ("import_id" = String, Path, description = "The import's id"),
    ),
    responses(
        (status = 200, body = ImportBody),
        (status = 401, description = "No credentials"),
        (status = 403, description = "The caller may not write to the cell"),
        (status = 404, description = "`Cell not found`, or `Import not found` (unknown, or of another cell)"),
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/cells/{cell_id}/imports/{import_id}")]
pub(crate) async fn get_import(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (cell, id) = (cell_id(&path.0)?, import_id(&path.1)?);
    let import = state.imports.get(Some(&caller.0), cell, id).await?;
    Ok(HttpResponse::Ok().json(ImportBody::from(&import)))
}

/// The error report of a finished import: CSV `line,reason`, one line per line of the file
/// that was not imported (the header is line 1).
#[utoipa::path(
    tag = "imports",
    params(
        ("cell_id" = u32, Path, description = "The cell"),
        ("import_id" = String, Path, description = "The import's id"),
    ),
    responses(
        (status = 200, description = "The error report", content_type = "text/csv"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "The caller may not write to the cell"),
        (status = 404, description = "`Cell not found`, `Import not found`, or `Import report expired`"),
        (status = 409, description = "The import has not finished (or failed before reading the file)"),
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/cells/{cell_id}/imports/{import_id}/errors")]
pub(crate) async fn import_errors(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (cell, id) = (cell_id(&path.0)?, import_id(&path.1)?);
    let (import, report) = state.imports.errors(Some(&caller.0), cell, id).await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "ents-import-{}-errors.csv",
            import.id
        ))],
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(disposition)
        .body(report))
}
