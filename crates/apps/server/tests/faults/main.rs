//! Bounded under faults (issue 11): slow clients, a database or broker that stops answering
//! without refusing (a blackhole). Each test has its own server, database and proxy; the
//! partition tests are slow (seconds of outage each) and run in parallel under nextest.
// The chaos tests print the figures docs/faults.md quotes (`--no-capture`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod broker_blackhole;
mod database_blackhole;
mod slow_clients;
mod support;
mod worker;
