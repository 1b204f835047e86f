use async_trait::async_trait;

use super::model::{Email, WebhookDelivery, WebhookOutcome};
use crate::DomainError;

/// Sends e-mail (SMTP in production).
///
/// Errors: `Unavailable` when the mail server cannot be reached, times out or answers with a
/// transient (4xx) reply — the delivery job retries; `BadRequest` when the message is refused
/// for good (a permanent 5xx reply, an invalid address) — retrying would not help;
/// `Internal` for anything else.
#[async_trait]
pub trait MailSender: Send + Sync + 'static {
    async fn send(&self, email: &Email) -> Result<(), DomainError>;
}

/// POSTs signed JSON to a webhook receiver.
///
/// Errors: `Unavailable` when the receiver cannot be reached, times out, or answers 5xx or
/// 429 — the delivery job retries; `BadRequest` for any other non-2xx answer or an unusable
/// URL — permanent; `Internal` for anything else.
#[async_trait]
pub trait WebhookSender: Send + Sync + 'static {
    async fn post(&self, delivery: &WebhookDelivery) -> Result<WebhookOutcome, DomainError>;
}
