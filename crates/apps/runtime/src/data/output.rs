//! Where `ents export` writes: a file or standard output, behind the export job's
//! [`ExportFileWriter`] port so that both use the one streaming writer.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use ents_domain::DomainError;
use ents_domain::exports::{ExportFileWriter, FinishedFile};
use tokio::io::{AsyncWrite, AsyncWriteExt, BufWriter};

/// Buffered bytes to a file (written as `<file>.part`, renamed at the end so a reader never
/// sees half an export under the final name) or to standard output.
pub(crate) struct StreamWriter {
    out: BufWriter<Box<dyn AsyncWrite + Send + Unpin>>,
    bytes: u64,
    /// `(part, final)` when writing a file.
    rename: Option<(PathBuf, PathBuf)>,
}

impl StreamWriter {
    pub(crate) fn stdout() -> Self {
        Self {
            out: BufWriter::with_capacity(256 * 1024, Box::new(tokio::io::stdout())),
            bytes: 0,
            rename: None,
        }
    }

    /// Errors: `Internal` when the file cannot be created.
    pub(crate) async fn file(path: &Path) -> Result<Self, DomainError> {
        let mut part = path.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        let file = tokio::fs::File::create(&part)
            .await
            .map_err(|e| DomainError::internal(format!("creating {}: {e}", part.display())))?;
        Ok(Self {
            out: BufWriter::with_capacity(256 * 1024, Box::new(file)),
            bytes: 0,
            rename: Some((part, path.to_owned())),
        })
    }
}

fn io(e: std::io::Error) -> DomainError {
    DomainError::internal(format!("writing the export: {e}"))
}

#[async_trait]
impl ExportFileWriter for StreamWriter {
    async fn write(&mut self, bytes: &[u8]) -> Result<(), DomainError> {
        self.out.write_all(bytes).await.map_err(io)?;
        self.bytes += bytes.len() as u64;
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<FinishedFile, DomainError> {
        self.out.flush().await.map_err(io)?;
        let name = match &self.rename {
            Some((part, path)) => {
                tokio::fs::rename(part, path).await.map_err(io)?;
                path.display().to_string()
            }
            None => "-".to_owned(),
        };
        Ok(FinishedFile {
            name,
            bytes: self.bytes,
        })
    }
}
