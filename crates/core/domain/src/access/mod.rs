//! The authorization policy (docs/compatibility.md#authorization), as pure functions over facts the
//! caller looks up: a credential acts only within its scope (one table: [`permits`], operation ×
//! credential kind — an ingest key uploads and nothing else); reading is public by default
//! (`access.public_read`); every write needs an identified caller who owns the resource or is a
//! member it was shared with; sharing and membership changes need the owner. Upstream checked
//! none of this (D-12).
//!
//! Handlers (cells, loggers, tags, memberships) load the resource's owner and members, then
//! call [`authorize`] before acting — the rule is written once, here.

mod policy;
mod ports;
mod scope;

#[cfg(test)]
mod tests;

pub use policy::{AccessPolicy, Action, ResourceFacts, ResourceKind, authorize, require_caller};
pub use ports::{CellAccess, CellFactsSource, authorize_cells};
pub use scope::{CredentialKind, Operation, check_scope, permits};
