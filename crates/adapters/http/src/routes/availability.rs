//! `GET /api/data-availability/?cell_ids=1,2` (docs/compatibility.md#reading-data).

use actix_web::{HttpResponse, get, web};
use chrono::Utc;

use super::isoformat::isoformat;
use ents_domain::series::{Availability, parse_cell_ids};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::state::AppState;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct AvailabilityParams {
    /// Comma-separated cell ids (required); blanks are skipped.
    cell_ids: Option<String>,
}

/// `latest_timestamp, earliest_timestamp, has_recent_data, message`, in this order. Timestamps
/// are naive ISO 8601 in UTC, without a zone suffix (the dashboard reads them with Luxon
/// `fromISO`).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct AvailabilityBody {
    latest_timestamp: Option<String>,
    earliest_timestamp: Option<String>,
    /// The latest point is at most 14 days old.
    has_recent_data: bool,
    /// `success` or `No data found for specified cells`.
    message: &'static str,
}

/// The earliest and latest measurement of the cells (power, TEROS and generic sensors).
#[utoipa::path(
    tag = "data",
    params(AvailabilityParams),
    responses(
        (status = 200, body = AvailabilityBody),
        (status = 400, description = "`{\"error\": …}`: cell_ids missing, malformed or empty"),
    )
)]
#[get("/data-availability/")]
pub(crate) async fn data_availability(
    state: web::Data<AppState>,
    caller: MaybeCaller,
    params: web::Query<AvailabilityParams>,
) -> Result<HttpResponse, ApiError> {
    let raw = params
        .cell_ids
        .as_deref()
        .ok_or_else(|| ApiError::error_key("cell_ids parameter is required"))?;
    let cell_ids = parse_cell_ids(raw).map_err(ApiError::error_key)?;
    state
        .registry
        .cells
        .authorize_data_read(caller.0.as_ref(), &cell_ids)
        .await?;
    let bounds = state.series.availability(&cell_ids).await?;
    let availability = Availability::new(bounds, Utc::now().naive_utc());
    let message = if availability.latest.is_some() {
        "success"
    } else {
        "No data found for specified cells"
    };
    Ok(HttpResponse::Ok().json(AvailabilityBody {
        latest_timestamp: availability.latest.map(isoformat),
        earliest_timestamp: availability.earliest.map(isoformat),
        has_recent_data: availability.has_recent_data,
        message,
    }))
}
