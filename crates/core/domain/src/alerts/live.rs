//! The Socket.IO `alert` event (docs/live-push.md#the-alert-event): an alert opened or
//! closed, pushed to the cell's room so an open dashboard can show it. Ours, not upstream's
//! (upstream had no alerts).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::events::{AlertEvent, EventId};
use super::model::{AlertRule, RuleId, Severity};
use super::state::{EventChange, Status};

/// Event name, sent to room `cell_<cell_id>` after the transition is saved.
pub const ALERT: &str = "alert";

/// One `alert` event. Keys in this order, snake_case like the alerts API:
/// `rule_id, rule_name, cell_id, logger_id, kind, severity, state, value, at, event_id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlertLiveEvent {
    pub rule_id: RuleId,
    pub rule_name: String,
    pub cell_id: i32,
    /// The logger a silence rule watches; `null` for a rule on the whole cell.
    pub logger_id: Option<i32>,
    /// The rule's kind: `silence` or `threshold`.
    pub kind: &'static str,
    pub severity: Severity,
    /// `firing` (the alert opened) or `resolved` (it closed).
    pub state: Status,
    /// The value that fired (or resolved) it; `null` when none applies (silence).
    pub value: Option<f64>,
    /// When it fired (or resolved).
    pub at: DateTime<Utc>,
    /// The alert in the history (`/api/alerts/events`).
    pub event_id: EventId,
}

impl AlertLiveEvent {
    /// The event telling that `change` happened to `rule`'s alert `event`.
    pub fn new(rule: &AlertRule, event: &AlertEvent, change: EventChange) -> Self {
        let (state, at, value) = match change {
            EventChange::Opened { at, value } => (Status::Firing, at, value),
            EventChange::Closed { at, value } => (Status::Resolved, at, value),
        };
        Self {
            rule_id: rule.id,
            rule_name: rule.spec.name.clone(),
            cell_id: rule.spec.cell_id,
            logger_id: rule.spec.logger_id,
            kind: rule.spec.condition.kind(),
            severity: rule.spec.severity,
            state,
            value,
            at,
            event_id: event.id,
        }
    }
}
