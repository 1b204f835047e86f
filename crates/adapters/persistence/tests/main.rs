//! The integration tests of this crate, one binary (one link, one file on disk) with a
//! module per area.

mod adopt_upstream;
mod alert_delivery;
mod alerts;
mod auth_failures;
mod common;
mod database_outage;
mod ensure_database;
mod exports;
mod identity_repositories;
mod ingest_dedup_migration;
mod job_repository;
mod legacy_credentials;
mod live_notify;
mod loggers;
mod measurement_store;
mod migrations_roundtrip;
mod rollup_stats;
mod schema_checks;
mod series_rollups;
