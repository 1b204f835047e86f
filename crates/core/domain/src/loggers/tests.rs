#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;

use super::*;
use crate::access::AccessPolicy;
use crate::auth::{ApiKeyId, ApiKeyScope, Caller, Credential};
use crate::jobs::{Job, JobFailure, JobId, JobState};
use crate::users::UserId;
use crate::{ConflictKind, DomainError};

#[derive(Default)]
struct FakeRepo {
    rows: Mutex<Vec<(Logger, Option<LoraCredentials>)>>,
}

#[async_trait]
impl LoggerRepository for FakeRepo {
    async fn create(&self, new: NewLogger) -> Result<Logger, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        if rows.iter().any(|(l, _)| l.name == new.name) {
            return Err(DomainError::conflict(
                ConflictKind::DuplicateName,
                DUPLICATE_LOGGER_NAME,
            ));
        }
        let logger = Logger {
            id: LoggerId(rows.len() as i32 + 1),
            name: new.name,
            kind: new.kind,
            device_eui: new.device_eui,
            description: new.description,
            date_created: Utc::now().naive_utc(),
            owner: Some(new.owner),
            ttn_state: new.registration.as_ref().map(|_| TtnState::Pending),
            ttn_error: None,
        };
        rows.push((logger.clone(), new.registration));
        Ok(logger)
    }
    async fn get(&self, id: LoggerId) -> Result<Logger, DomainError> {
        let rows = self.rows.lock().unwrap();
        rows.iter()
            .find(|(l, _)| l.id == id)
            .map(|(l, _)| l.clone())
            .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.into()))
    }
    async fn update(&self, id: LoggerId, changes: LoggerChanges) -> Result<Logger, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let (l, _) = rows
            .iter_mut()
            .find(|(l, _)| l.id == id)
            .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.into()))?;
        if let Some(name) = changes.name {
            l.name = name;
        }
        Ok(l.clone())
    }
    async fn delete(&self, id: LoggerId) -> Result<Logger, DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let at = rows
            .iter()
            .position(|(l, _)| l.id == id)
            .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.into()))?;
        Ok(rows.remove(at).0)
    }
    async fn list(&self, filter: LoggerFilter) -> Result<Vec<Logger>, DomainError> {
        let rows = self.rows.lock().unwrap();
        Ok(rows
            .iter()
            .filter(|(l, _)| filter.owner.is_none() || l.owner == filter.owner)
            .map(|(l, _)| l.clone())
            .collect())
    }
    async fn pending_registration(
        &self,
        id: LoggerId,
    ) -> Result<Option<PendingRegistration>, DomainError> {
        let rows = self.rows.lock().unwrap();
        let (l, c) = rows
            .iter()
            .find(|(l, _)| l.id == id)
            .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.into()))?;
        Ok(c.clone().map(|credentials| PendingRegistration {
            name: l.name.clone(),
            credentials,
        }))
    }
    async fn finish_registration(
        &self,
        id: LoggerId,
        state: TtnState,
        error: Option<&str>,
    ) -> Result<(), DomainError> {
        let mut rows = self.rows.lock().unwrap();
        let (l, c) = rows
            .iter_mut()
            .find(|(l, _)| l.id == id)
            .ok_or_else(|| DomainError::NotFound(LOGGER_NOT_FOUND.into()))?;
        l.ttn_state = Some(state);
        l.ttn_error = error.map(str::to_owned);
        *c = None;
        Ok(())
    }
}

struct FakeRegistry {
    answer: Result<(), RegistryError>,
    calls: Mutex<Vec<String>>,
}

impl FakeRegistry {
    fn answering(answer: Result<(), RegistryError>) -> Arc<Self> {
        Arc::new(Self {
            answer,
            calls: Mutex::default(),
        })
    }
}

#[async_trait]
impl DeviceRegistry for FakeRegistry {
    async fn register(&self, device: &DeviceRegistration) -> Result<(), RegistryError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("register {}", device.device_id));
        self.answer.clone()
    }
    async fn get(&self, _: &str) -> Result<Option<serde_json::Value>, RegistryError> {
        Ok(None)
    }
    async fn rename(&self, device_id: &str, name: &str) -> Result<(), RegistryError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("rename {device_id} {name}"));
        Ok(())
    }
    async fn deregister(&self, device_id: &str) -> Result<(), RegistryError> {
        self.calls
            .lock()
            .unwrap()
            .push(format!("deregister {device_id}"));
        Ok(())
    }
}

fn user() -> Caller {
    Caller::new(UserId::new(), Credential::AccessToken)
}

fn ingest_key(of: &Caller) -> Caller {
    Caller::new(
        of.user_id,
        Credential::ApiKey {
            key_id: ApiKeyId(uuid::Uuid::new_v4()),
            scope: ApiKeyScope::Ingest,
        },
    )
}

fn input(name: &str, kind: &str) -> CreateLogger {
    CreateLogger {
        name: name.into(),
        kind: kind.into(),
        ..CreateLogger::default()
    }
}

fn job(kind: &str, payload: serde_json::Value, attempts: i32) -> Job {
    let now = Utc::now();
    Job {
        id: JobId::new(),
        kind: kind.into(),
        state: JobState::Running,
        attempts,
        max_attempts: 3,
        progress: 0.0,
        payload,
        result: None,
        error: None,
        created_at: now,
        updated_at: now,
        started_at: Some(now),
        finished_at: None,
        run_after: now,
        lease_until: None,
    }
}

const KEY: &str = "CEC24E6A258B2B20A5A7C05ABD2C1724";

#[test]
fn credentials_strip_non_hex_and_need_exact_lengths() {
    let c = LoraCredentials::parse(
        Some("00-80-e1-15-05-46-d0-93"),
        Some("0101010101010101"),
        Some(KEY),
    )
    .unwrap();
    assert_eq!(c.dev_eui, "0080e1150546d093");
    assert_eq!(c.app_key.expose(), KEY);
    assert!(!format!("{c:?}").contains(KEY));
    assert!(LoraCredentials::parse(Some("ZZZZ"), Some("short"), Some("bad")).is_none());
    assert!(LoraCredentials::parse(Some("0080E1150546D093"), None, Some(KEY)).is_none());
}

#[test]
fn device_eui_is_trimmed_and_upper_cased() {
    assert_eq!(
        normalise_device_eui(Some(" 0080e1150546d093 ")),
        "0080E1150546D093"
    );
    assert_eq!(normalise_device_eui(None), "");
}

#[tokio::test]
async fn the_caller_owns_what_it_creates_and_only_the_owner_changes_it() {
    let service = LoggerService::new(Arc::new(FakeRepo::default()), None, AccessPolicy::default());
    let owner = user();
    let stranger = user();
    let created = service
        .create(Some(&owner), input("a", "wifi"))
        .await
        .unwrap();
    assert_eq!(created.logger.owner, Some(owner.user_id));
    assert_eq!(created.registration, Registration::NotApplicable);
    let id = created.logger.id;

    let rename = LoggerChanges {
        name: Some("b".into()),
        description: None,
    };
    assert!(matches!(
        service.update(Some(&stranger), id, rename.clone()).await,
        Err(DomainError::Forbidden(_))
    ));
    assert!(matches!(
        service.update(None, id, rename.clone()).await,
        Err(DomainError::Unauthenticated(_))
    ));
    assert!(matches!(
        service.delete(Some(&ingest_key(&owner)), id).await,
        Err(DomainError::Forbidden(_))
    ));
    assert_eq!(service.get(Some(&stranger), id).await.unwrap().name, "a");
    service.update(Some(&owner), id, rename).await.unwrap();
    service.delete(Some(&owner), id).await.unwrap();
}

#[tokio::test]
async fn an_ingest_key_creates_nothing_and_names_are_unique() {
    let service = LoggerService::new(Arc::new(FakeRepo::default()), None, AccessPolicy::default());
    let owner = user();
    assert!(matches!(
        service
            .create(Some(&ingest_key(&owner)), input("a", ""))
            .await,
        Err(DomainError::Forbidden(_))
    ));
    service.create(Some(&owner), input("a", "")).await.unwrap();
    match service.create(Some(&owner), input("a", "")).await {
        Err(DomainError::Conflict {
            kind: ConflictKind::DuplicateName,
            message,
        }) => assert_eq!(message, DUPLICATE_LOGGER_NAME),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn ents_without_ttn_or_credentials_is_skipped() {
    let service = LoggerService::new(Arc::new(FakeRepo::default()), None, AccessPolicy::default());
    let owner = user();
    let bare = service
        .create(Some(&owner), input("a", "ENTS"))
        .await
        .unwrap();
    assert_eq!(bare.registration, Registration::SkippedInvalidCredentials);
    let mut full = input("b", "ents");
    full.dev_eui = Some("0080E1150546D093".into());
    full.join_eui = Some("0101010101010101".into());
    full.app_key = Some(KEY.into());
    let full = service.create(Some(&owner), full).await.unwrap();
    assert_eq!(full.registration, Registration::SkippedNotConfigured);
    assert_eq!(full.logger.ttn_state, None);
}

async fn pending_logger(repo: &FakeRepo) -> LoggerId {
    repo.create(NewLogger {
        name: "node".into(),
        kind: "ents".into(),
        device_eui: String::new(),
        description: String::new(),
        owner: UserId::new(),
        registration: LoraCredentials::parse(
            Some("0080E1150546D093"),
            Some("0101010101010101"),
            Some(KEY),
        ),
    })
    .await
    .unwrap()
    .id
}

#[tokio::test]
async fn registration_success_marks_the_logger_and_wipes_the_key() {
    let repo = Arc::new(FakeRepo::default());
    let id = pending_logger(&repo).await;
    let registry = FakeRegistry::answering(Ok(()));
    let jobs = RegistrationJobs::new(repo.clone(), registry.clone());
    let result = jobs
        .register(&job(
            TTN_REGISTER,
            serde_json::json!({"logger_id": id.0}),
            1,
        ))
        .await
        .unwrap();
    assert!(!result.to_string().contains(KEY));
    assert_eq!(
        repo.get(id).await.unwrap().ttn_state,
        Some(TtnState::Registered)
    );
    assert_eq!(repo.pending_registration(id).await.unwrap(), None);
    // A redelivery does nothing.
    jobs.register(&job(
        TTN_REGISTER,
        serde_json::json!({"logger_id": id.0}),
        2,
    ))
    .await
    .unwrap();
    assert_eq!(registry.calls.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn retryable_failures_stay_pending_until_the_last_attempt() {
    let repo = Arc::new(FakeRepo::default());
    let id = pending_logger(&repo).await;
    let registry =
        FakeRegistry::answering(Err(RegistryError::Retryable("TTN answered 503".into())));
    let jobs = RegistrationJobs::new(repo.clone(), registry);
    let payload = serde_json::json!({"logger_id": id.0});
    assert!(matches!(
        jobs.register(&job(TTN_REGISTER, payload.clone(), 1)).await,
        Err(JobFailure::Retryable(_))
    ));
    assert_eq!(
        repo.get(id).await.unwrap().ttn_state,
        Some(TtnState::Pending)
    );
    assert!(matches!(
        jobs.register(&job(TTN_REGISTER, payload, 3)).await,
        Err(JobFailure::Permanent(_))
    ));
    let logger = repo.get(id).await.unwrap();
    assert_eq!(logger.ttn_state, Some(TtnState::Failed));
    assert!(logger.ttn_error.unwrap().contains("503"));
    assert_eq!(repo.pending_registration(id).await.unwrap(), None);
}

#[tokio::test]
async fn a_logger_deleted_before_its_job_is_not_registered() {
    let repo = Arc::new(FakeRepo::default());
    let id = pending_logger(&repo).await;
    repo.delete(id).await.unwrap();
    let registry = FakeRegistry::answering(Ok(()));
    let jobs = RegistrationJobs::new(repo, registry.clone());
    jobs.register(&job(
        TTN_REGISTER,
        serde_json::json!({"logger_id": id.0}),
        1,
    ))
    .await
    .unwrap();
    assert!(registry.calls.lock().unwrap().is_empty());
}
