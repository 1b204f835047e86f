//! `GET /api/power/<id>`, `/api/teros/<id>` (and their `/` forms: cell 0, i.e. empty),
//! `GET /api/sensor/` and its twin `GET /api/sensor_json/` (docs/compatibility.md#reading-data).
//! Public reads (`access.public_read`).

mod params;
mod shape;

use actix_web::{HttpResponse, get, web};
use ents_domain::FieldErrors;
use serde::Deserialize;
use utoipa::IntoParams;

pub(crate) use params::SeriesParams;
use shape::{PowerSeries, SensorSeriesBody, TerosSeries};

use crate::error::ApiError;
use crate::routes::jsonify::jsonify;
use crate::state::AppState;

/// `<int:cell_id>`: digits only (else 404); ids beyond `i32` exist nowhere, so they read as
/// an empty cell.
pub(crate) fn cell_path(raw: &str) -> Result<i32, ApiError> {
    Ok(super::path_int::path_int(raw)?.unwrap_or(-1))
}

async fn power(
    state: &AppState,
    cell_id: i32,
    params: &SeriesParams,
) -> Result<HttpResponse, ApiError> {
    let (query, stats) = params.validate(FieldErrors::new())?;
    let points = state.series.power(cell_id, &query).await?;
    jsonify(&PowerSeries::new(&points, stats))
}

async fn teros(
    state: &AppState,
    cell_id: i32,
    params: &SeriesParams,
) -> Result<HttpResponse, ApiError> {
    let (query, stats) = params.validate(FieldErrors::new())?;
    let points = state.series.teros(cell_id, &query).await?;
    jsonify(&TerosSeries::new(&points, stats))
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
    path: web::Path<String>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    power(&state, cell_path(&path)?, &params).await
}

/// The power series of cell 0, which never exists: the parameters are checked, the arrays are
/// empty. Kept for clients of the original backend.
#[utoipa::path(tag = "data", params(SeriesParams), responses((status = 200, body = PowerSeries)))]
#[get("/power/")]
pub(crate) async fn power_root(
    state: web::Data<AppState>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    power(&state, 0, &params).await
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
    path: web::Path<String>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    teros(&state, cell_path(&path)?, &params).await
}

/// The TEROS series of cell 0, which never exists: empty arrays. Kept for clients of the
/// original backend.
#[utoipa::path(tag = "data", params(SeriesParams), responses((status = 200, body = TerosSeries)))]
#[get("/teros/")]
pub(crate) async fn teros_root(
    state: web::Data<AppState>,
    params: web::Query<SeriesParams>,
) -> Result<HttpResponse, ApiError> {
    teros(&state, 0, &params).await
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

async fn sensor(state: &AppState, params: &SensorParams) -> Result<HttpResponse, ApiError> {
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
    let repo = &state.series;
    let Some(info) = repo
        .find_sensor(cell_id.unwrap_or(0), &name, &measurement)
        .await?
    else {
        return jsonify(&SensorSeriesBody::unknown());
    };
    let series = repo.sensor(&info, &query).await?;
    jsonify(&SensorSeriesBody::new(info, &series, query.mode, stats))
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
    params: web::Query<SensorParams>,
) -> Result<HttpResponse, ApiError> {
    sensor(&state, &params).await
}

/// Identical to `GET /api/sensor/`.
#[utoipa::path(tag = "data", params(SensorParams, SeriesParams), responses((status = 200, body = SensorSeriesBody)))]
#[get("/sensor_json/")]
pub(crate) async fn sensor_json_get(
    state: web::Data<AppState>,
    params: web::Query<SensorParams>,
) -> Result<HttpResponse, ApiError> {
    sensor(&state, &params).await
}
