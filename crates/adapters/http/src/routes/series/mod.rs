//! `GET /api/power/<id>`, `/api/teros/<id>` (and their `/` forms: cell 0, i.e. empty),
//! `GET /api/sensor/` and its twin `GET /api/sensor_json/` (docs/compatibility.md#reading-data).
//! Public reads unless `access.public_read` is off; then the caller must own or be a member of
//! the cell (docs/compatibility.md#authorization).

mod body;
mod dates;
mod params;
mod shape;
#[cfg(test)]
mod tests;

use std::convert::Infallible;

use actix_web::body::SizedStream;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, get, web};
use ents_domain::{DomainError, FieldErrors};
use serde::Deserialize;
use utoipa::IntoParams;

pub(crate) use params::SeriesParams;
use shape::{PowerSeries, SensorSeriesBody, TerosSeries};

/// Bytes per chunk handed to actix: its HTTP/1 write buffer (32 KiB by default) takes one
/// chunk at a time and is flushed in between. Handed a raw day's 1.5 MB whole, it grows to
/// the size of the body, copies it, and drops that allocation after each response.
const BODY_CHUNK: usize = 32 * 1024;

/// A body from [`body`] (complete JSON with its newline), as Flask `jsonify` frames it: with
/// its `Content-Length`, sent in [`BODY_CHUNK`]s sliced out of the one buffer (no copy).
fn json_body(bytes: Vec<u8>) -> HttpResponse {
    let mut rest = Bytes::from(bytes);
    let len = rest.len() as u64;
    let chunks = std::iter::from_fn(move || {
        (!rest.is_empty()).then(|| Ok::<_, Infallible>(rest.split_to(BODY_CHUNK.min(rest.len()))))
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .body(SizedStream::new(len, futures_util::stream::iter(chunks)))
}

use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::routes::jsonify::jsonify;
use crate::state::AppState;

/// `<int:cell_id>`: digits only (else 404); ids beyond `i32` exist nowhere, so they read as
/// an empty cell.
pub(crate) fn cell_path(raw: &str) -> Result<i32, ApiError> {
    Ok(super::path_int::path_int(raw)?.unwrap_or(-1))
}

/// The policy's word on reading `cell_id`'s data (`access.public_read`, the caller's scope).
pub(crate) async fn read_allowed(
    state: &AppState,
    caller: &MaybeCaller,
    cell_id: i32,
) -> Result<(), ApiError> {
    state
        .registry
        .cells
        .authorize_data_read(caller.0.as_ref(), &[cell_id])
        .await
        .map_err(ApiError::from)
}

async fn power(
    state: &AppState,
    caller: &MaybeCaller,
    cell_id: i32,
    params: &SeriesParams,
) -> Result<HttpResponse, ApiError> {
    let (query, stats) = params.validate(FieldErrors::new())?;
    read_allowed(state, caller, cell_id).await?;
    let points = state.series.power(cell_id, &query).await?;
    Ok(json_body(body::power(&points, stats)))
}

async fn teros(
    state: &AppState,
    caller: &MaybeCaller,
    cell_id: i32,
    params: &SeriesParams,
) -> Result<HttpResponse, ApiError> {
    let (query, stats) = params.validate(FieldErrors::new())?;
    read_allowed(state, caller, cell_id).await?;
    let points = state.series.teros(cell_id, &query).await?;
    Ok(json_body(body::teros(&points, stats)))
}

/// The power series of a cell.
#[utoipa::path(
    tag = "data",
    params(("cell_id" = u32, Path, description = "Cell id"), SeriesParams),
    responses(
        (status = 200, description = "Column arrays in time order: v (mV), i (µA), p (µW)", body = PowerSeries),
        (status = 400, description = "A bad parameter, named in `errors`"),
    )
)]
#[get("/power/{cell_id}")]
pub(crate) async fn power_by_cell(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    power(&state, &caller, cell_path(&path)?, &params).await
}

/// The power series of the cell named by `cellId` (the form upstream's README documents);
/// without it, of cell 0, which never exists: empty arrays.
#[utoipa::path(
    tag = "data",
    params(CellQuery, SeriesParams),
    responses(
        (status = 200, body = PowerSeries),
        (status = 400, description = "A bad parameter, named in `errors`"),
    )
)]
#[get("/power/")]
pub(crate) async fn power_root(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    cell: web::Query<CellQuery>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    power(&state, &caller, cell.cell_id()?, &params).await
}

/// The TEROS-12 series of a cell.
#[utoipa::path(
    tag = "data",
    params(("cell_id" = u32, Path, description = "Cell id"), SeriesParams),
    responses(
        (status = 200, description = "Column arrays in time order; vwc in %", body = TerosSeries),
        (status = 400, description = "A bad parameter, named in `errors`"),
    )
)]
#[get("/teros/{cell_id}")]
pub(crate) async fn teros_by_cell(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    teros(&state, &caller, cell_path(&path)?, &params).await
}

/// The TEROS series of the cell named by `cellId` (the form upstream's README documents);
/// without it, of cell 0, which never exists: empty arrays.
#[utoipa::path(
    tag = "data",
    params(CellQuery, SeriesParams),
    responses(
        (status = 200, body = TerosSeries),
        (status = 400, description = "A bad parameter, named in `errors`"),
    )
)]
#[get("/teros/")]
pub(crate) async fn teros_root(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    cell: web::Query<CellQuery>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    teros(&state, &caller, cell.cell_id()?, &params).await
}

/// `?cellId=` of `/api/power/` and `/api/teros/`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CellQuery {
    /// Cell id (optional: without it the answer is empty).
    #[serde(rename = "cellId")]
    #[param(rename = "cellId")]
    cell_id: Option<String>,
}

impl CellQuery {
    /// The cell to read: 0 (none) when absent. Errors: `Invalid` naming `cellId` when it is
    /// not an integer.
    fn cell_id(&self) -> Result<i32, ApiError> {
        match self.cell_id.as_deref().map(str::trim) {
            None | Some("") => Ok(0),
            Some(raw) => raw.parse::<i32>().map_err(|_| {
                let mut errors = FieldErrors::new();
                errors.insert("cellId".to_owned(), vec!["must be an integer".to_owned()]);
                ApiError::Domain(DomainError::Invalid(errors))
            }),
        }
    }
}

/// Which generic sensor to read.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct SensorParams {
    /// Cell id (required).
    #[serde(rename = "cellId")]
    #[param(rename = "cellId")]
    cell_id: Option<String>,
    /// Sensor name, exact (`POWER_VOLTAGE`, `bme280`…) (required).
    name: Option<String>,
    /// Measurement, exact (`Voltage`, `pressure`…) (required).
    measurement: Option<String>,
    #[serde(flatten)]
    #[param(ignore)]
    series: SeriesParams,
}

async fn sensor(
    state: &AppState,
    caller: &MaybeCaller,
    params: &SensorParams,
) -> Result<HttpResponse, ApiError> {
    let mut errors = FieldErrors::new();
    let mut required = |field: &str, value: &Option<String>| -> String {
        match value.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => value.clone().unwrap_or_default(),
            _ => {
                errors
                    .entry(field.to_owned())
                    .or_default()
                    .push("is required".to_owned());
                String::new()
            }
        }
    };
    let cell_text = required("cellId", &params.cell_id);
    let name = required("name", &params.name);
    let measurement = required("measurement", &params.measurement);
    let cell_id = cell_text.trim().parse::<i32>().ok();
    if cell_id.is_none() && !cell_text.is_empty() {
        errors
            .entry("cellId".to_owned())
            .or_default()
            .push("must be an integer".to_owned());
    }
    let (query, stats) = params.series.validate(errors)?;
    read_allowed(state, caller, cell_id.unwrap_or(0)).await?;
    let repo = &state.series;
    let Some(info) = repo
        .find_sensor(cell_id.unwrap_or(0), &name, &measurement)
        .await?
    else {
        return jsonify(&SensorSeriesBody::unknown());
    };
    let series = repo.sensor(&info, &query).await?;
    Ok(json_body(body::sensor(&info, &series, query.mode, stats)))
}

/// One generic sensor's series.
#[utoipa::path(
    tag = "data",
    params(SensorParams, SeriesParams),
    responses(
        (status = 200, description = "`data` and `timestamp` in time order; means are numbers", body = SensorSeriesBody),
        (status = 400, description = "A missing or bad parameter, named in `errors`"),
    )
)]
#[get("/sensor/")]
pub(crate) async fn sensor_get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<SensorParams>,
) -> Result<HttpResponse, ApiError> {
    sensor(&state, &caller, &params).await
}

/// Identical to `GET /api/sensor/`.
#[utoipa::path(tag = "data", params(SensorParams, SeriesParams), responses((status = 200, body = SensorSeriesBody)))]
#[get("/sensor_json/")]
pub(crate) async fn sensor_json_get(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<SensorParams>,
) -> Result<HttpResponse, ApiError> {
    sensor(&state, &caller, &params).await
}
