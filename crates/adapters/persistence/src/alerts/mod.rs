//! Alerts in PostgreSQL (migration `20261208000100_alerts`): [`PgAlertRepository`] for the
//! rules, their evaluation state, the history and the webhook delivery log, and
//! [`PgAlertSignals`] for what the evaluator reads of the measurements.

mod events;
mod rows;
mod rules;
mod signals;
mod state;

pub use signals::PgAlertSignals;

use crate::pool::Db;

/// The alert ports on the `alert_*` tables.
#[derive(Debug, Clone)]
pub struct PgAlertRepository {
    db: Db,
}

impl PgAlertRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }
}
