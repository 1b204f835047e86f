//! The integration tests of this crate, one binary (one link, one file on disk) with a
//! module per area.

mod bad_vectors;
mod common;
mod generic_vectors;
mod legacy_vectors;
mod never_panics;
mod queued_ingest;
mod sensor_json;
mod ttn_and_response;
mod vector_copies;
