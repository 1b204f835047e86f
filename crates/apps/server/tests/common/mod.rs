//! Helpers shared by this crate's end-to-end tests.
#![allow(dead_code)]

pub mod callers;
pub mod identity;
pub mod registry;
