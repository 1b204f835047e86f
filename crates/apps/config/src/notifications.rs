//! Where alert notifications go out: the SMTP server (`[smtp]`) and how webhooks are sent
//! (`[webhook]`). Upstream had neither, so only `ENTS_SMTP__…` / `ENTS_WEBHOOK__…` set them.

use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use crate::{de, redact};

/// How the connection to the mail server is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain text: a relay on the same host or a trusted network only.
    None,
    /// `STARTTLS`, required (nothing is sent if the server does not offer it).
    #[default]
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

/// The mail server alert e-mail is sent through. Unset `host`: e-mail is not sent (each
/// delivery fails as unavailable, is retried and dead-lettered; a warning at start).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    #[serde(deserialize_with = "de::opt_text")]
    pub host: Option<String>,
    /// Default by `tls`: 25 (`none`), 587 (`starttls`), 465 (`tls`).
    pub port: Option<u16>,
    pub tls: SmtpTls,
    /// `AUTH` user; with `password`, or neither.
    #[serde(deserialize_with = "de::opt_text")]
    pub username: Option<String>,
    #[serde(deserialize_with = "de::opt_secret", serialize_with = "redact::secret")]
    pub password: Option<SecretString>,
    /// The `From` of alert e-mail, e.g. `ENTS alerts <alerts@example.org>`; required with
    /// `host`.
    #[serde(deserialize_with = "de::opt_text")]
    pub from: Option<String>,
    /// Bound of one whole delivery: connecting, TLS and every command.
    pub timeout_ms: u64,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: None,
            tls: SmtpTls::Starttls,
            username: None,
            password: None,
            from: None,
            timeout_ms: 10_000,
        }
    }
}

impl SmtpConfig {
    /// `port`, or the usual one of the TLS mode.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}

/// How alert webhooks are POSTed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Bound of each POST, from connecting to the receiver's answer.
    pub timeout_ms: u64,
    /// `User-Agent` of the POSTs; unset: `ents-backend/<version>`.
    #[serde(deserialize_with = "de::opt_text")]
    pub user_agent: Option<String>,
    /// Deliver to receivers on loopback, private, link-local or unspecified addresses too.
    /// Off by default: a rule's URL is chosen by a researcher, and the worker must not be
    /// made to POST into the deployment's own network (server-side request forgery).
    pub allow_private_targets: bool,
}

impl Default for WebhookConfig {
    fn default() -> Self {
        Self {
            timeout_ms: 10_000,
            user_agent: None,
            allow_private_targets: false,
        }
    }
}

impl WebhookConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms)
    }
}
