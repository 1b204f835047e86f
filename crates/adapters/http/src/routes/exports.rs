//! CSV exports run by the worker (`docs/exports.md`):
//! - the seed-era pair (docs/compatibility.md#exports): `GET /api/cell/datas` → `{"result_id"}`,
//!   `GET /api/status/<id>` → `{"state", "status"}` with the whole CSV once finished;
//! - the export API: `POST /api/exports` → 202 and a `Location`, `GET /api/exports/{id}`
//!   → state and progress, `GET /api/exports/{id}/download` → the file, streamed.
//!
//! Who may see an export is the domain's rule (`ExportService`): its creator, or anyone
//! holding the id of one created anonymously under public reads.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, ContentDisposition, DispositionParam, DispositionType};
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, post, web};
use chrono::{DateTime, TimeDelta, Utc};
use ents_domain::exports::{Export, ExportFormat, ExportReader, ExportRequest};
use ents_domain::jobs::{JobId, JobState};
use ents_domain::series::{DEFAULT_RANGE_DAYS, Resample, TimeRange, parse_time};
use ents_domain::{DomainError, FieldErrors};
use futures_util::Stream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::routes::jsonify::jsonify;
use crate::state::AppState;

const TIME: &str = "expected an RFC 1123 date (Fri, 01 Nov 2024 00:00:00 GMT) or ISO 8601";

fn push(errors: &mut FieldErrors, field: &str, problem: impl Into<String>) {
    errors
        .entry(field.to_owned())
        .or_default()
        .push(problem.into());
}

/// An export id from the path; anything but a UUID is an unknown export.
fn export_id(raw: &str) -> Result<JobId, ApiError> {
    raw.parse::<JobId>()
        .map_err(|_| DomainError::NotFound("Export not found".into()).into())
}

/// The file, streamed chunk by chunk (memory holds one chunk whatever the size).
fn file_stream(
    reader: Box<dyn ExportReader>,
) -> impl Stream<Item = Result<Bytes, DomainError>> + 'static {
    futures_util::stream::unfold(Some(reader), |reader| async move {
        let mut reader = reader?;
        match reader.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(reader))),
            Ok(None) => None,
            Err(error) => {
                tracing::error!(%error, "export download broke off");
                Some((Err(error), None))
            }
        }
    })
}

// ---------------------------------------------------------------------------------------
// The export API.

/// `POST /api/exports`. Fields are loosely typed here so that every problem can be named.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub(crate) struct CreateExportBody {
    /// Cell ids (at least one, at most 100).
    #[schema(value_type = Vec<u32>)]
    cell_ids: Option<Value>,
    /// Start of the range, inclusive, on the device time: RFC 1123 or ISO 8601 (no zone =
    /// UTC). Default: 30 days before `end`.
    #[schema(value_type = Option<String>)]
    start: Option<Value>,
    /// End of the range, inclusive; same formats. Default: now.
    #[schema(value_type = Option<String>)]
    end: Option<Value>,
    /// `none` (default: raw rows), `minute`, `hour`, `day`, `week` or `month` (bucket means).
    #[schema(value_type = Option<String>)]
    resample: Option<Value>,
    /// `csv` (default: the long layout) or `seed-csv` (the seed-era wide layout of
    /// `GET /api/cell/datas`).
    #[schema(value_type = Option<String>)]
    format: Option<Value>,
}

impl CreateExportBody {
    fn validate(&self) -> Result<ExportRequest, DomainError> {
        let mut errors = FieldErrors::new();
        let mut cells = Vec::new();
        match &self.cell_ids {
            Some(Value::Array(items)) if !items.is_empty() => {
                for item in items {
                    match item.as_u64().and_then(|n| i32::try_from(n).ok()) {
                        Some(id) => cells.push(id),
                        None => {
                            push(&mut errors, "cell_ids", "must be positive integers");
                            break;
                        }
                    }
                }
            }
            Some(Value::Array(_)) | None => {
                push(&mut errors, "cell_ids", "must list at least one cell");
            }
            Some(_) => push(&mut errors, "cell_ids", "must be an array of cell ids"),
        }
        let mut time = |field: &str, value: &Option<Value>| match value {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => parse_time(text).or_else(|| {
                push(&mut errors, field, TIME);
                None
            }),
            Some(_) => {
                push(&mut errors, field, TIME);
                None
            }
        };
        let start = time("start", &self.start);
        let end = time("end", &self.end);
        let mut word = |field: &str, value: &Option<Value>, default: &'static str| match value {
            None | Some(Value::Null) => Some(default.to_owned()),
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                push(&mut errors, field, "must be a string");
                None
            }
        };
        let resample_text = word("resample", &self.resample, "none");
        let format_text = word("format", &self.format, "csv");
        let resample = resample_text.and_then(|text| {
            Resample::parse(&text).or_else(|| {
                push(
                    &mut errors,
                    "resample",
                    format!("must be one of: {}", Resample::ACCEPTED),
                );
                None
            })
        });
        let format = format_text.and_then(|text| {
            ExportFormat::parse(&text).or_else(|| {
                push(
                    &mut errors,
                    "format",
                    format!("must be one of: {}", ExportFormat::ACCEPTED),
                );
                None
            })
        });
        let (Some(resample), Some(format), true) = (resample, format, errors.is_empty()) else {
            return Err(DomainError::Invalid(errors));
        };
        let end = end.unwrap_or_else(|| Utc::now().naive_utc());
        let start = start.unwrap_or(end - TimeDelta::days(DEFAULT_RANGE_DAYS));
        ExportRequest::new(&cells, TimeRange { start, end }, resample, format)
    }
}

/// An export as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ExportBody {
    id: String,
    /// `queued`, `running`, `succeeded` or `failed`.
    state: &'static str,
    /// 0..1.
    progress: f32,
    /// Data rows written (once succeeded).
    rows: Option<u64>,
    /// File size in bytes (once succeeded).
    bytes: Option<u64>,
    /// The last failure (also while a retry is queued).
    error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
    /// Where to download the file, once succeeded.
    download: Option<String>,
}

fn location(id: JobId) -> String {
    format!("/api/exports/{id}")
}

impl From<&Export> for ExportBody {
    fn from(e: &Export) -> Self {
        let succeeded = e.state == JobState::Succeeded;
        Self {
            id: e.id.to_string(),
            state: e.state.as_str(),
            progress: e.progress,
            rows: e.result.as_ref().map(|r| r.rows),
            bytes: e.result.as_ref().map(|r| r.bytes),
            error: e.error.clone(),
            created_at: e.created_at,
            finished_at: e.finished_at,
            download: succeeded.then(|| format!("{}/download", location(e.id))),
        }
    }
}

/// Queues a CSV export of every series of the cells. Needs `Read` on every cell.
#[utoipa::path(
    tag = "exports",
    request_body = CreateExportBody,
    responses(
        (status = 202, description = "Queued; `Location` is the export", body = ExportBody),
        (status = 400, description = "Bad fields, named in `errors`"),
        (status = 401, description = "Reads are not public and no credentials were sent"),
        (status = 403, description = "The caller may not read one of the cells"),
        (status = 404, description = "An unknown cell"),
    ),
    security((), ("bearer" = []), ("api_key" = []))
)]
#[post("/exports")]
pub(crate) async fn create_export(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    body: web::Json<CreateExportBody>,
) -> Result<HttpResponse, ApiError> {
    let request = body.validate()?;
    let export = state
        .exports
        .create(caller.0.as_ref(), &request, false)
        .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, location(export.id)))
        .json(ExportBody::from(&export)))
}

/// The state and progress of an export.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "Export id")),
    responses(
        (status = 200, body = ExportBody),
        (status = 404, description = "Unknown, or not the caller's"),
    ),
    security((), ("bearer" = []), ("api_key" = []))
)]
#[get("/exports/{id}")]
pub(crate) async fn get_export(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let export = state
        .exports
        .get(caller.0.as_ref(), export_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(ExportBody::from(&export)))
}

/// The CSV file of a finished export, streamed: one line per value, with the columns
/// `cell_id,cell_name,source,sensor,measurement,unit,timestamp,value`.
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "Export id")),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv"),
        (status = 404, description = "Unknown, not the caller's, or the file expired"),
        (status = 409, description = "Not finished yet, or failed"),
    ),
    security((), ("bearer" = []), ("api_key" = []))
)]
#[get("/exports/{id}/download")]
pub(crate) async fn download_export(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (export, reader) = state
        .exports
        .download(caller.0.as_ref(), export_id(&path)?)
        .await?;
    let disposition = ContentDisposition {
        disposition: DispositionType::Attachment,
        parameters: vec![DispositionParam::Filename(format!(
            "ents-export-{}.csv",
            export.id
        ))],
    };
    let len = reader.len();
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(disposition)
        .no_chunking(len)
        .streaming(file_stream(reader)))
}

// ---------------------------------------------------------------------------------------
// The seed-era pair (docs/compatibility.md#exports).

/// `GET /api/cell/datas` (the seed's `GetCellDataSchema`).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct LegacyExportParams {
    /// Comma-separated cell ids (required).
    #[serde(rename = "cellIds")]
    #[param(rename = "cellIds")]
    cell_ids: Option<String>,
    /// `none`, `minute`, `hour` (default), `day`, `week` or `month`.
    resample: Option<String>,
    /// Start of the range (required): RFC 1123 or ISO 8601.
    #[serde(rename = "startTime")]
    #[param(rename = "startTime")]
    start_time: Option<String>,
    /// End of the range (required); same formats.
    #[serde(rename = "endTime")]
    #[param(rename = "endTime")]
    end_time: Option<String>,
}

impl LegacyExportParams {
    /// Upstream validated inside the task (a bad request "succeeded" and then failed); here every
    /// problem is a 400 naming its field.
    fn validate(&self) -> Result<ExportRequest, DomainError> {
        let mut errors = FieldErrors::new();
        let mut cells = Vec::new();
        match self.cell_ids.as_deref().map(str::trim) {
            None | Some("") => push(&mut errors, "cellIds", "is required"),
            Some(text) => {
                for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    match part.parse::<u32>().ok().and_then(|n| i32::try_from(n).ok()) {
                        Some(id) => cells.push(id),
                        None => {
                            push(&mut errors, "cellIds", "must be comma-separated cell ids");
                            break;
                        }
                    }
                }
            }
        }
        let mut time = |field: &str, value: &Option<String>| match value.as_deref() {
            None | Some("") => {
                push(&mut errors, field, "is required");
                None
            }
            Some(text) => parse_time(text).or_else(|| {
                push(&mut errors, field, TIME);
                None
            }),
        };
        let start = time("startTime", &self.start_time);
        let end = time("endTime", &self.end_time);
        let resample = Resample::parse(self.resample.as_deref().unwrap_or("hour"));
        if resample.is_none() {
            push(
                &mut errors,
                "resample",
                format!("must be one of: {}", Resample::ACCEPTED),
            );
        }
        match (start, end, resample) {
            (Some(start), Some(end), Some(resample)) if errors.is_empty() => ExportRequest::new(
                &cells,
                TimeRange { start, end },
                resample,
                // The seed's own layout (upstream-contract.md §8), every cell listed.
                ExportFormat::SeedCsv,
            )
            .map_err(|e| match e {
                // The domain names `cell_ids`/`end`; this API's names are these.
                DomainError::Invalid(fields) => DomainError::Invalid(
                    fields
                        .into_iter()
                        .map(|(k, v)| {
                            let k = if k == "cell_ids" {
                                "cellIds"
                            } else {
                                "endTime"
                            };
                            (k.to_owned(), v)
                        })
                        .collect(),
                ),
                other => other,
            }),
            _ => Err(DomainError::Invalid(errors)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LegacyResultBody {
    /// Poll `GET /api/status/<result_id>`.
    result_id: String,
}

/// The original two-step export: queues a CSV export of the cells in the seed's wide layout
/// (`timestamp,vwc,temp,ec,raw_vwc,v,i,p,data,measurement,unit,type`, `void` for gaps) and
/// answers its id, to poll with `GET /api/status/<id>`.
// The seed-era Celery export (docs/compatibility.md#exports).
#[utoipa::path(
    tag = "exports",
    params(LegacyExportParams),
    responses(
        (status = 200, body = LegacyResultBody),
        (status = 400, description = "Bad parameters, named in `errors`"),
        (status = 404, description = "An unknown cell"),
    )
)]
#[get("/cell/datas")]
pub(crate) async fn legacy_create(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<LegacyExportParams>,
) -> Result<HttpResponse, ApiError> {
    let request = params.validate()?;
    let export = state
        .exports
        .create(caller.0.as_ref(), &request, true)
        .await?;
    jsonify(&LegacyResultBody {
        result_id: export.id.to_string(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct LegacyStatusBody {
    /// `PENDING` (also for an unknown id), `SUCCESS` or `FAILURE`.
    state: &'static str,
    /// `Pending...`, the whole CSV text, or the failure.
    status: String,
}

/// JSON string escaping of raw bytes: chunk boundaries may split a UTF-8 character, and
/// only ASCII needs escaping, so bytes ≥ 0x80 pass through unchanged.
fn json_escape(chunk: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(chunk.len() + chunk.len() / 8);
    for &b in chunk {
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out
}

/// `{"state":"SUCCESS","status":"<csv>"}` streamed: the CSV is never held in memory whole.
fn success_body(reader: Box<dyn ExportReader>) -> HttpResponse {
    use futures_util::StreamExt as _;
    let head = futures_util::stream::once(async {
        Ok::<_, DomainError>(Bytes::from_static(b"{\"state\":\"SUCCESS\",\"status\":\""))
    });
    let tail = futures_util::stream::once(async { Ok(Bytes::from_static(b"\"}\n")) });
    let csv = file_stream(reader).map(|chunk| chunk.map(|c| Bytes::from(json_escape(&c))));
    HttpResponse::Ok()
        .content_type("application/json")
        .streaming(head.chain(csv).chain(tail))
}

fn legacy_body(status: StatusCode, state: &'static str, text: String) -> HttpResponse {
    let mut body = serde_json::to_vec(&LegacyStatusBody {
        state,
        status: text,
    })
    .unwrap_or_default();
    body.push(b'\n');
    HttpResponse::build(status)
        .content_type("application/json")
        .body(body)
}

fn pending() -> HttpResponse {
    legacy_body(StatusCode::OK, "PENDING", "Pending...".into())
}

/// Polls an export of `GET /api/cell/datas`: `PENDING` while queued or running and for
/// unknown ids, `SUCCESS` with the whole CSV, `FAILURE` as a 500.
// A 500 is what upstream meant to send, and it stops the old client's polling
// (docs/compatibility.md#exports).
#[utoipa::path(
    tag = "exports",
    params(("id" = String, Path, description = "The `result_id`")),
    responses(
        (status = 200, body = LegacyStatusBody),
        (status = 500, description = "`FAILURE` with the reason", body = LegacyStatusBody),
    )
)]
#[get("/status/{id}")]
pub(crate) async fn legacy_status(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let Ok(id) = path.parse::<JobId>() else {
        return Ok(pending());
    };
    let exports = &state.exports;
    let export = match exports.get(caller.0.as_ref(), id).await {
        Ok(export) => export,
        Err(DomainError::NotFound(_)) => return Ok(pending()),
        Err(other) => return Err(other.into()),
    };
    let failure = |text: String| legacy_body(StatusCode::INTERNAL_SERVER_ERROR, "FAILURE", text);
    match export.state {
        JobState::Queued | JobState::Running => Ok(pending()),
        JobState::Failed => Ok(failure(
            export.error.unwrap_or_else(|| "export failed".into()),
        )),
        JobState::Succeeded => match exports.download(caller.0.as_ref(), id).await {
            Ok((_, reader)) => Ok(success_body(reader)),
            Err(DomainError::NotFound(message)) => Ok(failure(message)),
            Err(other) => Err(other.into()),
        },
    }
}
