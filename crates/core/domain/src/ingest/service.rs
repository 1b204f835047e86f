//! The ingestion use cases.

use std::collections::BTreeSet;
use std::num::NonZeroU32;
use std::sync::Arc;

use super::auth::{DeviceAuthorizer, DeviceCredentials};
use super::named::{
    NamedPowerReading, NamedReadingStore, NamedTerosReading, StoredPower, StoredTeros,
};
use super::store::{MeasurementStore, StoreOutcome};
use crate::DomainError;
use crate::live::LiveFeed;
use crate::measurements::{MeasurementReceived, Upload};

/// Messages of the `Unauthenticated` refusals (shown to the device).
pub const API_KEY_REQUIRED: &str = "An X-API-Key header is required to upload measurements";
pub const API_KEYS_UNAVAILABLE: &str = "API keys cannot be checked by this server";

/// Device-authentication options (both off by default because deployed firmware sends no
/// credentials).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IngestSettings {
    /// `ingest.require_api_key`: refuse uploads without an `X-API-Key`.
    pub require_api_key: bool,
}

/// Stores device uploads and pushes them live.
#[derive(Clone)]
pub struct IngestService {
    store: Arc<dyn MeasurementStore>,
    named: Arc<dyn NamedReadingStore>,
    live: Option<Arc<dyn LiveFeed>>,
    authorizer: Option<Arc<dyn DeviceAuthorizer>>,
    settings: IngestSettings,
}

impl IngestService {
    pub fn new(
        store: Arc<dyn MeasurementStore>,
        named: Arc<dyn NamedReadingStore>,
        settings: IngestSettings,
    ) -> Self {
        Self {
            store,
            named,
            live: None,
            authorizer: None,
            settings,
        }
    }

    /// Publishes `measurement_received` events after each commit.
    pub fn with_live_feed(mut self, live: Arc<dyn LiveFeed>) -> Self {
        self.live = Some(live);
        self
    }

    /// Checks presented API keys. Without one, a presented key is refused (fail closed).
    pub fn with_authorizer(mut self, authorizer: Arc<dyn DeviceAuthorizer>) -> Self {
        self.authorizer = Some(authorizer);
        self
    }

    pub fn settings(&self) -> IngestSettings {
        self.settings
    }

    /// Stores `upload` (all or nothing, idempotently) and, once it is committed with at least
    /// one new row, publishes its live events. A pure retry (every row already stored) is
    /// answered the same but emits nothing: the dashboards already have those points.
    ///
    /// Errors: `Unauthenticated` / `Forbidden` from the device checks (nothing stored);
    /// `Unavailable` / `Internal` from the store. A live-feed failure is logged, never
    /// returned: the upload is stored.
    #[tracing::instrument(name = "ingest", skip_all, fields(kind = upload_kind(upload), cells = ?upload.cell_ids()))]
    pub async fn ingest(
        &self,
        upload: &Upload,
        device: &DeviceCredentials,
    ) -> Result<StoreOutcome, DomainError> {
        self.authenticate(device, &upload.cell_ids()).await?;
        let outcome = self.store.store(upload).await?;
        match &outcome {
            StoreOutcome::Committed {
                inserted,
                duplicates,
            } => {
                tracing::debug!(inserted, duplicates, "upload stored");
                if *inserted > 0 {
                    publish(self.live.as_deref(), &upload.live_events()).await;
                }
            }
            StoreOutcome::Accepted => tracing::debug!("upload queued"),
            StoreOutcome::Missing(missing) => {
                tracing::info!(cells = ?missing.cells, loggers = ?missing.loggers, "upload refers to unknown rows; nothing stored");
            }
        }
        Ok(outcome)
    }

    /// `POST /api/power/`. Errors as [`IngestService::ingest`].
    #[tracing::instrument(name = "ingest_named_power", skip_all)]
    pub async fn store_power_reading(
        &self,
        reading: &NamedPowerReading,
        device: &DeviceCredentials,
    ) -> Result<StoredPower, DomainError> {
        self.authenticate_named(device, &reading.cell_name).await?;
        self.named.store_power(reading).await
    }

    /// `POST /api/teros/`. Errors as [`IngestService::ingest`].
    #[tracing::instrument(name = "ingest_named_teros", skip_all)]
    pub async fn store_teros_reading(
        &self,
        reading: &NamedTerosReading,
        device: &DeviceCredentials,
    ) -> Result<StoredTeros, DomainError> {
        self.authenticate_named(device, &reading.cell_name).await?;
        self.named.store_teros(reading).await
    }

    async fn authenticate_named(
        &self,
        device: &DeviceCredentials,
        cell_name: &str,
    ) -> Result<(), DomainError> {
        // Only a presented key needs the cell's id; anonymous uploads skip the lookup.
        let cells = if device.api_key.is_some() {
            self.named.find_cell(cell_name).await?.into_iter().collect()
        } else {
            BTreeSet::new()
        };
        self.authenticate(device, &cells).await
    }

    async fn authenticate(
        &self,
        device: &DeviceCredentials,
        cells: &BTreeSet<NonZeroU32>,
    ) -> Result<(), DomainError> {
        match (&device.api_key, &self.authorizer) {
            (Some(key), Some(authorizer)) => authorizer.authorize(key, cells).await,
            (Some(_), None) => Err(DomainError::Unauthenticated(
                API_KEYS_UNAVAILABLE.to_owned(),
            )),
            (None, _) if self.settings.require_api_key => {
                Err(DomainError::Unauthenticated(API_KEY_REQUIRED.to_owned()))
            }
            (None, _) => Ok(()),
        }
    }
}

/// The queued mode's consumer side: writes the uploads of many messages in one transaction,
/// then publishes the live events of those that stored something new.
#[derive(Clone)]
pub struct BatchWriter {
    store: Arc<dyn MeasurementStore>,
    live: Option<Arc<dyn LiveFeed>>,
}

impl BatchWriter {
    pub fn new(store: Arc<dyn MeasurementStore>, live: Option<Arc<dyn LiveFeed>>) -> Self {
        Self { store, live }
    }

    /// Outcomes in the order of `uploads`. Errors: those of [`MeasurementStore::store_batch`]
    /// (nothing of the batch stored).
    #[tracing::instrument(name = "ingest_batch", skip_all, fields(uploads = uploads.len()))]
    pub async fn write(&self, uploads: &[Upload]) -> Result<Vec<StoreOutcome>, DomainError> {
        let outcomes = self.store.store_batch(uploads).await?;
        let events: Vec<MeasurementReceived> = uploads
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, StoreOutcome::Committed { inserted, .. } if *inserted > 0))
            .flat_map(|(u, _)| u.live_events())
            .collect();
        publish(self.live.as_deref(), &events).await;
        Ok(outcomes)
    }
}

/// Best effort (the `LiveFeed` contract): failures are logged, never returned.
async fn publish(live: Option<&dyn LiveFeed>, events: &[MeasurementReceived]) {
    let Some(live) = live else { return };
    if events.is_empty() {
        return;
    }
    if let Err(error) = live.publish(events).await {
        tracing::warn!(%error, events = events.len(), "live push failed; the upload is stored");
    }
}

fn upload_kind(upload: &Upload) -> &'static str {
    match upload {
        Upload::Legacy(m) => m.kind().type_name(),
        Upload::Generic(_) => "generic",
    }
}
