//! The history of alerts: one event per time a rule fired, closed when it resolved.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::{RuleId, Severity};
use crate::users::UserId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventId(pub i64);

/// One alert: when it fired and with which value, and when it resolved (`None` while it
/// is still firing).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    pub id: EventId,
    pub rule_id: RuleId,
    pub rule_name: String,
    pub cell_id: i32,
    pub severity: Severity,
    pub fired_at: DateTime<Utc>,
    pub fired_value: Option<f64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_value: Option<f64>,
}

/// Which events to list, newest first: every filter that is set must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    pub cell_id: Option<i32>,
    pub rule_id: Option<RuleId>,
    /// Only events on cells this user owns or is a member of.
    pub member: Option<UserId>,
    /// Events still firing at or after `from` (fired before `to`).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// At most this many (the store caps it at [`MAX_EVENTS`]).
    pub limit: i64,
}

pub const MAX_EVENTS: i64 = 1000;
