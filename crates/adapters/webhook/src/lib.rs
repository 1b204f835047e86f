//! Signed webhooks, as the domain's [`WebhookSender`](ents_domain::notifications::WebhookSender)
//! port: the delivery's JSON body POSTed as it is, with
//!
//! - `Content-Type: application/json`,
//! - `X-ENTS-Timestamp: <unix seconds>`,
//! - `X-ENTS-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the secret>`,
//! - `X-ENTS-Delivery: <delivery id>` (the same on every retry, for deduplication).
//!
//! The scheme and a receiver's verification are in docs/alerts.md ("Webhook signatures").
//! Only http(s) URLs are used; redirects are not followed (a signed body goes only where
//! the rule says); every request is bounded by a timeout. The secret is never logged, nor is
//! the URL's path or query (services such as Slack put their own secret in it): logs and
//! messages name the host only. Unless `allow_private_targets`, receivers on loopback,
//! private, link-local or unspecified addresses are refused, checked on the addresses
//! actually connected to (`guard.rs`).

mod error;
mod guard;
mod sender;
mod signature;

pub use error::BuildError;
pub use sender::{HttpWebhookSender, WebhookSettings};
pub use signature::{DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, sign};
