//! The legacy JSON uploads `POST /api/power/` and `POST /api/teros/`
//! (docs/wire-format.md#json-uploads): the cell (and logger) are named, and created on first use.

use actix_web::{HttpRequest, HttpResponse, post, web};

use ents_domain::DomainError;
use ents_domain::ingest::{NamedPowerReading, NamedTerosReading};
use ents_domain::measurements::{DeviceTime, storable_float};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::body::{self, Media};
use super::device;
use crate::error::ApiError;
use crate::routes::isoformat::isoformat;
use crate::routes::jsonify::jsonify;
use crate::state::AppState;

/// `POST /api/power/`. Unknown keys are refused.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PowerBody {
    /// Accepted and ignored.
    #[serde(rename = "type")]
    #[allow(dead_code)]
    kind: Option<String>,
    /// Logger name; created when unknown.
    logger: String,
    /// Cell name; created when unknown.
    cell: String,
    /// Device time, unix seconds (fractions kept to the microsecond).
    #[schema(value_type = f64)]
    ts: serde_json::Number,
    /// Volts.
    v: f64,
    /// Amperes.
    i: f64,
}

/// `POST /api/teros/`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct TerosBody {
    #[serde(rename = "type")]
    #[allow(dead_code)]
    kind: Option<String>,
    cell: String,
    #[schema(value_type = f64)]
    ts: serde_json::Number,
    vwc: f64,
    raw_vwc: f64,
    temp: f64,
    /// Rounded to an integer (half to even, as PostgreSQL rounds).
    ec: f64,
    #[serde(default)]
    water_pot: Option<f64>,
}

/// The stored power row; keys in alphabetical order.
#[derive(Serialize, ToSchema)]
pub(crate) struct PowerRow {
    current: Option<f64>,
    id: i32,
    /// Naive UTC ISO 8601 (`2024-01-13T20:02:42`, microseconds when not 0).
    ts: String,
    ts_server: Option<String>,
    voltage: Option<f64>,
}

/// The stored TEROS row; keys in alphabetical order.
#[derive(Serialize, ToSchema)]
pub(crate) struct TerosRow {
    ec: Option<i32>,
    id: i32,
    raw_vwc: Option<f64>,
    temp: Option<f64>,
    ts: String,
    ts_server: Option<String>,
    vwc: Option<f64>,
    water_pot: Option<f64>,
}

/// Stores one power reading by cell and logger name (both created when unknown) and answers
/// the stored row. Retrying the same reading answers the row stored the first time.
#[utoipa::path(
    tag = "ingest",
    params(("X-API-Key" = Option<String>, Header, description = "Optional device API key")),
    request_body = PowerBody,
    responses(
        (status = 200, body = PowerRow),
        (status = 400, description = "Invalid body"),
        (status = 401, description = "Invalid or required API key"),
        (status = 403, description = "The key's owner may not write to the cell"),
        (status = 413, description = "Body too large"),
        (status = 415, description = "Content-Type is not application/json"),
        (status = 503, description = "Database unavailable; retry later"),
    )
)]
#[post("/power/")]
pub(crate) async fn power_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let endpoints = &state.ingest;
    let body: PowerBody = parse(&req, payload, endpoints.settings.body_limit_bytes).await?;
    let reading = NamedPowerReading {
        logger_name: body.logger,
        cell_name: body.cell,
        ts: device_time(&body.ts)?,
        voltage: finite("v", body.v)?,
        current: finite("i", body.i)?,
    };
    let stored = endpoints
        .service
        .store_power_reading(&reading, &device::credentials(&req))
        .await?;
    jsonify(&PowerRow {
        current: stored.current,
        id: stored.id,
        ts: isoformat(stored.ts.naive_utc()),
        ts_server: stored.ts_server.map(|at| isoformat(at.naive_utc())),
        voltage: stored.voltage,
    })
}

/// Stores one TEROS reading by cell name (created when unknown) and answers the stored row.
#[utoipa::path(
    tag = "ingest",
    params(("X-API-Key" = Option<String>, Header, description = "Optional device API key")),
    request_body = TerosBody,
    responses(
        (status = 200, body = TerosRow),
        (status = 400, description = "Invalid body"),
        (status = 401, description = "Invalid or required API key"),
        (status = 403, description = "The key's owner may not write to the cell"),
        (status = 413, description = "Body too large"),
        (status = 415, description = "Content-Type is not application/json"),
        (status = 503, description = "Database unavailable; retry later"),
    )
)]
#[post("/teros/")]
pub(crate) async fn teros_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let endpoints = &state.ingest;
    let body: TerosBody = parse(&req, payload, endpoints.settings.body_limit_bytes).await?;
    let ec = finite("ec", body.ec)?.round_ties_even();
    if !(f64::from(i32::MIN)..=f64::from(i32::MAX)).contains(&ec) {
        return Err(DomainError::invalid_field("ec", "out of range").into());
    }
    let reading = NamedTerosReading {
        cell_name: body.cell,
        ts: device_time(&body.ts)?,
        vwc: finite("vwc", body.vwc)?,
        raw_vwc: finite("raw_vwc", body.raw_vwc)?,
        temp: finite("temp", body.temp)?,
        ec: ec as i32,
        water_pot: body.water_pot.map(|w| finite("water_pot", w)).transpose()?,
    };
    let stored = endpoints
        .service
        .store_teros_reading(&reading, &device::credentials(&req))
        .await?;
    jsonify(&TerosRow {
        ec: stored.ec,
        id: stored.id,
        raw_vwc: stored.raw_vwc,
        temp: stored.temp,
        ts: isoformat(stored.ts.naive_utc()),
        ts_server: stored.ts_server.map(|at| isoformat(at.naive_utc())),
        vwc: stored.vwc,
        water_pot: stored.water_pot,
    })
}

async fn parse<T: serde::de::DeserializeOwned>(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<T, ApiError> {
    body::media(req, &[Media::Json])?;
    let bytes = body::read(req, payload, limit).await?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("Invalid JSON body: {e}")))
}

fn device_time(ts: &serde_json::Number) -> Result<DeviceTime, ApiError> {
    let time = match ts.as_i64() {
        Some(secs) => DeviceTime::from_unix_seconds(secs),
        None => DeviceTime::from_unix_fractional(ts.as_f64().unwrap_or(f64::NAN)),
    };
    time.map_err(|e| DomainError::invalid_field("ts", e.to_string()).into())
}

/// A reading as it may be stored (finite, within the domain's magnitude bounds).
fn finite(field: &str, value: f64) -> Result<f64, ApiError> {
    storable_float(field, value)
        .map_err(|refused| DomainError::invalid_field(field, refused.to_string()).into())
}
