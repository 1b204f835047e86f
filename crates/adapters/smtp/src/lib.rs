//! E-mail over SMTP, as the domain's [`MailSender`](ents_domain::notifications::MailSender)
//! port.
//!
//! - one connection per message (alert mail is rare; no idle connection to go stale);
//! - `multipart/alternative`: the plain text first, the HTML second (RFC 2046: the last part
//!   a client can show is the preferred one);
//! - TLS `none`, `starttls` (required, never opportunistic: no silent downgrade) or `tls`
//!   (implicit TLS, "SMTPS"), with rustls and the platform's trust store;
//! - the whole delivery (connect, TLS, every command) bounded by one timeout, so a mail
//!   server that stops answering holds a delivery job for a bounded time;
//! - failures classified for the job's retry: transient → `Unavailable`, refused for good →
//!   `BadRequest` (`error.rs`). The password is a secret and appears in no message or log.

mod error;
mod mailer;
mod message;
mod settings;

pub use error::BuildError;
pub use mailer::SmtpMailer;
pub use settings::{SmtpCredentials, SmtpSettings, TlsMode};
