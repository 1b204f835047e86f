//! Sensor uploads as the domain sees them, and what each one stores.
//!
//! A device upload decodes (in `ents-wire`) into an [`Upload`]:
//! * [`Upload::Legacy`]: one [`LegacyMeasurement`], i.e. the protobuf `Measurement` of
//!   `POST /api/sensor/` (no `SensorVersion: 2`) and TTN f_port 1, or the flat JSON dict of
//!   `POST /api/sensor_json/`;
//! * [`Upload::Generic`]: the items of a `RepeatedSensorMeasurements` (`SensorVersion: 2`,
//!   TTN f_port 2), one [`GenericMeasurement`] each.
//!
//! Values that could not be stored are rejected while the upload is built, with an
//! [`IngestError`], so the mapping to rows ([`Upload::stored_rows`]) and to the Socket.IO
//! `measurement_received` payloads ([`Upload::live_events`]) cannot fail.
//!
//! Naming follows upstream exactly, so existing series keep growing (docs/wire-format.md); the
//! kinds upstream dropped or broke are stored under the names documented in `legacy_layout.rs`.

mod error;
mod generic;
mod legacy;
mod legacy_layout;
mod live;
mod meta;
mod rows;
mod sensor_type;
mod upload;
mod value;

#[cfg(test)]
mod tests;

pub use error::IngestError;
pub use generic::{GenericMeasurement, GenericValue};
pub use legacy::{
    Bme280, Co2, D10, D10Flow, Edu0157, LegacyKind, LegacyMeasurement, Pcap02, Phytos31, Power,
    Sen0257, Sen0308, Teros12, Teros21, WaterLevel, Watermark200ss, Watermark200ts, Yfs210c,
};
pub use live::{MEASUREMENT_RECEIVED, MeasurementReceived};
pub use meta::{DeviceTime, Meta, RawMeta};
pub use rows::{PowerRow, SensorRow, StoredRow, TerosRow};
pub use sensor_type::SensorType;
pub use upload::Upload;
pub use value::{DataFields, MAX_MAGNITUDE, MIN_MAGNITUDE, SensorValue, storable_float};
