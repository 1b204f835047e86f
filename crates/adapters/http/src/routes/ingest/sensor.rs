//! `POST /api/sensor/`: protobuf uploads and The Things Network v3 webhooks
//! (docs/wire-format.md).

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, post, web};
use ents_domain::ingest::{DeviceCredentials, IngestService};
use ents_wire::{TtnUplink, WireError, parse_ttn_uplink};

use super::body::{self, Media};
use super::protobuf::{self, Message};
use super::{device, reply};
use crate::error::ApiError;
use crate::state::AppState;

/// Upstream's (Werkzeug's) text for a body that is not JSON.
const NOT_JSON: &str =
    "The browser (or proxy) sent a request that this server could not understand.";

/// Uploads measurements.
///
/// * `application/octet-stream`: a protobuf `Measurement`, or with the header
///   `SensorVersion: 2` a `RepeatedSensorMeasurements`. Legacy answers: 200 with an empty
///   `application/octet-stream` body (`Response{SUCCESS}`), or 501 with `08 01`
///   (`Response{ERROR}`) for an unknown cell or logger and for any body that cannot be stored.
///   Generic answers: 200 empty `text/html`, or 400 `text/html` with the reason.
/// * `application/json`: a The Things Network v3 uplink; `f_port` 1 and 2 carry the two
///   protobuf messages above (base64 `frm_payload`), 202 (time sync) is ignored, others are
///   404 `f_port not recognized.`.
///
/// One request is one transaction; a retried upload is answered the same and stores nothing
/// twice. Optional device authentication: `X-API-Key`; the TTN webhook may be required to
/// send a shared secret header.
#[utoipa::path(
    tag = "ingest",
    params(
        ("SensorVersion" = Option<String>, Header, description = "`2` for RepeatedSensorMeasurements"),
        ("X-API-Key" = Option<String>, Header, description = "Optional device API key"),
    ),
    request_body(
        content(
            (Vec<u8> = "application/octet-stream"),
            (serde_json::Value = "application/json"),
        ),
        description = "Protobuf Measurement / RepeatedSensorMeasurements, or a TTN v3 uplink"
    ),
    responses(
        (status = 200, description = "Stored (legacy: empty octet-stream; generic: empty text/html), or a TTN message that stores nothing"),
        (status = 400, description = "Generic upload refused (text/html reason), or a TTN body that is not JSON"),
        (status = 401, description = "Invalid or required API key, or wrong TTN webhook secret"),
        (status = 403, description = "The key's owner may not write to the cell"),
        (status = 404, description = "TTN f_port not recognized"),
        (status = 413, description = "Body too large"),
        (status = 415, description = "Content-Type is neither application/octet-stream nor application/json"),
        (status = 501, description = "Legacy upload refused: body 08 01 (Response ERROR)"),
        (status = 503, description = "Database unavailable; retry later"),
    )
)]
#[post("/sensor/")]
pub(crate) async fn sensor_post(
    req: HttpRequest,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let endpoints = &state.ingest;
    let media = body::media(&req, &[Media::Binary, Media::Json])?;
    if media == Media::Json {
        device::check_webhook_secret(&req, endpoints.settings.ttn_webhook_secret.as_ref())?;
    }
    let bytes = body::read(&req, payload, endpoints.settings.body_limit_bytes).await?;
    let device = device::credentials(&req);
    match media {
        Media::Binary => protobuf::ingest(&endpoints.service, message(&req), &bytes, &device).await,
        Media::Json => ttn(&endpoints.service, &bytes, &device).await,
    }
}

/// Upstream compared the header with `== "2"`.
fn message(req: &HttpRequest) -> Message {
    match req.headers().get("SensorVersion").map(|v| v.as_bytes()) {
        Some(b"2") => Message::Generic,
        _ => Message::Legacy,
    }
}

/// A TTN v3 uplink (docs/wire-format.md#ttn-webhooks).
async fn ttn(
    service: &IngestService,
    bytes: &[u8],
    device: &DeviceCredentials,
) -> Result<HttpResponse, ApiError> {
    match parse_ttn_uplink(bytes) {
        Ok(TtnUplink::Measurement(payload)) => {
            protobuf::ingest(service, Message::Legacy, &payload, device).await
        }
        Ok(TtnUplink::RepeatedMeasurements(payload)) => {
            protobuf::ingest(service, Message::Generic, &payload, device).await
        }
        Ok(TtnUplink::TimeSync) => Ok(reply::text(
            StatusCode::OK,
            "Ignoring timesync request.".to_owned(),
        )),
        Ok(TtnUplink::UnknownPort(_)) => Ok(reply::text(
            StatusCode::NOT_FOUND,
            "f_port not recognized.".to_owned(),
        )),
        Ok(TtnUplink::NotUplink) => Ok(reply::text(
            StatusCode::OK,
            "Missing uplink_message or f_port.".to_owned(),
        )),
        Err(WireError::Json(_)) => Err(ApiError::bad_request(NOT_JSON)),
        // f_port 1 or 2 without a usable payload (upstream: 500): refused as that port's path
        // refuses a bad body.
        Err(error) => Ok(match ttn_port(bytes) {
            Some(2.0) => reply::generic_parse_error(&error),
            _ => reply::legacy_error(),
        }),
    }
}

fn ttn_port(bytes: &[u8]) -> Option<f64> {
    let json: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    json.get("uplink_message")?.get("f_port")?.as_f64()
}
