//! The TTN jobs: what the worker runs for a logger's device. Every step is idempotent, so a
//! redelivered job is harmless.

use std::sync::Arc;

use serde_json::{Value, json};

use super::model::{LoggerId, TtnState, device_id};
use super::ports::{DeviceRegistration, DeviceRegistry, LoggerRepository, RegistryError};
use crate::DomainError;
use crate::jobs::{Job, JobFailure};

/// Job kinds. Payloads: register and rename `{"logger_id": n}`, deregister
/// `{"device_id": "dirtviz-n"}`. No payload ever holds a key: the AppKey waits in the
/// logger's row and is wiped when registration finishes.
pub const TTN_REGISTER: &str = "ttn.register";
pub const TTN_RENAME: &str = "ttn.rename";
pub const TTN_DEREGISTER: &str = "ttn.deregister";

/// Runs the TTN jobs against the ports.
#[derive(Clone)]
pub struct RegistrationJobs {
    repo: Arc<dyn LoggerRepository>,
    registry: Arc<dyn DeviceRegistry>,
}

impl RegistrationJobs {
    pub fn new(repo: Arc<dyn LoggerRepository>, registry: Arc<dyn DeviceRegistry>) -> Self {
        Self { repo, registry }
    }

    /// Registers the logger's device. A retryable failure keeps the logger `pending` while
    /// attempts remain; otherwise the logger becomes `failed` with the reason and the
    /// credentials are wiped.
    pub async fn register(&self, job: &Job) -> Result<Value, JobFailure> {
        let id = logger_id(job)?;
        let pending = match self.repo.pending_registration(id).await {
            Ok(Some(pending)) => pending,
            Ok(None) => return Ok(json!({ "skipped": "nothing to register" })),
            Err(DomainError::NotFound(_)) => return Ok(json!({ "skipped": "logger deleted" })),
            Err(error) => return Err(store_failure(error)),
        };
        let device = DeviceRegistration {
            device_id: device_id(id),
            name: pending.name,
            credentials: pending.credentials,
        };
        match self.registry.register(&device).await {
            Ok(()) => {
                match self
                    .repo
                    .finish_registration(id, TtnState::Registered, None)
                    .await
                {
                    Ok(()) => Ok(json!({ "device_id": device.device_id, "registered": true })),
                    // Deleted while registering: its deregistration may have run before the
                    // device existed, so remove it here.
                    Err(DomainError::NotFound(_)) => {
                        self.registry
                            .deregister(&device.device_id)
                            .await
                            .map_err(registry_failure)?;
                        Ok(json!({ "skipped": "logger deleted" }))
                    }
                    Err(error) => Err(store_failure(error)),
                }
            }
            Err(RegistryError::Retryable(reason)) if job.attempts < job.max_attempts => {
                tracing::warn!(logger.id = %id, %reason, "TTN registration will be retried");
                Err(JobFailure::Retryable(reason))
            }
            Err(error) => {
                let reason = format!("TTN registration failed: {error}");
                tracing::warn!(logger.id = %id, %reason);
                match self
                    .repo
                    .finish_registration(id, TtnState::Failed, Some(&reason))
                    .await
                {
                    Ok(()) | Err(DomainError::NotFound(_)) => {}
                    Err(error) => return Err(store_failure(error)),
                }
                Err(JobFailure::Permanent(reason))
            }
        }
    }

    /// Sends the logger's current name to TTN (a failure leaves the logger as it is).
    pub async fn rename(&self, job: &Job) -> Result<Value, JobFailure> {
        let id = logger_id(job)?;
        let logger = match self.repo.get(id).await {
            Ok(logger) => logger,
            Err(DomainError::NotFound(_)) => return Ok(json!({ "skipped": "logger deleted" })),
            Err(error) => return Err(store_failure(error)),
        };
        if logger.ttn_state != Some(TtnState::Registered) {
            return Ok(json!({ "skipped": "not registered" }));
        }
        self.registry
            .rename(&device_id(id), &logger.name)
            .await
            .map_err(registry_failure)?;
        Ok(json!({ "device_id": device_id(id), "renamed": true }))
    }

    /// Removes the device from TTN.
    pub async fn deregister(&self, job: &Job) -> Result<Value, JobFailure> {
        let device = job
            .payload
            .get("device_id")
            .and_then(Value::as_str)
            .filter(|d| d.starts_with("dirtviz-"))
            .ok_or_else(|| {
                JobFailure::Permanent("payload needs a dirtviz-<id> device_id".into())
            })?;
        self.registry
            .deregister(device)
            .await
            .map_err(registry_failure)?;
        Ok(json!({ "device_id": device, "deregistered": true }))
    }
}

fn logger_id(job: &Job) -> Result<LoggerId, JobFailure> {
    job.payload
        .get("logger_id")
        .and_then(Value::as_i64)
        .and_then(|n| i32::try_from(n).ok())
        .map(LoggerId)
        .ok_or_else(|| JobFailure::Permanent("payload needs an integer logger_id".into()))
}

fn registry_failure(error: RegistryError) -> JobFailure {
    match error {
        RegistryError::Retryable(m) => JobFailure::Retryable(m),
        RegistryError::Permanent(m) => JobFailure::Permanent(m),
    }
}

fn store_failure(error: DomainError) -> JobFailure {
    match error {
        DomainError::Unavailable(m) => JobFailure::Retryable(m),
        other => JobFailure::Retryable(other.to_string()),
    }
}
