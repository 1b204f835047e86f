use async_trait::async_trait;

use super::credentials::LoraCredentials;
use super::model::{
    Logger, LoggerChanges, LoggerFilter, LoggerId, NewLogger, PendingRegistration, TtnState,
};
use crate::DomainError;

/// Stored loggers.
///
/// Errors: `NotFound(LOGGER_NOT_FOUND)` for an unknown id where a method takes one;
/// `Unavailable` when the store cannot be reached in time; `Internal` otherwise. No method
/// leaves a partial write.
#[async_trait]
pub trait LoggerRepository: Send + Sync + 'static {
    /// Stores `new` (now as `date_created`; state `pending` with its credentials when
    /// `new.registration` is set). Errors: `Conflict(DuplicateName, DUPLICATE_LOGGER_NAME)`
    /// when the name is taken, also when a concurrent create wins the race.
    async fn create(&self, new: NewLogger) -> Result<Logger, DomainError>;

    async fn get(&self, id: LoggerId) -> Result<Logger, DomainError>;

    /// Applies the changes that are set. Errors: `Conflict(DuplicateName,
    /// DUPLICATE_LOGGER_NAME)` when the new name is taken.
    async fn update(&self, id: LoggerId, changes: LoggerChanges) -> Result<Logger, DomainError>;

    /// Deletes the logger and returns it. Its measurements stay with their cell: in the same
    /// transaction their `logger_id` becomes NULL (a row that would then duplicate an
    /// existing logger-less row of the same cell and instant is dropped).
    async fn delete(&self, id: LoggerId) -> Result<Logger, DomainError>;

    /// Oldest first.
    async fn list(&self, filter: LoggerFilter) -> Result<Vec<Logger>, DomainError>;

    /// The name and stored credentials of a registration still to run; `None` when there is
    /// none (already finished, or never asked for).
    async fn pending_registration(
        &self,
        id: LoggerId,
    ) -> Result<Option<PendingRegistration>, DomainError>;

    /// Records the outcome of the registration job and wipes the stored credentials.
    async fn finish_registration(
        &self,
        id: LoggerId,
        state: TtnState,
        error: Option<&str>,
    ) -> Result<(), DomainError>;
}

/// A device to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRegistration {
    /// `dirtviz-<logger id>`.
    pub device_id: String,
    /// The logger's name.
    pub name: String,
    pub credentials: LoraCredentials,
}

/// Why a registry call failed. Messages are for logs and the logger's `ttn_error`: they
/// never contain a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Network failure, timeout, 429 or 5xx: another attempt may work.
    #[error("{0}")]
    Retryable(String),
    /// Refused (bad credentials, invalid device): will not work as it is.
    #[error("{0}")]
    Permanent(String),
}

/// The Things Network's end-device registries (Identity, Network, Application and Join
/// Servers). Implementations keep no state between calls: each call builds its requests
/// from its arguments only (upstream leaked one device's AppKey into another's, D-16).
#[async_trait]
pub trait DeviceRegistry: Send + Sync + 'static {
    /// Creates the device on every server. Idempotent (a device that already exists is
    /// updated). When a step fails, what earlier steps created is deleted again before the
    /// error is returned, so no half-registered device is left.
    async fn register(&self, device: &DeviceRegistration) -> Result<(), RegistryError>;

    /// The device as the Identity Server has it (ids, name, timestamps; no keys), or `None`
    /// when it does not exist.
    async fn get(&self, device_id: &str) -> Result<Option<serde_json::Value>, RegistryError>;

    /// Changes the device's name (with a field mask). Errors: `Permanent` when the device
    /// does not exist.
    async fn rename(&self, device_id: &str, name: &str) -> Result<(), RegistryError>;

    /// Deletes the device in TTN's order (NS, AS, JS, then IS); a server that does not know
    /// it counts as done.
    async fn deregister(&self, device_id: &str) -> Result<(), RegistryError>;
}
