//! The live push across API instances over PostgreSQL `LISTEN`/`NOTIFY` (docs/live-push.md):
//! no extra infrastructure, and every instance sees every committed measurement and every
//! alert opening or closing.
//!
//! - [`PgLiveFeed`] implements the domain's [`LiveFeed`](ents_domain::live::LiveFeed) and
//!   [`AlertLiveFeed`](ents_domain::alerts::AlertLiveFeed): it encodes the events once and
//!   sends them with `pg_notify` on [`CHANNEL`].
//! - [`CoalescingLiveFeed`] sits in front of it for the uploads: one `pg_notify` transaction
//!   for the events of many concurrent uploads.
//! - [`PgLiveListener`] runs in every instance (the publishing one included, so there is
//!   one delivery path): a dedicated connection `LISTEN`s on [`CHANNEL`] and hands what
//!   arrives to the instance's [`LiveSubscribers`](ents_domain::live::LiveSubscribers).
//!
//! Best effort, like upstream's in-process emit: a notification sent while an instance's
//! listener is reconnecting is not replayed to it.

mod coalescing;
mod envelope;
mod listen;
mod publish;

pub use coalescing::CoalescingLiveFeed;
pub use listen::{ListenerSettings, PgLiveListener};
pub use publish::PgLiveFeed;

/// The notification channel of the live events (`measurement_received` and `alert`).
pub const CHANNEL: &str = "ents_measurements";
