//! The export files adapter: the domain's [`ExportFileStore`] port on a directory.
//!
//! Attempt `n` of export `<id>` writes `<id>.<n>.csv.part`, then (flushed and fsynced)
//! renames it to `<id>.<n>.csv` — one atomic step, so a published name never shows a
//! partial file. A new attempt first deletes what earlier attempts of the same export left,
//! and the job result names the one file the client downloads.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::exports::{ExportFileStore, ExportFileWriter, ExportReader, FinishedFile};
use ents_domain::jobs::JobId;
use tokio::fs::{self, File};
use tokio::io::{AsyncReadExt, AsyncWriteExt, BufWriter};

/// Counter (described by the composition root): bytes of the export files published.
pub const EXPORT_BYTES: &str = "ents_export_bytes_total";
/// Counter: export files published.
pub const EXPORT_FILES: &str = "ents_export_files_total";

/// The message of `NotFound` for a file that is gone (retention).
const EXPIRED: &str = "Export file expired";

/// Read size of a download.
const CHUNK: usize = 64 * 1024;

/// [`ExportFileStore`] on a local (or shared) directory.
#[derive(Debug, Clone)]
pub struct FsExportFileStore {
    dir: PathBuf,
}

impl FsExportFileStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    pub fn directory(&self) -> &Path {
        &self.dir
    }
}

fn io_error(context: &str, error: std::io::Error) -> DomainError {
    DomainError::internal(format!("{context}: {error}"))
}

/// Published names only: `<uuid>.<attempt>.csv` — never a path.
fn is_published_name(name: &str) -> bool {
    let Some(stem) = name.strip_suffix(".csv") else {
        return false;
    };
    let Some((id, attempt)) = stem.split_once('.') else {
        return false;
    };
    id.parse::<JobId>().is_ok()
        && !attempt.is_empty()
        && attempt.bytes().all(|b| b.is_ascii_digit())
}

#[async_trait]
impl ExportFileStore for FsExportFileStore {
    async fn create(
        &self,
        id: JobId,
        attempt: i32,
    ) -> Result<Box<dyn ExportFileWriter>, DomainError> {
        fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| io_error("creating the exports directory", e))?;
        let prefix = format!("{id}.");
        let mut entries = fs::read_dir(&self.dir)
            .await
            .map_err(|e| io_error("listing the exports directory", e))?;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_error("listing the exports directory", e))?
        {
            if entry.file_name().to_string_lossy().starts_with(&prefix) {
                tracing::info!(file = ?entry.path(), "removing what an earlier attempt left");
                match fs::remove_file(entry.path()).await {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::NotFound => {}
                    Err(e) => return Err(io_error("removing an earlier attempt's file", e)),
                }
            }
        }
        let name = format!("{id}.{attempt}.csv");
        let temp = self.dir.join(format!("{name}.part"));
        let file = File::create(&temp)
            .await
            .map_err(|e| io_error("creating the export file", e))?;
        Ok(Box::new(FsWriter {
            file: BufWriter::with_capacity(CHUNK, file),
            temp,
            dir: self.dir.clone(),
            name,
            bytes: 0,
        }))
    }

    async fn open(&self, name: &str) -> Result<Box<dyn ExportReader>, DomainError> {
        if !is_published_name(name) {
            return Err(DomainError::NotFound(EXPIRED.to_owned()));
        }
        let file = match File::open(self.dir.join(name)).await {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                return Err(DomainError::NotFound(EXPIRED.to_owned()));
            }
            Err(e) => return Err(io_error("opening the export file", e)),
        };
        let len = file
            .metadata()
            .await
            .map_err(|e| io_error("reading the export file's size", e))?
            .len();
        Ok(Box::new(FsReader {
            file,
            len,
            buffer: vec![0; CHUNK],
        }))
    }

    async fn remove_older_than(&self, age: Duration) -> Result<usize, DomainError> {
        let mut entries = match fs::read_dir(&self.dir).await {
            Ok(entries) => entries,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(0),
            Err(e) => return Err(io_error("listing the exports directory", e)),
        };
        let Some(cutoff) = SystemTime::now().checked_sub(age) else {
            return Ok(0);
        };
        let mut removed = 0;
        while let Some(entry) = entries
            .next_entry()
            .await
            .map_err(|e| io_error("listing the exports directory", e))?
        {
            let name = entry.file_name().to_string_lossy().into_owned();
            // Only our own files, whatever else shares the directory.
            let ours = is_published_name(&name)
                || name.strip_suffix(".part").is_some_and(is_published_name);
            let modified = entry.metadata().await.and_then(|m| m.modified());
            if ours
                && modified.is_ok_and(|at| at < cutoff)
                && fs::remove_file(entry.path()).await.is_ok()
            {
                removed += 1;
            }
        }
        if removed > 0 {
            tracing::info!(removed, "expired export files removed");
        }
        Ok(removed)
    }
}

struct FsWriter {
    file: BufWriter<File>,
    temp: PathBuf,
    dir: PathBuf,
    name: String,
    bytes: u64,
}

#[async_trait]
impl ExportFileWriter for FsWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        self.file
            .write_all(bytes)
            .await
            .map_err(|e| io_error("writing the export file", e))?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<FinishedFile, DomainError> {
        self.file
            .flush()
            .await
            .map_err(|e| io_error("flushing the export file", e))?;
        self.file
            .get_ref()
            .sync_all()
            .await
            .map_err(|e| io_error("syncing the export file", e))?;
        let target = self.dir.join(&self.name);
        fs::rename(&self.temp, &target)
            .await
            .map_err(|e| io_error("publishing the export file", e))?;
        // The rename itself survives a crash only once the directory is synced; failing
        // that is not fatal (the file is complete either way).
        if let Ok(dir) = File::open(&self.dir).await
            && let Err(error) = dir.sync_all().await
        {
            tracing::debug!(%error, "could not sync the exports directory");
        }
        metrics::counter!(EXPORT_BYTES).increment(self.bytes);
        metrics::counter!(EXPORT_FILES).increment(1);
        Ok(FinishedFile {
            name: self.name.clone(),
            bytes: self.bytes,
        })
    }
}

struct FsReader {
    file: File,
    len: u64,
    buffer: Vec<u8>,
}

#[async_trait]
impl ExportReader for FsReader {
    fn len(&self) -> u64 {
        self.len
    }

    async fn next_chunk(&mut self) -> Result<Option<Vec<u8>>, DomainError> {
        let n = self
            .file
            .read(&mut self.buffer)
            .await
            .map_err(|e| io_error("reading the export file", e))?;
        Ok((n > 0).then(|| self.buffer[..n].to_vec()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn store() -> FsExportFileStore {
        let dir = std::env::temp_dir().join(format!("ents-export-files-{}", JobId::new()));
        FsExportFileStore::new(dir)
    }

    fn names(store: &FsExportFileStore) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(store.directory())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    async fn read_all(store: &FsExportFileStore, name: &str) -> Vec<u8> {
        let mut reader = store.open(name).await.unwrap();
        let mut out = Vec::new();
        while let Some(chunk) = reader.next_chunk().await.unwrap() {
            out.extend_from_slice(&chunk);
        }
        assert_eq!(out.len() as u64, reader.len());
        out
    }

    #[tokio::test]
    async fn a_file_is_invisible_until_published_then_readable_whole() {
        let store = store();
        let id = JobId::new();
        let mut writer = store.create(id, 1).await.unwrap();
        writer.write(b"a,b\n").await.unwrap();
        writer.write(&vec![b'x'; 200_000]).await.unwrap();
        assert_eq!(names(&store), [format!("{id}.1.csv.part")]);
        let name = format!("{id}.1.csv");
        assert!(matches!(
            store.open(&name).await,
            Err(DomainError::NotFound(_))
        ));

        let finished = writer.finish().await.unwrap();
        assert_eq!(
            finished,
            FinishedFile {
                name: name.clone(),
                bytes: 200_004
            }
        );
        assert_eq!(names(&store), std::slice::from_ref(&name));
        assert_eq!(read_all(&store, &name).await.len(), 200_004);
        let _ = std::fs::remove_dir_all(store.directory());
    }

    #[tokio::test]
    async fn a_new_attempt_removes_what_earlier_ones_left() {
        let store = store();
        let (id, other) = (JobId::new(), JobId::new());
        let mut first = store.create(id, 1).await.unwrap();
        first.write(b"half").await.unwrap();
        let kept = store
            .create(other, 1)
            .await
            .unwrap()
            .finish()
            .await
            .unwrap();

        let mut second = store.create(id, 2).await.unwrap();
        second.write(b"whole\n").await.unwrap();
        let finished = second.finish().await.unwrap();
        let mut expected = vec![format!("{id}.2.csv"), kept.name.clone()];
        expected.sort();
        assert_eq!(names(&store), expected);
        assert_eq!(read_all(&store, &finished.name).await, b"whole\n");
        let _ = std::fs::remove_dir_all(store.directory());
    }

    #[tokio::test]
    async fn only_published_names_open_and_old_files_expire() {
        let store = store();
        let id = JobId::new();
        let finished = store.create(id, 3).await.unwrap().finish().await.unwrap();
        for bad in ["../etc/passwd", &format!("{id}.3.csv.part"), "x.1.csv", ""] {
            assert!(
                matches!(store.open(bad).await, Err(DomainError::NotFound(_))),
                "{bad}"
            );
        }
        assert_eq!(
            store
                .remove_older_than(Duration::from_secs(3600))
                .await
                .unwrap(),
            0
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert_eq!(
            store
                .remove_older_than(Duration::from_millis(1))
                .await
                .unwrap(),
            1
        );
        assert!(matches!(
            store.open(&finished.name).await,
            Err(DomainError::NotFound(_))
        ));
        let _ = std::fs::remove_dir_all(store.directory());
    }
}
