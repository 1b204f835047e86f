//! Where an interrupted `ents import` of a file resumes: a small JSON file beside the input
//! (`<file>.ents-checkpoint`) naming the file by its canonical path, its size and the
//! SHA-256 of its first MiB, and the byte offset and line number after which every row is
//! committed. Hashing the head rather than the whole file keeps a resume instant on a
//! multi-GB file; the size catches appends and truncation, the head a different file under
//! the same name (an edit in place past the first MiB that keeps the size is not caught).

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::{Context, bail};
use aws_lc_rs::digest;
use ents_domain::imports::Importer;
use serde_json::{Value, json};

use super::export::explain;

const HEAD: u64 = 1 << 20;

/// Where a file's rows are committed up to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Position {
    /// Byte offset of the first unit (line, frame) not committed.
    pub byte: u64,
    /// Units (lines or frames) before it, the header included.
    pub line: u64,
}

/// The checkpoint of one input file, and the stop request (Ctrl-C) of the whole import.
pub(crate) struct Cursor {
    path: PathBuf,
    identity: Value,
    stop: Arc<AtomicBool>,
    batches: u64,
    saved: bool,
    /// No checkpoint file (an import job's body): nothing is saved.
    detached: bool,
    /// Where to start (the checkpoint of `--resume`), if anywhere.
    pub start: Option<Position>,
}

/// The import stopped on request after committing up to `at`.
#[derive(Debug)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted")
    }
}

impl std::error::Error for Interrupted {}

fn checkpoint_path(input: &Path) -> PathBuf {
    let mut name = input.as_os_str().to_owned();
    name.push(".ents-checkpoint");
    PathBuf::from(name)
}

fn identity(input: &Path, format: &str) -> anyhow::Result<Value> {
    let canonical =
        std::fs::canonicalize(input).with_context(|| format!("resolving {}", input.display()))?;
    let file =
        std::fs::File::open(input).with_context(|| format!("opening {}", input.display()))?;
    let size = file.metadata()?.len();
    let mut head = Vec::new();
    file.take(HEAD)
        .read_to_end(&mut head)
        .with_context(|| format!("reading {}", input.display()))?;
    let hash = digest::digest(&digest::SHA256, &head);
    let hex: String = hash.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    Ok(json!({
        "path": canonical.display().to_string(),
        "size": size,
        "sha256_first_mib": hex,
        "format": format,
    }))
}

impl Cursor {
    /// The cursor of `input`. With `resume`, its checkpoint (if there is one) gives the
    /// start. Errors: a checkpoint of another file (changed since), unreadable.
    pub(crate) fn open(
        input: &Path,
        format: &str,
        resume: bool,
        stop: Arc<AtomicBool>,
    ) -> anyhow::Result<Self> {
        let path = checkpoint_path(input);
        let identity = identity(input, format)?;
        let mut start = None;
        if resume && path.exists() {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            let saved: Value = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a checkpoint", path.display()))?;
            if saved.get("file") != Some(&identity) {
                bail!(
                    "{} changed since its checkpoint was written (size, first MiB or format \
                     differ): refusing to resume; delete {} to import it from the start",
                    input.display(),
                    path.display()
                );
            }
            let number = |key: &str| saved.get(key).and_then(Value::as_u64);
            match (number("byte"), number("line")) {
                (Some(byte), Some(line)) => start = Some(Position { byte, line }),
                _ => bail!("{} is not a checkpoint", path.display()),
            }
        }
        Ok(Self {
            path,
            identity,
            stop,
            batches: 0,
            saved: false,
            detached: false,
            start,
        })
    }

    /// A cursor without a checkpoint file or a stop request: an import job's body, read
    /// from the start in one go (a rerun of the job reads it again; its rows are then
    /// duplicates).
    pub(crate) fn detached() -> Self {
        Self {
            path: PathBuf::new(),
            identity: Value::Null,
            stop: Arc::new(AtomicBool::new(false)),
            batches: 0,
            saved: false,
            detached: true,
            start: None,
        }
    }

    /// After a unit (line, frame) that started at `unit_start`: when a batch was committed
    /// meanwhile, every row before the unit is stored: the checkpoint moves there.
    pub(crate) fn after_unit(
        &mut self,
        importer: &Importer,
        unit_start: Position,
    ) -> anyhow::Result<()> {
        let batches = importer.summary().batches;
        if batches != self.batches && !importer.summary().dry_run {
            self.batches = batches;
            self.save(unit_start)?;
        }
        Ok(())
    }

    /// Before a unit that starts at `next`: on a stop request, commits what was added and
    /// saves `next` as the checkpoint. Errors: [`Interrupted`] then.
    pub(crate) async fn check_stop(
        &mut self,
        importer: &mut Importer,
        next: Position,
    ) -> anyhow::Result<()> {
        if !self.stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        importer.flush().await.map_err(explain)?;
        if !importer.summary().dry_run {
            self.save(next)?;
        }
        Err(Interrupted.into())
    }

    fn save(&mut self, at: Position) -> anyhow::Result<()> {
        if self.detached {
            return Ok(());
        }
        let body = json!({"file": self.identity, "byte": at.byte, "line": at.line});
        let mut part = self.path.as_os_str().to_owned();
        part.push(".part");
        let part = PathBuf::from(part);
        std::fs::write(&part, body.to_string())
            .and_then(|()| std::fs::rename(&part, &self.path))
            .with_context(|| format!("writing the checkpoint {}", self.path.display()))?;
        self.saved = true;
        Ok(())
    }

    /// The whole file is imported: its checkpoint is of no more use.
    pub(crate) fn complete(self) {
        if self.saved || self.start.is_some() {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    /// The checkpoint's path (for the resume hint).
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}
