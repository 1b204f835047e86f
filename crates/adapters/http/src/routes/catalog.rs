//! `GET /api/catalog/sensors?cell_id=` and `GET /api/cell/<id>/sensors`
//! (docs/compatibility.md#reading-data).

use actix_web::{HttpResponse, get, web};
use ents_domain::series::{CatalogEntry, SensorInfo, catalog_entries};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::routes::series::{cell_path, read_allowed};
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CatalogParams {
    /// The cell (required, an integer).
    cell_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CatalogBody {
    cell_id: i64,
    /// Builtin power and TEROS panels when the cell has such rows, then one `s:<id>` entry
    /// per sensor with data (by name, measurement, id). Sensor entries add `sensor_id`,
    /// `sensor_name`, `measurement`, `unit`.
    #[schema(value_type = Vec<Object>)]
    entries: Vec<CatalogEntry>,
}

/// The chart panels available for a cell.
#[utoipa::path(
    tag = "data",
    params(CatalogParams),
    responses(
        (status = 200, body = CatalogBody),
        (status = 400, description = "`{\"error\": \"cell_id parameter is required\"}`"),
    )
)]
#[get("/catalog/sensors")]
pub(crate) async fn sensor_catalog(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<CatalogParams>,
) -> Result<HttpResponse, ApiError> {
    const REQUIRED: &str = "cell_id parameter is required";
    let cell_id: i64 = params
        .cell_id
        .as_deref()
        .and_then(|c| c.trim().parse().ok())
        .ok_or_else(|| ApiError::error_key(REQUIRED))?;
    // Ids beyond i32 exist nowhere: an empty catalog.
    read_allowed(&state, &caller, i32::try_from(cell_id).unwrap_or(0)).await?;
    let entries = match i32::try_from(cell_id) {
        Ok(id) => catalog_entries(&state.series.catalog_facts(id).await?),
        Err(_) => Vec::new(),
    };
    Ok(HttpResponse::Ok().json(CatalogBody { cell_id, entries }))
}

/// A `sensor` row: `id, cell_id, measurement, data_type, unit, name`, in this order.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct SensorRowBody {
    id: i32,
    cell_id: i32,
    measurement: String,
    /// `float`, `int` or `text`.
    data_type: String,
    unit: Option<String>,
    name: String,
}

impl From<SensorInfo> for SensorRowBody {
    fn from(s: SensorInfo) -> Self {
        Self {
            id: s.id,
            cell_id: s.cell_id,
            measurement: s.measurement,
            data_type: s.data_type,
            unit: s.unit,
            name: s.name,
        }
    }
}

/// The sensors of a cell, by id.
#[utoipa::path(
    tag = "data",
    params(("cell_id" = u32, Path, description = "Cell id")),
    responses(
        (status = 200, body = Vec<SensorRowBody>),
        (status = 404, description = "`{\"message\": \"Cell not found\"}`"),
    )
)]
#[get("/cell/{cell_id}/sensors")]
pub(crate) async fn cell_sensors(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let cell_id = cell_path(&path)?;
    read_allowed(&state, &caller, cell_id).await?;
    let sensors = state.series.cell_sensors(cell_id).await?;
    let body: Vec<SensorRowBody> = sensors.into_iter().map(SensorRowBody::from).collect();
    Ok(HttpResponse::Ok().json(body))
}
