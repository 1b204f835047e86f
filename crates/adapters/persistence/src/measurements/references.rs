//! [`ReferenceChecker`]: which cells and loggers of an upload exist, with a short positive
//! cache (the queued mode asks for every upload; cells are rarely deleted, and the writer
//! re-checks under lock anyway).

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::ingest::{MissingReferences, ReferenceChecker};
use ents_domain::measurements::Upload;

use super::PgMeasurementStore;
use super::queries::{FindCells, FindLoggers, IdRow};
use super::rows::Rows;

/// How long an id seen to exist is believed without asking again.
const TTL: Duration = Duration::from_secs(30);

/// Ids known to exist, and since when.
#[derive(Debug, Default)]
pub(crate) struct KnownIds {
    cells: Mutex<HashMap<i32, Instant>>,
    loggers: Mutex<HashMap<i32, Instant>>,
}

fn fresh(map: &Mutex<HashMap<i32, Instant>>, ids: &[i32]) -> HashSet<i32> {
    let map = map.lock().unwrap_or_else(PoisonError::into_inner);
    ids.iter()
        .copied()
        .filter(|id| map.get(id).is_some_and(|seen| seen.elapsed() < TTL))
        .collect()
}

fn remember(map: &Mutex<HashMap<i32, Instant>>, ids: &HashSet<i32>) {
    let mut map = map.lock().unwrap_or_else(PoisonError::into_inner);
    if map.len() > 100_000 {
        map.clear();
    }
    let now = Instant::now();
    for id in ids {
        map.insert(*id, now);
    }
}

#[async_trait]
impl ReferenceChecker for PgMeasurementStore {
    async fn missing_references(&self, upload: &Upload) -> Result<MissingReferences, DomainError> {
        let rows = Rows::of([upload]);
        let Some(needs) = rows.needs.as_slice().iter().next() else {
            return Ok(MissingReferences::default());
        };
        let ids = |set: &std::collections::BTreeSet<u32>| -> Vec<i32> {
            set.iter()
                .filter_map(|id| i32::try_from(*id).ok())
                .collect()
        };
        let (cell_ids, logger_ids) = (ids(&needs.cells), ids(&needs.loggers));
        let mut cells = fresh(&self.known.cells, &cell_ids);
        let mut loggers = fresh(&self.known.loggers, &logger_ids);
        let unknown_cells: Vec<i32> = cell_ids
            .iter()
            .copied()
            .filter(|id| !cells.contains(id))
            .collect();
        let unknown_loggers: Vec<i32> = logger_ids
            .iter()
            .copied()
            .filter(|id| !loggers.contains(id))
            .collect();
        if !unknown_cells.is_empty() || !unknown_loggers.is_empty() {
            let (found_cells, found_loggers) = self
                .db
                .with_conn(async |conn| {
                    let mut found = (HashSet::new(), HashSet::new());
                    if !unknown_cells.is_empty() {
                        found.0 = FindCells { ids: unknown_cells }
                            .load::<IdRow>(conn)
                            .await?
                            .into_iter()
                            .map(|r| r.id)
                            .collect();
                    }
                    if !unknown_loggers.is_empty() {
                        found.1 = FindLoggers {
                            ids: unknown_loggers,
                        }
                        .load::<IdRow>(conn)
                        .await?
                        .into_iter()
                        .map(|r| r.id)
                        .collect();
                    }
                    Ok(found)
                })
                .await?;
            remember(&self.known.cells, &found_cells);
            remember(&self.known.loggers, &found_loggers);
            cells.extend(found_cells);
            loggers.extend(found_loggers);
        }
        Ok(needs.missing(&cells, &loggers))
    }
}
