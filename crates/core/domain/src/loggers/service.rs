use std::sync::Arc;

use serde_json::json;

use super::credentials::{LoraCredentials, normalise_device_eui};
use super::model::{
    Logger, LoggerChanges, LoggerFilter, LoggerId, NewLogger, TtnState, device_id, is_ents,
};
use super::ports::{DeviceRegistry, LoggerRepository};
use super::registration::{TTN_DEREGISTER, TTN_REGISTER, TTN_RENAME};
use crate::DomainError;
use crate::access::{AccessPolicy, Action, ResourceFacts, ResourceKind, authorize, require_caller};
use crate::auth::Caller;
use crate::jobs::JobService;

/// A create request, already validated at the edge (name non-empty and short enough).
#[derive(Debug, Clone, Default)]
pub struct CreateLogger {
    pub name: String,
    pub kind: String,
    /// Raw body value; normalised here.
    pub device_eui: Option<String>,
    pub description: String,
    pub dev_eui: Option<String>,
    pub join_eui: Option<String>,
    pub app_key: Option<String>,
}

/// What happened about TTN when a logger was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    /// Not a LoRaWAN (`ents`) logger.
    NotApplicable,
    /// `ents`, but the credentials are missing or invalid.
    SkippedInvalidCredentials,
    /// `ents` with valid credentials, but this deployment has no TTN configuration.
    SkippedNotConfigured,
    /// The registration job is queued.
    Pending,
}

#[derive(Debug, Clone)]
pub struct CreatedLogger {
    pub logger: Logger,
    pub registration: Registration,
}

/// The logger use cases, with the access policy applied (docs/compatibility.md#loggers): any
/// identified caller but an ingest-only key may create (and owns what it creates); only the owner
/// changes or deletes; reads follow `access.public_read`.
#[derive(Clone)]
pub struct LoggerService {
    repo: Arc<dyn LoggerRepository>,
    /// Submits TTN jobs; `None` when TTN is not configured.
    ttn_jobs: Option<JobService>,
    /// Reads a device's live state for `get_with_ttn_status`; `None` when TTN is not
    /// configured.
    registry: Option<Arc<dyn DeviceRegistry>>,
    policy: AccessPolicy,
}

impl LoggerService {
    pub fn new(
        repo: Arc<dyn LoggerRepository>,
        ttn_jobs: Option<JobService>,
        policy: AccessPolicy,
    ) -> Self {
        Self {
            repo,
            ttn_jobs,
            registry: None,
            policy,
        }
    }

    /// Lets `get_with_ttn_status` ask TTN for the device of an `ents` logger.
    pub fn with_device_registry(mut self, registry: Arc<dyn DeviceRegistry>) -> Self {
        self.registry = Some(registry);
        self
    }

    /// `only_mine`: the caller's loggers; otherwise every logger when reads are public, else
    /// the caller's. Errors: those of `require_caller`-less reads (an anonymous caller sees
    /// everything only when reads are public).
    pub async fn list(
        &self,
        caller: Option<&Caller>,
        only_mine: bool,
    ) -> Result<Vec<Logger>, DomainError> {
        let owner = if only_mine || !self.policy.public_read {
            let caller = caller.ok_or_else(|| {
                DomainError::Unauthenticated(crate::auth::NO_CREDENTIALS.to_owned())
            })?;
            Some(caller.user_id)
        } else {
            None
        };
        self.repo.list(LoggerFilter { owner }).await
    }

    /// Errors: `NotFound`; `Forbidden` when reads are not public and the caller is not the
    /// owner.
    pub async fn get(&self, caller: Option<&Caller>, id: LoggerId) -> Result<Logger, DomainError> {
        let logger = self.repo.get(id).await?;
        authorize(self.policy, caller, Action::Read, &facts(&logger))?;
        Ok(logger)
    }

    /// [`get`](Self::get), plus, for an `ents` logger when TTN is configured, the device as
    /// TTN's Identity Server has it now (upstream's `ttn_status`). That part is best effort,
    /// as upstream: a device TTN does not know, or a TTN that does not answer (bounded by the
    /// adapter's timeout), gives `None` and a warning, never an error. Whatever TTN sends,
    /// keys are removed (`root_keys`, `session`): upstream leaked AppKeys here (D-16).
    /// Errors: those of `get`.
    pub async fn get_with_ttn_status(
        &self,
        caller: Option<&Caller>,
        id: LoggerId,
    ) -> Result<(Logger, Option<serde_json::Value>), DomainError> {
        let logger = self.get(caller, id).await?;
        let Some(registry) = self.registry.as_ref().filter(|_| logger.is_ents()) else {
            return Ok((logger, None));
        };
        let status = match registry.get(&device_id(logger.id)).await {
            Ok(Some(mut device)) => {
                if let Some(fields) = device.as_object_mut() {
                    fields.remove("root_keys");
                    fields.remove("session");
                    fields.remove("pending_session");
                }
                Some(device)
            }
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(logger = logger.id.0, %error, "could not read the device from TTN");
                None
            }
        };
        Ok((logger, status))
    }

    /// Creates a logger owned by the caller and, for an `ents` logger with valid credentials,
    /// queues its TTN registration. Errors: `Unauthenticated`/`Forbidden` (see
    /// `require_caller`); `Conflict(DuplicateName, DUPLICATE_LOGGER_NAME)`.
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        input: CreateLogger,
    ) -> Result<CreatedLogger, DomainError> {
        let caller = require_caller(caller)?;
        let credentials = is_ents(&input.kind)
            .then(|| {
                LoraCredentials::parse(
                    input.dev_eui.as_deref(),
                    input.join_eui.as_deref(),
                    input.app_key.as_deref(),
                )
            })
            .flatten();
        let registration = match (is_ents(&input.kind), &credentials, &self.ttn_jobs) {
            (false, _, _) => Registration::NotApplicable,
            (true, None, _) => Registration::SkippedInvalidCredentials,
            (true, Some(_), None) => Registration::SkippedNotConfigured,
            (true, Some(_), Some(_)) => Registration::Pending,
        };
        let new = NewLogger {
            name: input.name,
            kind: input.kind,
            device_eui: normalise_device_eui(input.device_eui.as_deref()),
            description: input.description,
            owner: caller.user_id,
            registration: credentials.filter(|_| registration == Registration::Pending),
        };
        let logger = self.repo.create(new).await?;
        if registration == Registration::Pending {
            self.submit(
                TTN_REGISTER,
                json!({ "logger_id": logger.id.0 }),
                Some(logger.id),
            )
            .await?;
        }
        Ok(CreatedLogger {
            logger,
            registration,
        })
    }

    /// Errors: `NotFound`; `Unauthenticated`/`Forbidden` unless the caller owns it;
    /// `Conflict(DuplicateName, DUPLICATE_LOGGER_NAME)` when renamed to a taken name.
    pub async fn update(
        &self,
        caller: Option<&Caller>,
        id: LoggerId,
        changes: LoggerChanges,
    ) -> Result<Logger, DomainError> {
        let before = self.repo.get(id).await?;
        authorize(self.policy, caller, Action::Write, &facts(&before))?;
        let renamed = changes.name.as_ref().is_some_and(|n| *n != before.name);
        let logger = self.repo.update(id, changes).await?;
        // A pending registration reads the name when it runs, so only a registered device
        // needs the rename sent.
        if renamed && logger.is_ents() && logger.ttn_state == Some(TtnState::Registered) {
            self.submit(TTN_RENAME, json!({ "logger_id": id.0 }), None)
                .await?;
        }
        Ok(logger)
    }

    /// Deletes the logger (its measurements stay with the cell) and queues the removal of
    /// its TTN device. Errors: `NotFound`; `Unauthenticated`/`Forbidden` unless the caller
    /// owns it.
    pub async fn delete(&self, caller: Option<&Caller>, id: LoggerId) -> Result<(), DomainError> {
        let logger = self.repo.get(id).await?;
        authorize(self.policy, caller, Action::Write, &facts(&logger))?;
        let deleted = self.repo.delete(id).await?;
        if deleted.is_ents() && deleted.ttn_state.is_some() {
            self.submit(TTN_DEREGISTER, json!({ "device_id": device_id(id) }), None)
                .await?;
        }
        Ok(())
    }

    /// Queues a TTN job. A registration that cannot be queued is marked failed, so the
    /// logger does not look pending forever.
    async fn submit(
        &self,
        kind: &str,
        payload: serde_json::Value,
        registering: Option<LoggerId>,
    ) -> Result<(), DomainError> {
        let Some(jobs) = &self.ttn_jobs else {
            return Ok(());
        };
        if let Err(error) = jobs.submit(kind, payload).await {
            tracing::error!(%error, kind, "could not queue a TTN job");
            if let Some(id) = registering {
                self.repo
                    .finish_registration(
                        id,
                        TtnState::Failed,
                        Some("could not queue the registration"),
                    )
                    .await?;
            }
            return Err(error);
        }
        Ok(())
    }
}

fn facts(logger: &Logger) -> ResourceFacts {
    ResourceFacts::new(ResourceKind::Logger, logger.owner, vec![])
}
