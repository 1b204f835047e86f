//! Ingestion: storing what the field sends, then telling live dashboards (docs/wire-format.md,
//! docs/live-push.md).
//!
//! The decoding of device bodies lives in `ents-wire`; this module takes the decoded
//! [`Upload`](crate::measurements::Upload) from there:
//! * [`IngestService::ingest`] checks the device's credentials ([`DeviceAuthorizer`],
//!   `ingest.require_api_key`), stores the upload through the [`MeasurementStore`] port (one
//!   transaction, idempotent), and only after the commit publishes its `measurement_received`
//!   events through [`LiveFeed`](crate::live::LiveFeed).
//! * [`IngestService::store_power_reading`] / [`IngestService::store_teros_reading`] serve the
//!   legacy JSON uploads (`POST /api/power/`, `/api/teros/`; docs/wire-format.md#json-uploads),
//!   which name cells and loggers and create them on first use ([`NamedReadingStore`]).
//! * [`BatchWriter`] is the queued mode's consumer side: many uploads in one transaction.
//!
//! "The same measurement" (what a retry must not store twice) is, per table: `sensor` rows
//! (cell, name, measurement); `data` (sensor, device ts); `power_data` (cell, logger, device
//! ts); `teros_data` (cell, device ts). The first write wins: a later upload with the same key
//! and another value is answered like a retry and changes nothing.

mod auth;
mod key_authorizer;
mod named;
mod service;
mod store;

#[cfg(test)]
mod tests;

pub use auth::{ApiKeySecret, DeviceAuthorizer, DeviceCredentials};
pub use key_authorizer::KeyDeviceAuthorizer;
pub use named::{
    NamedPowerReading, NamedReadingStore, NamedTerosReading, StoredPower, StoredTeros,
};
pub use service::{BatchWriter, IngestService, IngestSettings};
pub use store::{MeasurementStore, MissingReferences, ReferenceChecker, StoreOutcome};
