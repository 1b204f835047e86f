//! The notification senders of a deployment: e-mail over SMTP and signed webhooks.
//!
//! Alerts deliver through the domain's `notifications` ports; this is where the composition
//! root picks their adapters from the configuration (`[smtp]`, `[webhook]`). Without
//! `smtp.host` a deployment sends no e-mail: the sender then answers every delivery
//! `Unavailable`, so its job is retried and dead-lettered, never lost silently, and the
//! operator is warned once at start.

use std::sync::{Arc, Once};

use anyhow::Context;
use async_trait::async_trait;
use ents_config::{Settings, SmtpConfig, SmtpTls, WebhookConfig};
use ents_domain::DomainError;
use ents_domain::notifications::{Email, MailSender, WebhookSender};
use ents_smtp::{SmtpCredentials, SmtpMailer, SmtpSettings, TlsMode};
use ents_webhook::{HttpWebhookSender, WebhookSettings};

/// The e-mail sender the configuration asks for: SMTP when `smtp.host` is set, else one
/// that refuses every delivery as unavailable (with a warning, once per process).
pub fn mail_sender(settings: &Settings) -> anyhow::Result<Arc<dyn MailSender>> {
    let Some(smtp) = smtp_settings(&settings.smtp)? else {
        static WARNED: Once = Once::new();
        WARNED.call_once(|| {
            tracing::warn!(
                "smtp.host is not set: alert e-mail will not be sent (deliveries are retried, \
                 then dead-lettered); see docs/alerts.md"
            );
        });
        return Ok(Arc::new(UnconfiguredMail));
    };
    let (server, tls) = (format!("{}:{}", smtp.host, smtp.port), smtp.tls);
    let mailer = SmtpMailer::new(smtp).context("the [smtp] settings")?;
    tracing::info!(%server, ?tls, "alert e-mail goes out through SMTP");
    Ok(Arc::new(mailer))
}

/// The webhook sender the configuration asks for.
pub fn webhook_sender(settings: &Settings) -> anyhow::Result<Arc<dyn WebhookSender>> {
    let sender = HttpWebhookSender::new(webhook_settings(&settings.webhook))
        .context("the [webhook] settings")?;
    Ok(Arc::new(sender))
}

/// The SMTP adapter's settings; `None` when no mail server is configured.
pub fn smtp_settings(config: &SmtpConfig) -> anyhow::Result<Option<SmtpSettings>> {
    let Some(host) = config.host.clone() else {
        return Ok(None);
    };
    // Validation requires it with a host; checked again rather than trusted.
    let from = config
        .from
        .clone()
        .context("smtp.from must be set when smtp.host is")?;
    let credentials = match (&config.username, &config.password) {
        (Some(username), Some(password)) => Some(SmtpCredentials {
            username: username.clone(),
            password: password.clone(),
        }),
        _ => None,
    };
    Ok(Some(SmtpSettings {
        host,
        port: config.effective_port(),
        tls: match config.tls {
            SmtpTls::None => TlsMode::None,
            SmtpTls::Starttls => TlsMode::Starttls,
            SmtpTls::Tls => TlsMode::Tls,
        },
        credentials,
        from,
        timeout: config.timeout(),
    }))
}

/// The webhook adapter's settings.
pub fn webhook_settings(config: &WebhookConfig) -> WebhookSettings {
    WebhookSettings {
        timeout: config.timeout(),
        user_agent: config.user_agent.clone(),
        allow_private_targets: config.allow_private_targets,
    }
}

/// The sender of a deployment without a mail server.
struct UnconfiguredMail;

#[async_trait]
impl MailSender for UnconfiguredMail {
    async fn send(&self, _email: &Email) -> Result<(), DomainError> {
        Err(DomainError::Unavailable(
            "e-mail delivery is not configured: set smtp.host and smtp.from".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use ents_test_support::SmtpSink;

    use super::*;

    fn email() -> Email {
        Email {
            to: vec!["ada@ents.test".into()],
            subject: "Cell 7 is silent".into(),
            text: "No upload for 30 minutes.".into(),
            html: "<p>No upload for 30 minutes.</p>".into(),
        }
    }

    #[tokio::test]
    async fn without_a_mail_server_deliveries_are_unavailable_and_say_why() {
        let sender = mail_sender(&Settings::default()).unwrap();
        let Err(DomainError::Unavailable(message)) = sender.send(&email()).await else {
            panic!("an unconfigured sender refuses as unavailable (retried, dead-lettered)");
        };
        assert!(message.contains("smtp.host"), "{message}");
    }

    #[tokio::test]
    async fn the_configured_mail_server_receives_the_mail() {
        let sink = SmtpSink::start().await;
        let mut settings = Settings::default();
        settings.smtp.host = Some("127.0.0.1".into());
        settings.smtp.port = Some(sink.port());
        settings.smtp.tls = SmtpTls::None;
        settings.smtp.from = Some("ENTS alerts <alerts@ents.test>".into());
        settings.validate().unwrap();
        mail_sender(&settings)
            .unwrap()
            .send(&email())
            .await
            .unwrap();
        let received = sink.wait_for(1).await;
        assert_eq!(received[0].subject, "Cell 7 is silent");
        assert_eq!(received[0].rcpt_tos, ["ada@ents.test"]);
    }

    #[test]
    fn credentials_are_passed_only_as_a_pair_and_the_port_follows_the_mode() {
        let mut config = SmtpConfig {
            host: Some("smtp.example.org".into()),
            from: Some("alerts@example.org".into()),
            tls: SmtpTls::Tls,
            username: Some("alerts".into()),
            password: Some("pw".to_owned().into()),
            ..SmtpConfig::default()
        };
        let smtp = smtp_settings(&config).unwrap().unwrap();
        assert_eq!(smtp.port, 465);
        assert_eq!(smtp.tls, TlsMode::Tls);
        assert_eq!(smtp.credentials.unwrap().username, "alerts");
        config.host = None;
        assert!(smtp_settings(&config).unwrap().is_none());
    }

    #[test]
    fn the_webhook_sender_is_built_from_its_settings() {
        assert!(webhook_sender(&Settings::default()).is_ok());
    }
}
