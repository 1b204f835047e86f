//! Loggers (docs/compatibility.md#loggers): `GET/POST /api/logger/`,
//! `GET/PUT/DELETE /api/logger/<id>`. Every route needs a caller; what the caller may do is
//! decided by the domain's policy (only the owner changes or deletes). `userEmail` in a body is
//! accepted and ignored: the owner is the caller.

use actix_web::{HttpResponse, delete, get, post, put, web};
use ents_domain::loggers::{
    CreateLogger, LOGGER_NOT_FOUND, Logger, LoggerChanges, LoggerId, Registration, TtnState,
    device_id,
};
use ents_domain::{DomainError, FieldErrors};
use garde::Validate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::routes::isoformat::isoformat;
use crate::state::AppState;

const SKIPPED_CREDENTIALS: &str =
    "Successfully added logger (TTN registration skipped: missing or invalid LoRaWAN credentials)";
const SKIPPED_NOT_CONFIGURED: &str = "Successfully added logger (TTN registration skipped: \
     The Things Network is not configured on this server)";
const PENDING: &str = "Successfully added logger, TTN registration pending";

/// `<int:logger_id>`: digits only (else the route does not exist); beyond `i32` nothing
/// exists.
fn logger_id(raw: &str) -> Result<LoggerId, ApiError> {
    super::path_int::path_int(raw)?
        .map(LoggerId)
        .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.to_owned()).into())
}

fn invalid(report: &garde::Report) -> ApiError {
    let mut fields = FieldErrors::new();
    for (path, error) in report.iter() {
        fields
            .entry(path.to_string())
            .or_default()
            .push(error.message().to_owned());
    }
    DomainError::Invalid(fields).into()
}

/// A logger: `id, name, type, device_eui, description, date_created`, in this order.
#[derive(Serialize, ToSchema)]
pub(crate) struct LoggerBody {
    id: i32,
    name: String,
    #[serde(rename = "type")]
    kind: String,
    /// Trimmed and upper-cased; `""` when absent. Not unique.
    device_eui: String,
    description: String,
    /// Naive ISO 8601, UTC.
    date_created: String,
}

impl From<&Logger> for LoggerBody {
    fn from(logger: &Logger) -> Self {
        Self {
            id: logger.id.0,
            name: logger.name.clone(),
            kind: logger.kind.clone(),
            device_eui: logger.device_eui.clone(),
            description: logger.description.clone(),
            date_created: isoformat(logger.date_created),
        }
    }
}

/// Where the logger's TTN registration stands (never its keys).
#[derive(Serialize, ToSchema)]
pub(crate) struct TtnRegistrationBody {
    /// `pending`, `registered` or `failed`.
    state: &'static str,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// One logger: the keys of a logger, then `ttn_registration` when registration was asked for,
/// then (`GET` of an `ents` logger, TTN configured and answering) `ttn_status`.
#[derive(Serialize, ToSchema)]
pub(crate) struct LoggerDetail {
    #[serde(flatten)]
    logger: LoggerBody,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttn_registration: Option<TtnRegistrationBody>,
    /// The device as TTN's Identity Server has it now (ids, name, timestamps; never keys).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    ttn_status: Option<serde_json::Value>,
}

impl From<&Logger> for LoggerDetail {
    fn from(logger: &Logger) -> Self {
        Self {
            logger: logger.into(),
            ttn_registration: logger.ttn_state.map(|state: TtnState| TtnRegistrationBody {
                state: state.as_str(),
                error: logger.ttn_error.clone(),
            }),
            ttn_status: None,
        }
    }
}

#[derive(Deserialize, IntoParams)]
pub(crate) struct ListQuery {
    /// Any non-empty value: only the caller's loggers (the frontend sends `True`).
    user: Option<String>,
}

/// Loggers: the caller's with `?user=`, otherwise all of them when reads are public.
#[utoipa::path(
    tag = "loggers",
    params(ListQuery),
    responses((status = 200, body = [LoggerBody]), (status = 401, description = "No credentials")),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/logger/")]
pub(crate) async fn list_loggers(
    state: web::Data<AppState>,
    caller: Authenticated,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, ApiError> {
    let only_mine = query.user.as_deref().is_some_and(|u| !u.is_empty());
    let loggers = state.loggers.list(Some(&caller.0), only_mine).await?;
    let body: Vec<LoggerBody> = loggers.iter().map(LoggerBody::from).collect();
    Ok(HttpResponse::Ok().json(body))
}

/// One logger, with its TTN registration state and, for an `ents` logger, the device as TTN
/// has it (`ttn_status`, when TTN answers).
#[utoipa::path(
    tag = "loggers",
    params(("logger_id" = u32, Path, description = "Logger id")),
    responses(
        (status = 200, body = LoggerDetail),
        (status = 404, description = "`{\"message\": \"Logger not found\"}`")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/logger/{logger_id}")]
pub(crate) async fn get_logger(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let (logger, ttn_status) = state
        .loggers
        .get_with_ttn_status(Some(&caller.0), logger_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(LoggerDetail {
        ttn_status,
        ..LoggerDetail::from(&logger)
    }))
}

/// What `POST /api/logger/` reads.
#[derive(Deserialize, Validate, ToSchema)]
pub(crate) struct NewLoggerBody {
    /// Required, 1 to 255 characters, unique.
    #[garde(length(chars, min = 1, max = 255))]
    name: Option<String>,
    /// Free text; `ents` (any case) is a LoRaWAN node registered with TTN.
    #[serde(rename = "type")]
    #[garde(length(chars, max = 255))]
    kind: Option<String>,
    #[garde(length(chars, max = 1000))]
    description: Option<String>,
    /// Stored trimmed and upper-cased.
    #[garde(length(chars, max = 255))]
    device_eui: Option<String>,
    /// LoRaWAN credentials (`ents` only): non-hex characters are stripped, then 16, 16 and
    /// 32 hex digits are required for registration.
    #[garde(skip)]
    dev_eui: Option<String>,
    #[garde(skip)]
    join_eui: Option<String>,
    #[garde(skip)]
    app_key: Option<String>,
    /// Accepted for compatibility and ignored: the owner is the caller.
    #[serde(rename = "userEmail")]
    #[garde(skip)]
    #[allow(dead_code)]
    user_email: Option<serde_json::Value>,
}

/// `201` body of a create: `message` and `logger_id`, then the TTN keys when they apply.
#[derive(Serialize, ToSchema)]
pub(crate) struct CreatedBody {
    message: &'static str,
    logger_id: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    ttn_device_id: Option<String>,
    /// `false` until the registration job has run (see `GET /api/logger/<id>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    ttn_registered: Option<bool>,
    /// `pending` when a registration job was queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    ttn_registration: Option<&'static str>,
}

/// Creates a logger owned by the caller; an `ents` logger with valid credentials is
/// registered with TTN by a job.
#[utoipa::path(
    tag = "loggers",
    request_body = NewLoggerBody,
    responses(
        (status = 201, body = CreatedBody),
        (status = 400, description = "Missing name, duplicate name, or invalid fields (named in `errors`)"),
        (status = 403, description = "An ingest-only API key")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/logger/")]
pub(crate) async fn create_logger(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: web::Json<NewLoggerBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let Some(name) = body.name.clone() else {
        return Err(ApiError::bad_request("Missing required field: name"));
    };
    body.validate().map_err(|r| invalid(&r))?;
    let created = state
        .loggers
        .create(
            Some(&caller.0),
            CreateLogger {
                name,
                kind: body.kind.unwrap_or_default(),
                device_eui: body.device_eui,
                description: body.description.unwrap_or_default(),
                dev_eui: body.dev_eui,
                join_eui: body.join_eui,
                app_key: body.app_key,
            },
        )
        .await?;
    let id = created.logger.id;
    let reply = |message, pending: bool| CreatedBody {
        message,
        logger_id: id.0,
        ttn_device_id: pending.then(|| device_id(id)),
        ttn_registered: Some(false),
        ttn_registration: pending.then_some("pending"),
    };
    let body = match created.registration {
        Registration::NotApplicable => CreatedBody {
            ttn_registered: None,
            ..reply("Successfully added logger", false)
        },
        Registration::SkippedInvalidCredentials => reply(SKIPPED_CREDENTIALS, false),
        Registration::SkippedNotConfigured => reply(SKIPPED_NOT_CONFIGURED, false),
        Registration::Pending => reply(PENDING, true),
    };
    Ok(HttpResponse::Created().json(body))
}

/// What `PUT /api/logger/<id>` reads: only `name` and `description` are applied.
#[derive(Deserialize, Validate, ToSchema)]
pub(crate) struct UpdateLoggerBody {
    #[garde(length(chars, min = 1, max = 255))]
    name: Option<String>,
    #[garde(length(chars, max = 1000))]
    description: Option<String>,
}

/// Renames or re-describes a logger (owner only); a registered device is renamed on TTN by
/// a job.
#[utoipa::path(
    tag = "loggers",
    params(("logger_id" = u32, Path, description = "Logger id")),
    request_body = UpdateLoggerBody,
    responses(
        (status = 200, description = "`{\"message\": \"Successfully updated logger\"}`"),
        (status = 400, description = "No valid fields, duplicate name, or invalid fields"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`{\"message\": \"Logger not found\"}`")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[put("/logger/{logger_id}")]
pub(crate) async fn update_logger(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<UpdateLoggerBody>,
) -> Result<HttpResponse, ApiError> {
    let id = logger_id(&path)?;
    let service = &state.loggers;
    // Upstream answers 404 before looking at the body.
    service.get(Some(&caller.0), id).await?;
    let body = body.into_inner();
    let changes = LoggerChanges {
        name: body.name.clone(),
        description: body.description.clone(),
    };
    if changes.is_empty() {
        return Err(ApiError::bad_request("No valid fields to update"));
    }
    body.validate().map_err(|r| invalid(&r))?;
    service.update(Some(&caller.0), id, changes).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": "Successfully updated logger" })))
}

/// Deletes a logger (owner only). Its measurements stay with their cell; its TTN device is
/// removed by a job.
#[utoipa::path(
    tag = "loggers",
    params(("logger_id" = u32, Path, description = "Logger id")),
    responses(
        (status = 200, description = "`{\"message\": \"Logger deleted successfully\"}`"),
        (status = 403, description = "Not the owner"),
        (status = 404, description = "`{\"message\": \"Logger not found\"}`")
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/logger/{logger_id}")]
pub(crate) async fn delete_logger(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .loggers
        .delete(Some(&caller.0), logger_id(&path)?)
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "message": "Logger deleted successfully" })))
}
