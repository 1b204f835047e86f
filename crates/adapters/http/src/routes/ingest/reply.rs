//! The answers devices see (docs/wire-format.md#answers), byte for byte.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use ents_domain::ingest::MissingReferences;
use ents_domain::measurements::{GenericMeasurement, GenericValue, Upload};
use ents_wire::{WireError, encode_response};

const OCTET_STREAM: &str = "application/octet-stream";
/// Flask's default for a string response.
const TEXT_HTML: &str = "text/html; charset=utf-8";

/// Legacy success: `Response{SUCCESS}`, which proto3 encodes as zero bytes.
pub(super) fn legacy_success() -> HttpResponse {
    HttpResponse::Ok()
        .content_type(OCTET_STREAM)
        .body(encode_response(true))
}

/// Legacy refusal: 501 with `Response{ERROR}` = `08 01` (unknown cell or logger, and — a fix,
/// upstream answered 500 — every undecodable or unknown kind of body).
pub(super) fn legacy_error() -> HttpResponse {
    HttpResponse::NotImplemented()
        .content_type(OCTET_STREAM)
        .body(encode_response(false))
}

/// Generic success: 200, empty, `text/html` (no `RepeatedSensorResponses`, as upstream).
pub(super) fn generic_success() -> HttpResponse {
    text(StatusCode::OK, String::new())
}

/// Generic body refused: 400 `Error parsing sensor measurements: <reason>` with upstream's
/// reason texts where upstream had the same reason.
pub(super) fn generic_parse_error(error: &WireError) -> HttpResponse {
    text(
        StatusCode::BAD_REQUEST,
        format!(
            "Error parsing sensor measurements: {}",
            error.upstream_reason()
        ),
    )
}

/// Generic upload naming a cell that does not exist: 400 `Error adding sensor data for
/// measurement <item>`, the item being the first one on a missing cell in the shape of
/// upstream's Python dict repr (without `idx`, which is not kept).
pub(super) fn generic_missing(upload: &Upload, missing: &MissingReferences) -> HttpResponse {
    let item = match upload {
        Upload::Generic(items) => items
            .iter()
            .find(|m| missing.cells.contains(&m.meta().cell_id.get()))
            .or(items.first())
            .map(python_repr)
            .unwrap_or_default(),
        Upload::Legacy(_) => String::new(),
    };
    text(
        StatusCode::BAD_REQUEST,
        format!("Error adding sensor data for measurement {item}"),
    )
}

/// TTN answers that carry only a sentence.
pub(super) fn text(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(TEXT_HTML)
        .body(body)
}

/// `{'type': 'POWER_VOLTAGE', 'decimal': 1.25, 'meta': {'cellId': 1, 'loggerId': 1, 'ts': 1700000022}, 'name': 'Voltage', 'unit': 'mV'}`
fn python_repr(m: &GenericMeasurement) -> String {
    let value = match m.raw_value() {
        GenericValue::Unsigned(u) => format!("'unsignedInt': {u}"),
        GenericValue::Signed(i) => format!("'signedInt': {i}"),
        GenericValue::Decimal(f) => format!("'decimal': {f:?}"),
    };
    let meta = m.meta();
    let ts = serde_json::to_string(&meta.ts).unwrap_or_default();
    format!(
        "{{'type': '{}', {value}, 'meta': {{'cellId': {}, 'loggerId': {}, 'ts': {ts}}}, 'name': '{}', 'unit': '{}'}}",
        m.sensor().name(),
        meta.cell_id,
        meta.logger_id.unwrap_or_default(),
        m.sensor().measurement(),
        m.sensor().unit(),
    )
}
