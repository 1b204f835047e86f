//! Protobuf bodies, whether posted directly or carried by a TTN uplink.

use actix_web::HttpResponse;
use ents_domain::ingest::{DeviceCredentials, IngestService, StoreOutcome};
use ents_wire::{decode_measurement, decode_repeated};

use super::reply;
use crate::error::ApiError;

/// Which message a body is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Message {
    /// `Measurement` (no `SensorVersion: 2`; TTN f_port 1).
    Legacy,
    /// `RepeatedSensorMeasurements` (`SensorVersion: 2`; TTN f_port 2).
    Generic,
}

/// Decodes and stores `bytes`, answering as the message's path does. Errors: the device
/// checks (401/403) and an unavailable store (503).
pub(super) async fn ingest(
    service: &IngestService,
    message: Message,
    bytes: &[u8],
    device: &DeviceCredentials,
) -> Result<HttpResponse, ApiError> {
    match message {
        Message::Legacy => {
            let upload = match decode_measurement(bytes) {
                Ok(upload) => upload,
                Err(error) => {
                    tracing::info!(%error, "legacy upload refused");
                    return Ok(reply::legacy_error());
                }
            };
            Ok(match service.ingest(&upload, device).await? {
                StoreOutcome::Committed { .. } | StoreOutcome::Accepted => reply::legacy_success(),
                StoreOutcome::Missing(_) => reply::legacy_error(),
            })
        }
        Message::Generic => {
            let upload = match decode_repeated(bytes) {
                Ok(upload) => upload,
                Err(error) => {
                    tracing::info!(%error, "generic upload refused");
                    return Ok(reply::generic_parse_error(&error));
                }
            };
            Ok(match service.ingest(&upload, device).await? {
                StoreOutcome::Committed { .. } | StoreOutcome::Accepted => reply::generic_success(),
                StoreOutcome::Missing(missing) => reply::generic_missing(&upload, &missing),
            })
        }
    }
}
