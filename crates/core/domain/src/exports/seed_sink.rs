//! Streams the seed-era wide CSV ([`super::seed_csv`]) of an export request: one cell at a
//! time is merged in memory, then written.

use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::model::{ExportRequest, ExportRow};
use super::ports::{ExportFileWriter, ExportRowSource, RowSink};
use super::seed_csv::{SEED_CSV_HEADER, SeedBlock};
use crate::DomainError;
use crate::jobs::ProgressSink;

/// Streams the seed-era CSV of `request` (header, then every cell's merged lines, cell
/// after cell in the order requested) into `writer`; returns the data lines written.
/// The caller finishes (publishes) the writer.
///
/// Errors: those of the source and of the writer.
pub async fn write_seed_csv(
    source: &dyn ExportRowSource,
    request: &ExportRequest,
    batch_rows: usize,
    writer: &mut dyn ExportFileWriter,
    progress: &dyn ProgressSink,
    interval: Duration,
) -> Result<u64, DomainError> {
    writer.write(SEED_CSV_HEADER.as_bytes()).await?;
    let mut sink = SeedSink {
        writer,
        cell: None,
        block: SeedBlock::new(),
        text: String::new(),
        rows: 0,
        progress,
        last_report: None,
        interval,
    };
    source.stream(request, batch_rows.max(1), &mut sink).await?;
    sink.flush().await?;
    Ok(sink.rows)
}

struct SeedSink<'a> {
    writer: &'a mut dyn ExportFileWriter,
    cell: Option<i32>,
    block: SeedBlock,
    text: String,
    rows: u64,
    progress: &'a dyn ProgressSink,
    last_report: Option<Instant>,
    interval: Duration,
}

impl SeedSink<'_> {
    async fn flush(&mut self) -> Result<(), DomainError> {
        if self.block.is_empty() {
            return Ok(());
        }
        self.text.clear();
        self.rows += self.block.drain_into(&mut self.text);
        self.writer.write(self.text.as_bytes()).await?;
        // The cell's text can be large: do not keep its allocation for the next one.
        self.text = String::new();
        Ok(())
    }
}

#[async_trait]
impl RowSink for SeedSink<'_> {
    async fn accept(&mut self, rows: &[ExportRow], done: f32) -> Result<(), DomainError> {
        for row in rows {
            if self.cell != Some(row.series.cell_id) {
                self.flush().await?;
                self.cell = Some(row.series.cell_id);
            }
            self.block.push(row);
        }
        let due = self
            .last_report
            .is_none_or(|at| at.elapsed() >= self.interval);
        if due {
            self.progress.report(done.clamp(0.0, 0.99)).await;
            self.last_report = Some(Instant::now());
        }
        Ok(())
    }
}
