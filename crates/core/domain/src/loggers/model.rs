use chrono::NaiveDateTime;

use super::credentials::LoraCredentials;
use crate::users::UserId;

/// Upstream's messages (docs/compatibility.md#loggers).
pub const LOGGER_NOT_FOUND: &str = "Logger not found";
pub const DUPLICATE_LOGGER_NAME: &str = "Duplicate logger name";

/// The upstream `logger.id` (a serial).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LoggerId(pub i32);

impl std::fmt::Display for LoggerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The TTN end-device id of a logger: always `dirtviz-<id>`, as upstream.
pub fn device_id(id: LoggerId) -> String {
    format!("dirtviz-{id}")
}

/// Where a logger's TTN registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TtnState {
    /// The job is queued or running.
    Pending,
    Registered,
    /// Failed for good (the error says why; nothing is left half-registered on TTN).
    Failed,
}

impl TtnState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Registered => "registered",
            Self::Failed => "failed",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "pending" => Self::Pending,
            "registered" => Self::Registered,
            "failed" => Self::Failed,
            _ => return None,
        })
    }
}

/// A logger as stored. `kind` is upstream's free-text `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logger {
    pub id: LoggerId,
    pub name: String,
    pub kind: String,
    pub device_eui: String,
    pub description: String,
    /// Naive UTC, as upstream's column.
    pub date_created: NaiveDateTime,
    pub owner: Option<UserId>,
    /// `None` when registration was never asked for.
    pub ttn_state: Option<TtnState>,
    pub ttn_error: Option<String>,
}

impl Logger {
    /// A LoRaWAN node (upstream compares `type.lower() == "ents"`).
    pub fn is_ents(&self) -> bool {
        is_ents(&self.kind)
    }
}

pub(crate) fn is_ents(kind: &str) -> bool {
    kind.eq_ignore_ascii_case("ents")
}

/// A logger to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLogger {
    pub name: String,
    pub kind: String,
    pub device_eui: String,
    pub description: String,
    pub owner: UserId,
    /// Credentials to keep until the registration job has run (state `pending`).
    pub registration: Option<LoraCredentials>,
}

/// What an update may change (upstream applies `name` and `description` only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoggerChanges {
    pub name: Option<String>,
    pub description: Option<String>,
}

impl LoggerChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none() && self.description.is_none()
    }
}

/// Which loggers to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LoggerFilter {
    /// Only this user's loggers.
    pub owner: Option<UserId>,
}

/// What the registration job needs: read from the logger's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingRegistration {
    pub name: String,
    pub credentials: LoraCredentials,
}
