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
    /// Bound of one whole delivery: connecting, the TLS handshake and every command. (lettre
    /// bounds only the connect on tokio, so the mailer bounds the whole exchange: a server
    /// that accepts the connection and then stops answering cannot hold a job forever.)
    pub timeout: Duration,
}
