use ents_domain::DomainError;
use lettre::transport::smtp::Error as SmtpError;

/// The mailer could not be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("invalid from address {address:?}: {reason}")]
    InvalidFrom { address: String, reason: String },
    #[error("could not set up TLS for {host:?}: {reason}")]
    Tls { host: String, reason: String },
}

/// Reply codes of a refused `AUTH` (RFC 4954: 530 authentication required, 534 mechanism too
/// weak, 535 credentials invalid, 538 encryption required). They are permanent for SMTP but
/// say nothing about the message: the operator fixes the settings, so the job retries.
const AUTH_CODES: [&str; 4] = ["530", "534", "535", "538"];

/// Classifies a failed delivery for the job's retry (the `MailSender` contract).
pub(crate) fn classify(error: &SmtpError) -> DomainError {
    if error.is_permanent() {
        let code = error.status().map(|c| c.to_string()).unwrap_or_default();
        if AUTH_CODES.contains(&code.as_str()) {
            return DomainError::Unavailable(format!(
                "the mail server refused the credentials (check smtp.username and \
                 smtp.password): {error}"
            ));
        }
        return DomainError::BadRequest(format!("the mail server refused the message: {error}"));
    }
    let what = if error.is_client() {
        // The server lacks what the settings require (STARTTLS, a shared AUTH mechanism,
        // SMTPUTF8): nothing was sent, and the operator's fix makes the retry work.
        "the mail server cannot take the delivery as configured"
    } else if error.is_transient() {
        "the mail server deferred the message"
    } else if error.is_timeout() {
        "the mail server did not answer in time"
    } else if error.is_tls() {
        "the TLS handshake with the mail server failed"
    } else {
        "could not reach the mail server"
    };
    DomainError::Unavailable(format!("{what}: {error}"))
}
