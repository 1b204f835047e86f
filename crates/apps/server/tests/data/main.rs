//! `ents export` and `ents import`, run as a user would, against real PostgreSQL
//! (docs/import-export.md).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod devices;
mod export;
mod import;
mod resume;
mod seed_csv;
mod support;
