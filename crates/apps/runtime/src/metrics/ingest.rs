//! Uploads measured where every mode passes: a [`MeasurementStore`] wrapper counting uploads
//! by kind and outcome, and the rows they stored or found already stored.

use std::sync::Arc;

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::ingest::{MeasurementStore, StoreOutcome};
use ents_domain::measurements::Upload;

use super::catalogue::{ROWS_DUPLICATE, ROWS_STORED, UPLOADS};

/// Counts what `inner` does with each upload.
pub struct MeteredStore(pub Arc<dyn MeasurementStore>);

#[async_trait]
impl MeasurementStore for MeteredStore {
    async fn store(&self, upload: &Upload) -> Result<StoreOutcome, DomainError> {
        let result = self.0.store(upload).await;
        record(upload, result.as_ref());
        result
    }

    async fn store_batch(&self, uploads: &[Upload]) -> Result<Vec<StoreOutcome>, DomainError> {
        let result = self.0.store_batch(uploads).await;
        match &result {
            Ok(outcomes) => {
                for (upload, outcome) in uploads.iter().zip(outcomes) {
                    record(upload, Ok(outcome));
                }
            }
            Err(error) => uploads.iter().for_each(|u| record(u, Err(error))),
        }
        result
    }
}

fn record(upload: &Upload, result: Result<&StoreOutcome, &DomainError>) {
    let kind = match upload {
        Upload::Legacy(_) => "legacy",
        Upload::Generic(_) => "generic",
    };
    let outcome = match result {
        Ok(StoreOutcome::Committed {
            inserted,
            duplicates,
        }) => {
            metrics::counter!(ROWS_STORED).increment(*inserted as u64);
            metrics::counter!(ROWS_DUPLICATE).increment(*duplicates as u64);
            "committed"
        }
        Ok(StoreOutcome::Accepted) => "accepted",
        Ok(StoreOutcome::Missing(_)) => "missing_reference",
        Err(DomainError::Unavailable(_)) => "unavailable",
        Err(_) => "error",
    };
    metrics::counter!(UPLOADS, "kind" => kind, "outcome" => outcome).increment(1);
}
