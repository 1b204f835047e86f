//! Telling people: e-mail and signed webhooks, the two ways an alert reaches a researcher.
//!
//! The domain says *what* is delivered ([`Email`], [`WebhookDelivery`]); the adapters
//! (`ents-smtp`, `ents-webhook`) say *how*. Deliveries run as jobs, so a failed delivery is
//! retried with the job's back-off and ends in the dead-letter queue like any job: each port
//! therefore tells a retryable failure (`Unavailable`) from a permanent one (`BadRequest`).

mod model;
mod ports;

pub use model::{Email, WebhookDelivery, WebhookOutcome};
pub use ports::{MailSender, WebhookSender};
