//! Loggers (the upstream `logger` table) and their registration with The Things Network.
//!
//! A logger of type `ents` (case-insensitive) is a LoRaWAN node. When it is created with
//! valid credentials and TTN is configured, the row is written at once and registration runs
//! as a job (docs/ttn.md) through the [`DeviceRegistry`] port; the logger records the job's
//! outcome. The AppKey waits in the logger's row until the job finishes, then is wiped: it is
//! never in a job record, a response or a log.

mod credentials;
mod model;
mod ports;
mod registration;
mod service;

#[cfg(test)]
mod tests;

pub use credentials::{AppKey, LoraCredentials, normalise_device_eui};
pub use model::{
    DUPLICATE_LOGGER_NAME, LOGGER_NOT_FOUND, Logger, LoggerChanges, LoggerFilter, LoggerId,
    NewLogger, PendingRegistration, TtnState, device_id,
};
pub use ports::{DeviceRegistration, DeviceRegistry, LoggerRepository, RegistryError};
pub use registration::{RegistrationJobs, TTN_DEREGISTER, TTN_REGISTER, TTN_RENAME};
pub use service::{CreateLogger, CreatedLogger, LoggerService, Registration};
