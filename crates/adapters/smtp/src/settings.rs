use std::time::Duration;

use secrecy::SecretString;

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text throughout: only for a relay on the same host or a trusted network.
    None,
    /// Plain text, then `STARTTLS`, which the server must offer (else nothing is sent).
    Starttls,
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
}

/// `AUTH` credentials. `Debug` shows the password redacted (secrecy).
#[derive(Debug, Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: SecretString,
}

/// Where the mail server is and how to talk to it.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<SmtpCredentials>,
    /// The `From` of every message, e.g. `ENTS alerts <alerts@example.org>`.
    pub from: String,
    /// Bound of the connection and of each SMTP command's reply.
    pub timeout: Duration,
}

impl SmtpSettings {
    /// The whole delivery's bound: a handshake and about a dozen commands, each within
    /// `timeout`, must not add up to an unbounded wait against a server answering slowly.
    pub fn deadline(&self) -> Duration {
        self.timeout.saturating_mul(4)
    }
}
