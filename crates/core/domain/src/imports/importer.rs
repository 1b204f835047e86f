//! The import use case: rows in, batches out.

use std::collections::HashMap;
use std::sync::Arc;

use super::model::{BadLine, ImportSummary, LineRow};
use super::ports::ImportStore;
use crate::DomainError;
use crate::users::UserId;

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Rows per batch (one transaction each).
    pub batch_rows: usize,
    /// Validate and count, write nothing.
    pub dry_run: bool,
    /// Stop at the first bad line (before writing its batch).
    pub strict: bool,
    /// Every row goes to this cell, whatever its source says.
    pub target_cell: Option<i32>,
    /// Create unknown cells (by their source name), owned by this user; otherwise their rows
    /// are refused.
    pub create_missing: Option<UserId>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            batch_rows: 10_000,
            dry_run: false,
            strict: false,
            target_cell: None,
            create_missing: None,
        }
    }
}

/// Imports rows batch by batch; see the module docs.
pub struct Importer {
    store: Arc<dyn ImportStore>,
    options: ImportOptions,
    batch: Vec<LineRow>,
    /// Source cell id → target id; `None`: refused.
    cells: HashMap<i32, Option<i32>>,
    summary: ImportSummary,
}

impl Importer {
    pub fn new(store: Arc<dyn ImportStore>, mut options: ImportOptions) -> Self {
        options.batch_rows = options.batch_rows.max(1);
        let summary = ImportSummary {
            dry_run: options.dry_run,
            ..ImportSummary::default()
        };
        Self {
            store,
            batch: Vec::with_capacity(options.batch_rows),
            options,
            cells: HashMap::new(),
            summary,
        }
    }

    /// What was done so far (committed batches).
    pub fn summary(&self) -> &ImportSummary {
        &self.summary
    }

    /// Counts a data line read.
    pub fn line_read(&mut self) {
        self.summary.lines += 1;
    }

    /// Records a bad line. Errors: `BadRequest` naming it when strict.
    pub fn bad_line(&mut self, line: u64, reason: String) -> Result<(), DomainError> {
        if self.options.strict {
            return Err(DomainError::BadRequest(format!("line {line}: {reason}")));
        }
        self.summary.bad_lines.push(BadLine { line, reason });
        Ok(())
    }

    /// Adds a row; writes the batch when it is full. Errors: those of [`Self::flush`].
    pub async fn add(&mut self, row: LineRow) -> Result<(), DomainError> {
        self.batch.push(row);
        if self.batch.len() >= self.options.batch_rows {
            self.flush().await?;
        }
        Ok(())
    }

    /// Writes the rows added since the last batch, in one transaction (rolled back when
    /// dry). Errors: `BadRequest` for a refused row when strict; those of the store
    /// (nothing of this batch written).
    pub async fn flush(&mut self) -> Result<(), DomainError> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let mut batch = std::mem::take(&mut self.batch);
        self.resolve_cells(&batch).await?;
        let mut rows = Vec::with_capacity(batch.len());
        let mut refused = Vec::new();
        for LineRow { line, mut row, .. } in batch.drain(..) {
            match self.cells.get(&row.cell_id()).copied().flatten() {
                Some(target) => {
                    row.set_cell_id(target);
                    rows.push(row);
                }
                None => refused.push((line, row.cell_id())),
            }
        }
        for (line, cell) in refused {
            let reason = format!(
                "unknown cell {cell} (import into an existing one with --cell, or create it with --create-missing)"
            );
            self.bad_line(line, reason)?;
            self.summary.refused += 1;
        }
        let counts = self.store.write_batch(&rows, !self.options.dry_run).await?;
        let summary = &mut self.summary;
        summary.rows += rows.len() as u64;
        summary.stored += counts.inserted;
        summary.duplicates += counts.duplicates;
        summary.batches += 1;
        for row in &rows {
            *summary
                .per_kind
                .entry((row.cell_id(), row.kind()))
                .or_default() += 1;
            let ts = row.ts();
            summary.first = Some(summary.first.map_or(ts, |f| f.min(ts)));
            summary.last = Some(summary.last.map_or(ts, |l| l.max(ts)));
        }
        // Keep the allocation for the next batch.
        self.batch = batch;
        Ok(())
    }

    /// Writes the last batch and returns the summary.
    pub async fn finish(mut self) -> Result<ImportSummary, DomainError> {
        self.flush().await?;
        Ok(self.summary)
    }

    async fn resolve_cells(&mut self, batch: &[LineRow]) -> Result<(), DomainError> {
        let mut unknown: Vec<(i32, Option<Arc<str>>)> = Vec::new();
        for r in batch {
            let id = r.row.cell_id();
            if !self.cells.contains_key(&id) && !unknown.iter().any(|(u, _)| *u == id) {
                unknown.push((id, r.cell_name.clone()));
            }
        }
        if unknown.is_empty() {
            return Ok(());
        }
        if let Some(target) = self.options.target_cell {
            let exists = !self.store.existing_cells(&[target]).await?.is_empty();
            if !exists {
                return Err(DomainError::NotFound(format!("Cell {target} not found")));
            }
            for (id, _) in unknown {
                self.cells.insert(id, Some(target));
            }
            return Ok(());
        }
        let ids: Vec<i32> = unknown.iter().map(|(id, _)| *id).collect();
        let existing = self.store.existing_cells(&ids).await?;
        for (id, name) in unknown {
            let target = if existing.contains(&id) {
                Some(id)
            } else {
                match (self.options.create_missing, name, self.options.dry_run) {
                    (Some(owner), Some(name), false) if !name.is_empty() => {
                        let created = self.store.create_cell(&name, owner).await?;
                        self.summary.created_cells.insert(name.to_string(), created);
                        Some(created)
                    }
                    _ => None,
                }
            };
            self.cells.insert(id, target);
        }
        Ok(())
    }
}
