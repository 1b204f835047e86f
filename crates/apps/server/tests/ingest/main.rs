//! Device ingestion through the real server (issue 5): every device vector, every path and
//! kind, idempotent retries, all-or-nothing uploads, bad input, device authentication and time
//! zones. Each test has its own server and database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub(crate) mod support;

mod auth;
mod contract;
mod named;
mod queued;
mod timezone;
mod ttn;
mod vectors;
