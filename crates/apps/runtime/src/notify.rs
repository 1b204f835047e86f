//! The notification senders of a deployment: e-mail over SMTP and signed webhooks.
//!
//! Alerts deliver through the domain's `notifications` ports; this is where the composition
//! root picks their adapters from the configuration.
// Placeholder until the SMTP and webhook adapters land: every delivery is refused as
// unavailable, so its job is retried and then dead-lettered, never lost silently.

use std::sync::Arc;

use async_trait::async_trait;
use ents_config::Settings;
use ents_domain::DomainError;
use ents_domain::notifications::{
    Email, MailSender, WebhookDelivery, WebhookOutcome, WebhookSender,
};

/// The e-mail sender the configuration asks for.
pub fn mail_sender(_settings: &Settings) -> anyhow::Result<Arc<dyn MailSender>> {
    Ok(Arc::new(Unconfigured))
}

/// The webhook sender the configuration asks for.
pub fn webhook_sender(_settings: &Settings) -> anyhow::Result<Arc<dyn WebhookSender>> {
    Ok(Arc::new(Unconfigured))
}

struct Unconfigured;

#[async_trait]
impl MailSender for Unconfigured {
    async fn send(&self, _email: &Email) -> Result<(), DomainError> {
        Err(DomainError::Unavailable(
            "e-mail delivery is not configured".into(),
        ))
    }
}

#[async_trait]
impl WebhookSender for Unconfigured {
    async fn post(&self, _delivery: &WebhookDelivery) -> Result<WebhookOutcome, DomainError> {
        Err(DomainError::Unavailable(
            "webhook delivery is not configured".into(),
        ))
    }
}
