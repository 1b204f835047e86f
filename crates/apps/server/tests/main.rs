//! The integration tests of this crate, one binary (one link, one file on disk) with a
//! module per area.

mod alerts;
mod authorization_matrix;
mod cli;
mod common;
mod contract_gaps;
#[path = "data/main.rs"]
mod data;
mod exports;
#[path = "faults/main.rs"]
mod faults;
mod identity_google;
mod identity_keys;
mod identity_local;
mod identity_sessions;
mod identity_tokens;
mod imports;
#[path = "ingest/main.rs"]
mod ingest;
mod input_guard;
mod loggers;
mod metrics;
mod reading_data;
mod registry_contract;
mod registry_matrix;
mod skeleton;
mod sta;
mod sta_client;
