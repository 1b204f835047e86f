//! Uploads → the rows of each table, each row remembering which upload it came from and its
//! idempotency key.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDateTime;
use ents_domain::ingest::MissingReferences;
use ents_domain::measurements::{SensorValue, StoredRow, Upload};

/// (cell, name, measurement): the key of a `sensor` row.
pub(crate) type SensorKey = (i32, &'static str, &'static str);

pub(crate) struct PowerRec {
    pub(crate) upload: usize,
    pub(crate) key: (i32, NaiveDateTime, i32),
    pub(crate) voltage: f64,
    pub(crate) current: f64,
}

pub(crate) struct TerosRec {
    pub(crate) upload: usize,
    pub(crate) key: (i32, NaiveDateTime),
    pub(crate) vwc: f64,
    pub(crate) raw_vwc: f64,
    pub(crate) temp: f64,
    pub(crate) ec: Option<i32>,
}

pub(crate) struct DataRec {
    pub(crate) upload: usize,
    pub(crate) sensor: SensorKey,
    pub(crate) unit: &'static str,
    pub(crate) ts: NaiveDateTime,
    pub(crate) value: SensorValue,
}

/// The rows of some uploads, and what each upload refers to.
#[derive(Default)]
pub(crate) struct Rows {
    pub(crate) power: Vec<PowerRec>,
    pub(crate) teros: Vec<TerosRec>,
    pub(crate) data: Vec<DataRec>,
    /// Per upload: the cells and loggers it needs.
    pub(crate) needs: Vec<Needs>,
    /// Rows were left out because an id cannot fit an `integer` column (their uploads are
    /// then missing a reference, which only the slow path reports).
    pub(crate) dropped: bool,
}

#[derive(Default, Clone)]
pub(crate) struct Needs {
    pub(crate) cells: BTreeSet<u32>,
    pub(crate) loggers: BTreeSet<u32>,
}

impl Needs {
    /// What of this upload's needs is not in `cells` / `loggers`.
    pub(crate) fn missing(
        &self,
        cells: &HashSet<i32>,
        loggers: &HashSet<i32>,
    ) -> MissingReferences {
        let absent = |id: &&u32, set: &HashSet<i32>| {
            // An id beyond PostgreSQL `integer` cannot exist.
            i32::try_from(**id).map_or(true, |id| !set.contains(&id))
        };
        MissingReferences {
            cells: self
                .cells
                .iter()
                .filter(|id| absent(id, cells))
                .copied()
                .collect(),
            loggers: self
                .loggers
                .iter()
                .filter(|id| absent(id, loggers))
                .copied()
                .collect(),
        }
    }
}

impl Rows {
    /// The rows of `uploads` (index = position in the slice). Ids that cannot fit an
    /// `integer` column are kept in `needs` (they will be reported missing) and their rows
    /// dropped.
    pub(crate) fn of<'a>(uploads: impl IntoIterator<Item = &'a Upload>) -> Self {
        let mut rows = Self::default();
        for (upload, u) in uploads.into_iter().enumerate() {
            let mut needs = Needs::default();
            for row in u.stored_rows() {
                needs.cells.insert(row.cell_id().get());
                let Ok(cell) = i32::try_from(row.cell_id().get()) else {
                    rows.dropped = true;
                    continue;
                };
                match row {
                    StoredRow::Power(p) => {
                        needs.loggers.insert(p.logger_id);
                        let Ok(logger) = i32::try_from(p.logger_id) else {
                            rows.dropped = true;
                            continue;
                        };
                        rows.power.push(PowerRec {
                            upload,
                            key: (cell, p.ts.naive_utc(), logger),
                            voltage: p.voltage,
                            current: p.current,
                        });
                    }
                    StoredRow::Teros(t) => rows.teros.push(TerosRec {
                        upload,
                        key: (cell, t.ts.naive_utc()),
                        vwc: t.vwc,
                        raw_vwc: t.raw_vwc,
                        temp: t.temp,
                        ec: t.ec,
                    }),
                    StoredRow::Sensor(s) => rows.data.push(DataRec {
                        upload,
                        sensor: (cell, s.name, s.measurement),
                        unit: s.unit,
                        ts: s.ts.naive_utc(),
                        value: s.value,
                    }),
                }
            }
            rows.needs.push(needs);
        }
        rows
    }

    /// Keeps only the rows of the uploads `keep` accepts.
    pub(crate) fn retain_uploads(&mut self, keep: impl Fn(usize) -> bool) {
        self.power.retain(|r| keep(r.upload));
        self.teros.retain(|r| keep(r.upload));
        self.data.retain(|r| keep(r.upload));
    }

    /// How many tables these rows go to (the fast path takes one statement).
    pub(crate) fn tables(&self) -> usize {
        [
            !self.power.is_empty(),
            !self.teros.is_empty(),
            !self.data.is_empty(),
        ]
        .into_iter()
        .filter(|b| *b)
        .count()
    }

    /// Every sensor the data rows need, with the unit and `data_type` of its first value.
    pub(crate) fn sensors(&self) -> BTreeMap<SensorKey, (&'static str, &'static str)> {
        let mut sensors = BTreeMap::new();
        for r in &self.data {
            sensors
                .entry(r.sensor)
                .or_insert((r.unit, r.value.data_type()));
        }
        sensors
    }
}

/// Per upload: rows inserted and rows that were already stored.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub(crate) inserted: usize,
    pub(crate) duplicates: usize,
}

/// Attributes the keys a statement reported as inserted to the uploads of `rows`: the first
/// row with an inserted key owns it; every other row counts as a duplicate.
pub(crate) fn attribute<K: std::hash::Hash + Eq>(
    rows: impl IntoIterator<Item = (usize, K)>,
    mut inserted: HashSet<K>,
    counts: &mut [Counts],
) {
    for (upload, key) in rows {
        let Some(c) = counts.get_mut(upload) else {
            continue;
        };
        if inserted.remove(&key) {
            c.inserted += 1;
        } else {
            c.duplicates += 1;
        }
    }
}
