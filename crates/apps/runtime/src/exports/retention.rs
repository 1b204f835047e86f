//! The export-file retention sweep: deletes files older than `exports.retention_hours` on a
//! timer, so an idle deployment does not keep expired exports until the next export starts.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ents_domain::exports::ExportFileStore;

/// How often the retention sweep runs: often enough that a file outlives its retention by
/// at most this much, rarely enough that listing the directory costs nothing.
pub const RETENTION_SWEEP_INTERVAL: Duration = Duration::from_secs(600);

/// Every `interval` (first at once), deletes export files last written more than
/// `retention` ago; their downloads then answer 404 `Export file expired`. Several sweeps
/// may run at once (worker and server): a file already gone is not an error. Returns when
/// `shutdown` resolves.
pub async fn run_export_retention<F>(
    files: Arc<dyn ExportFileStore>,
    retention: Duration,
    interval: Duration,
    shutdown: F,
) where
    F: Future<Output = ()> + Send,
{
    crate::periodic::every(interval, shutdown, || sweep(files.as_ref(), retention)).await;
}

#[tracing::instrument(name = "export_retention", skip(files))]
async fn sweep(files: &dyn ExportFileStore, retention: Duration) {
    // The store logs what it removed; only a failure needs a word here.
    if let Err(error) = files.remove_older_than(retention).await {
        tracing::warn!(%error, "could not remove expired export files");
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use ents_domain::jobs::JobId;

    use super::*;
    use ents_export_files::FsExportFileStore;

    #[tokio::test]
    async fn expired_files_go_without_waiting_for_the_next_export() {
        let dir = std::env::temp_dir().join(format!("ents-retention-{}", JobId::new()));
        let store = Arc::new(FsExportFileStore::new(&dir));
        let mut writer = store.create(JobId::new(), 1).await.unwrap();
        writer.write(b"ts\n").await.unwrap();
        let file = writer.finish().await.unwrap();
        let other = store.create(JobId::new(), 1).await.unwrap();
        let other = other.finish().await.unwrap();
        assert!(store.open(&file.name).await.is_ok());

        // A zero retention expires everything written before the sweep started.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let sweeper = tokio::spawn(run_export_retention(
            store.clone(),
            Duration::ZERO,
            Duration::from_millis(10),
            async {
                let _ = stopped.await;
            },
        ));
        let mut gone = false;
        for _ in 0..200 {
            if store.open(&file.name).await.is_err() && store.open(&other.name).await.is_err() {
                gone = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        stop.send(()).unwrap();
        sweeper.await.unwrap();
        assert!(gone, "the sweep removed the expired files");
        std::fs::remove_dir_all(&dir).ok();
    }

    #[tokio::test]
    async fn young_files_stay() {
        let dir = std::env::temp_dir().join(format!("ents-retention-{}", JobId::new()));
        let store = Arc::new(FsExportFileStore::new(&dir));
        let file = store
            .create(JobId::new(), 1)
            .await
            .unwrap()
            .finish()
            .await
            .unwrap();
        sweep(store.as_ref(), Duration::from_secs(3600)).await;
        assert!(store.open(&file.name).await.is_ok());
        // A missing directory is nothing to sweep, not an error.
        std::fs::remove_dir_all(&dir).unwrap();
        sweep(store.as_ref(), Duration::ZERO).await;
    }
}
