//! What a notification says, independent of how it travels (e-mail, webhook).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::AlertEvent;
use super::model::{AlertRule, Condition, Direction, RuleId, Severity};
use super::state::NotificationKind;

/// One notification about one alert event, with its recipients: the payload of the
/// delivery jobs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Notification {
    pub kind: NotificationKind,
    pub rule_id: RuleId,
    pub rule_name: String,
    pub cell_id: i32,
    pub cell_name: String,
    pub logger_id: Option<i32>,
    pub severity: Severity,
    /// The rule in words: `power voltage (mV) below 3300 for 10 min`.
    pub condition: String,
    pub event_id: i64,
    pub fired_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// The value that fired it (or resolved it, for `resolved`).
    pub value: Option<f64>,
    /// When the notification was decided.
    pub at: DateTime<Utc>,
    pub emails: Vec<String>,
    pub webhook_url: Option<String>,
}

impl Notification {
    pub fn new(
        kind: NotificationKind,
        rule: &AlertRule,
        cell_name: &str,
        event: &AlertEvent,
        at: DateTime<Utc>,
    ) -> Self {
        let value = match kind {
            NotificationKind::Resolved => event.resolved_value,
            NotificationKind::Fired | NotificationKind::Reminder => event.fired_value,
        };
        Self {
            kind,
            rule_id: rule.id,
            rule_name: rule.spec.name.clone(),
            cell_id: rule.spec.cell_id,
            cell_name: cell_name.to_owned(),
            logger_id: rule.spec.logger_id,
            severity: rule.spec.severity,
            condition: describe(&rule.spec.condition, rule.spec.logger_id),
            event_id: event.id.0,
            fired_at: event.fired_at,
            resolved_at: event.resolved_at,
            value,
            at,
            emails: rule.spec.recipients.emails.clone(),
            webhook_url: rule.spec.recipients.webhook_url.clone(),
        }
    }

    /// The same on every retry of this notification, different for each notification
    /// (a reminder is told apart by its time): receivers drop duplicates by it.
    pub fn delivery_id(&self) -> String {
        format!(
            "alert-{}-{}-{}",
            self.event_id,
            self.kind.as_str(),
            self.at.timestamp()
        )
    }
}

/// A rule's condition in words.
pub fn describe(condition: &Condition, logger_id: Option<i32>) -> String {
    match condition {
        Condition::Silence { minutes } => match logger_id {
            Some(logger) => format!("no upload from logger {logger} for {minutes} min"),
            None => format!("no upload for {minutes} min"),
        },
        Condition::Threshold {
            series,
            direction,
            value,
            for_minutes,
            ..
        } => {
            let side = match direction {
                Direction::Below => "below",
                Direction::Above => "above",
            };
            if *for_minutes == 0 {
                format!("{} {side} {value}", series.label())
            } else {
                format!("{} {side} {value} for {for_minutes} min", series.label())
            }
        }
    }
}
