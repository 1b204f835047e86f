#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The use cases against in-memory fakes: ordering of store and live push, and the device
//! authentication options.

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::*;
use crate::DomainError;
use crate::live::LiveFeed;
use crate::measurements::{
    DeviceTime, LegacyKind, LegacyMeasurement, MeasurementReceived, Meta, Power, RawMeta, Upload,
};

#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    fn entries(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct FakeStore {
    log: Arc<Log>,
    outcome: StoreOutcome,
}

#[async_trait]
impl MeasurementStore for FakeStore {
    async fn store(&self, _: &Upload) -> Result<StoreOutcome, DomainError> {
        self.log.push("store");
        Ok(self.outcome.clone())
    }
}

#[async_trait]
impl NamedReadingStore for FakeStore {
    async fn find_cell(&self, name: &str) -> Result<Option<NonZeroU32>, DomainError> {
        self.log.push(format!("find {name}"));
        Ok(NonZeroU32::new(7))
    }
    async fn store_power(&self, r: &NamedPowerReading) -> Result<StoredPower, DomainError> {
        self.log.push("store_power");
        Ok(StoredPower {
            id: 1,
            ts: r.ts.utc(),
            ts_server: None,
            voltage: Some(r.voltage),
            current: Some(r.current),
        })
    }
    async fn store_teros(&self, _: &NamedTerosReading) -> Result<StoredTeros, DomainError> {
        unimplemented!()
    }
}

struct FakeLive(Arc<Log>);

#[async_trait]
impl LiveFeed for FakeLive {
    async fn publish(&self, events: &[MeasurementReceived]) -> Result<(), DomainError> {
        self.0.push(format!("publish {}", events.len()));
        Err(DomainError::Unavailable("no subscribers today".into()))
    }
}

struct FakeAuthorizer(Arc<Log>);

#[async_trait]
impl DeviceAuthorizer for FakeAuthorizer {
    async fn authorize(
        &self,
        key: &ApiKeySecret,
        cells: &BTreeSet<NonZeroU32>,
    ) -> Result<(), DomainError> {
        self.0.push(format!("authorize {cells:?}"));
        match key.expose() {
            "good" => Ok(()),
            "stranger" => Err(DomainError::Forbidden("not your cell".into())),
            _ => Err(DomainError::Unauthenticated("Invalid API key".into())),
        }
    }
}

fn upload() -> Upload {
    let meta = Meta::legacy(RawMeta {
        cell_id: 3,
        logger_id: 1,
        ts: 1_700_000_000,
    })
    .unwrap();
    Upload::Legacy(LegacyMeasurement::new(meta, LegacyKind::Power(Power::default())).unwrap())
}

fn make_service(outcome: StoreOutcome, settings: IngestSettings) -> (IngestService, Arc<Log>) {
    let log = Arc::new(Log::default());
    let store = Arc::new(FakeStore {
        log: log.clone(),
        outcome,
    });
    let service = IngestService::new(store.clone(), store, settings)
        .with_live_feed(Arc::new(FakeLive(log.clone())))
        .with_authorizer(Arc::new(FakeAuthorizer(log.clone())));
    (service, log)
}

fn committed(inserted: usize) -> StoreOutcome {
    StoreOutcome::Committed {
        inserted,
        duplicates: 0,
    }
}

#[tokio::test]
async fn live_events_follow_the_commit_and_their_failure_is_not_the_uploads() {
    let (service, log) = make_service(committed(1), IngestSettings::default());
    let outcome = service
        .ingest(&upload(), &DeviceCredentials::anonymous())
        .await
        .unwrap();
    assert_eq!(outcome, committed(1));
    assert_eq!(log.entries(), ["store", "publish 1"]);
}

#[tokio::test]
async fn a_pure_retry_and_a_refused_upload_emit_nothing() {
    for outcome in [
        committed(0),
        StoreOutcome::Missing(MissingReferences::default()),
        StoreOutcome::Accepted,
    ] {
        let (service, log) = make_service(outcome, IngestSettings::default());
        service
            .ingest(&upload(), &DeviceCredentials::anonymous())
            .await
            .unwrap();
        assert_eq!(log.entries(), ["store"]);
    }
}

#[tokio::test]
async fn a_presented_key_is_checked_against_the_uploads_cells() {
    let (service, log) = make_service(committed(1), IngestSettings::default());
    service
        .ingest(&upload(), &DeviceCredentials::with_api_key("good"))
        .await
        .unwrap();
    assert_eq!(log.entries()[0], "authorize {3}");

    let (service, log) = make_service(committed(1), IngestSettings::default());
    let err = service
        .ingest(&upload(), &DeviceCredentials::with_api_key("bad"))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(_)));
    let err = service
        .ingest(&upload(), &DeviceCredentials::with_api_key("stranger"))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Forbidden(_)));
    assert!(
        !log.entries().contains(&"store".to_owned()),
        "nothing stored"
    );
}

#[tokio::test]
async fn require_api_key_refuses_anonymous_uploads() {
    let settings = IngestSettings {
        require_api_key: true,
    };
    let (service, log) = make_service(committed(1), settings);
    let err = service
        .ingest(&upload(), &DeviceCredentials::anonymous())
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(m) if m == service::API_KEY_REQUIRED));
    assert!(log.entries().is_empty());
}

#[tokio::test]
async fn without_an_authorizer_a_presented_key_is_refused() {
    let log = Arc::new(Log::default());
    let store = Arc::new(FakeStore {
        log: log.clone(),
        outcome: committed(1),
    });
    let service = IngestService::new(store.clone(), store, IngestSettings::default());
    let err = service
        .ingest(&upload(), &DeviceCredentials::with_api_key("good"))
        .await
        .unwrap_err();
    assert!(matches!(err, DomainError::Unauthenticated(_)));
}

#[tokio::test]
async fn named_readings_check_the_key_against_the_named_cell() {
    let (service, log) = make_service(committed(1), IngestSettings::default());
    let reading = NamedPowerReading {
        logger_name: "l".into(),
        cell_name: "c".into(),
        ts: DeviceTime::from_unix(1),
        voltage: 1.0,
        current: 2.0,
    };
    service
        .store_power_reading(&reading, &DeviceCredentials::with_api_key("good"))
        .await
        .unwrap();
    assert_eq!(log.entries(), ["find c", "authorize {7}", "store_power"]);
}

#[tokio::test]
async fn the_batch_writer_pushes_only_what_was_newly_committed() {
    let log = Arc::new(Log::default());
    let store = Arc::new(FakeStore {
        log: log.clone(),
        outcome: committed(1),
    });
    let writer = BatchWriter::new(store, Some(Arc::new(FakeLive(log.clone()))));
    let outcomes = writer.write(&[upload(), upload()]).await.unwrap();
    assert_eq!(outcomes.len(), 2);
    assert_eq!(log.entries(), ["store", "store", "publish 2"]);
}
