use std::time::{Duration, Instant};

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::notifications::{Email, MailSender};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;

use crate::error::{BuildError, classify};
use crate::message;
use crate::settings::{SmtpSettings, TlsMode};

/// Sends the domain's e-mails through one SMTP server.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    timeout: Duration,
    server: String,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer")
            .field("server", &self.server)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// Checks the settings (the `From` address, TLS) without connecting: a mail server
    /// that is down at start is a delivery's problem, retried, not the process's.
    pub fn new(settings: SmtpSettings) -> Result<Self, BuildError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| BuildError::InvalidFrom {
                address: settings.from.clone(),
                reason: e.to_string(),
            })?;
        let tls = match settings.tls {
            TlsMode::None => Tls::None,
            TlsMode::Starttls => Tls::Required(tls_parameters(&settings.host)?),
            TlsMode::Tls => Tls::Wrapper(tls_parameters(&settings.host)?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&settings.host)
            .port(settings.port)
            .tls(tls)
            .timeout(Some(settings.timeout));
        if let Some(credentials) = &settings.credentials {
            builder = builder.credentials(Credentials::new(
                credentials.username.clone(),
                credentials.password.expose_secret().to_owned(),
            ));
        }
        Ok(Self {
            transport: builder.build(),
            from,
            timeout: settings.timeout,
            server: format!("{}:{}", settings.host, settings.port),
        })
    }
}

fn tls_parameters(host: &str) -> Result<TlsParameters, BuildError> {
    TlsParameters::new(host.to_owned()).map_err(|e| BuildError::Tls {
        host: host.to_owned(),
        reason: e.to_string(),
    })
}

#[async_trait]
impl MailSender for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), DomainError> {
        let message = message::build(&self.from, email)?;
        let started = Instant::now();
        let sent = tokio::time::timeout(self.timeout, self.transport.send(message)).await;
        let result = match sent {
            Ok(Ok(_reply)) => Ok(()),
            Ok(Err(e)) => Err(classify(&e)),
            Err(_) => Err(DomainError::Unavailable(format!(
                "the mail server {} did not finish the delivery within {} ms",
                self.server,
                self.timeout.as_millis()
            ))),
        };
        let elapsed_ms = started.elapsed().as_millis();
        match &result {
            Ok(()) => tracing::debug!(
                server = %self.server, recipients = email.to.len(), elapsed_ms, "e-mail sent"
            ),
            Err(error) => tracing::debug!(
                server = %self.server, recipients = email.to.len(), elapsed_ms, %error,
                "e-mail not sent"
            ),
        }
        result
    }
}
