//! Device wire formats → domain uploads. Pure (no I/O) and safe on any input: every decoder
//! returns a [`WireError`] instead of panicking, so it can face the network and a fuzzer.
//!
//! | Body | Decoder | Result |
//! |---|---|---|
//! | protobuf `Measurement` (`/api/sensor/`, no `SensorVersion: 2`; TTN f_port 1) | [`decode_measurement`] | [`Upload::Legacy`] |
//! | protobuf `RepeatedSensorMeasurements` (`SensorVersion: 2`; TTN f_port 2) | [`decode_repeated`] | [`Upload::Generic`] |
//! | TTN v3 uplink JSON | [`parse_ttn_uplink`] | [`TtnUplink`] (port + payload bytes) |
//! | `/api/sensor_json/` flat dict | [`decode_sensor_json`] | [`Upload::Legacy`] |
//!
//! and [`encode_response`] for the legacy answer body. Schemas: `proto/*.proto`, written from
//! the message descriptors shipped in `ents` 2.3.12 and compiled by `build.rs` without
//! `protoc`. The formats, and what upstream did with them: `docs/wire-format.md`.
//!
//! Our own message bodies, written by one process and read by another, live here too, so a
//! format has one owner and the broker adapter only moves bytes: [`queued_ingest`] (an
//! accepted upload on its way to the worker) and [`job_message`] (a job to run).
//!
//! [`Upload::Legacy`]: ents_domain::measurements::Upload::Legacy
//! [`Upload::Generic`]: ents_domain::measurements::Upload::Generic

mod error;
mod generic;
pub mod job_message;
mod legacy;
mod lenient;
pub mod proto;
pub mod queued_ingest;
mod reader;
mod response;
mod sensor_json;
mod ttn;

pub use error::WireError;
pub use generic::decode_repeated;
pub use legacy::decode_measurement;
pub use response::encode_response;
pub use sensor_json::decode_sensor_json;
pub use ttn::{TtnUplink, parse_ttn_uplink};
