//! Unit tests of the identity use cases against in-memory fakes of their ports.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod failures;
mod fakes;
mod google;
mod keys;
mod passwords;
mod sessions;
