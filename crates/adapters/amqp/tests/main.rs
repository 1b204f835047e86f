//! The integration tests of this crate, one binary (one link, one file on disk) with a
//! module per area.

mod common;
mod connection_cut;
mod consumer_lifecycle;
mod exactly_once;
mod ingest_consumer;
mod retry_and_dead_letter;
