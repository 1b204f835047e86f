//! The state machine of one rule: `ok → firing → resolved (→ firing …)`, and when to notify.
//!
//! Pure: it is given the current state, what the evaluator concluded from the data (a
//! [`Verdict`]) and the time, and answers the next state, the event to open or close, and
//! the notifications to send. The hysteresis lives in the verdict: while a rule is firing,
//! the evaluator asks the *clear* condition (beyond the threshold by the margin, for the
//! clear time), not the fire condition, so a value wobbling around the threshold neither
//! resolves nor fires again. One notification when it fires, one when it resolves, none in
//! between — save the optional reminder, and what quiet hours postpone.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::model::QuietHours;

/// Where a rule stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Never fired (or not since it was created or changed).
    Ok,
    Firing,
    /// Fired and recovered; may fire again.
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Firing => "firing",
            Self::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ok" => Self::Ok,
            "firing" => Self::Firing,
            "resolved" => Self::Resolved,
            _ => return None,
        })
    }
}

/// The remembered state of one rule between ticks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleState {
    pub status: Status,
    /// When the current status began (`None` for a rule that never left `ok`).
    pub since: Option<DateTime<Utc>>,
    /// The value that fired the current (or last) alert.
    pub fired_value: Option<f64>,
    /// Whether the "fired" notification of the current alert went out (quiet hours can
    /// postpone it; an alert that resolved before anyone was told is never announced).
    pub fire_notified: bool,
    /// A "resolved" notification postponed by quiet hours.
    pub resolve_pending: bool,
    /// The last fired or reminder notification, for the reminder period.
    pub last_notified_at: Option<DateTime<Utc>>,
}

impl Default for RuleState {
    fn default() -> Self {
        Self {
            status: Status::Ok,
            since: None,
            fired_value: None,
            fire_notified: false,
            resolve_pending: false,
            last_notified_at: None,
        }
    }
}

/// What the evaluator concluded from the data, for the question the current status asks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Verdict {
    /// Not firing, and the fire condition holds (with the value that shows it).
    Fire { value: Option<f64> },
    /// Firing, and the clear condition holds.
    Clear { value: Option<f64> },
    /// Nothing changes: the condition does not hold, or the data cannot tell.
    Stay,
}

/// How a rule is told about, from its settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NotifyPolicy {
    pub quiet_hours: Option<QuietHours>,
    pub reminder: Option<TimeDelta>,
}

/// What a notification says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NotificationKind {
    Fired,
    Reminder,
    Resolved,
}

impl NotificationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Fired => "fired",
            Self::Reminder => "reminder",
            Self::Resolved => "resolved",
        }
    }
}

/// A change to the history: an alert opened or closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum EventChange {
    Opened {
        at: DateTime<Utc>,
        value: Option<f64>,
    },
    Closed {
        at: DateTime<Utc>,
        value: Option<f64>,
    },
}

/// The outcome of one [`step`].
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub state: RuleState,
    pub event: Option<EventChange>,
    /// At most one.
    pub notify: Option<NotificationKind>,
}

impl Step {
    /// Whether anything must be saved or sent.
    pub fn changed_from(&self, before: &RuleState) -> bool {
        self.event.is_some() || self.notify.is_some() || &self.state != before
    }
}

/// The next state of a rule in `state` given `verdict` at `now`.
pub fn step(state: &RuleState, verdict: Verdict, now: DateTime<Utc>, policy: NotifyPolicy) -> Step {
    let quiet = policy.quiet_hours.is_some_and(|q| q.contains(now));
    let mut next = state.clone();
    let mut event = None;
    let mut notify = None;
    match (state.status, verdict) {
        (Status::Ok | Status::Resolved, Verdict::Fire { value }) => {
            next.status = Status::Firing;
            next.since = Some(now);
            next.fired_value = value;
            // A new alert supersedes a recovery nobody has been told about yet.
            next.resolve_pending = false;
            next.fire_notified = !quiet;
            if !quiet {
                next.last_notified_at = Some(now);
                notify = Some(NotificationKind::Fired);
            }
            event = Some(EventChange::Opened { at: now, value });
        }
        (Status::Firing, Verdict::Clear { value }) => {
            next.status = Status::Resolved;
            next.since = Some(now);
            // Told of the alert → told of its end (later, if now is quiet). Never told → not
            // told of the end either: the history has both.
            if state.fire_notified {
                if quiet {
                    next.resolve_pending = true;
                } else {
                    notify = Some(NotificationKind::Resolved);
                }
            }
            next.fire_notified = false;
            event = Some(EventChange::Closed { at: now, value });
        }
        (Status::Firing, _) if !quiet => {
            if !state.fire_notified {
                // Quiet hours are over: the postponed announcement.
                next.fire_notified = true;
                next.last_notified_at = Some(now);
                notify = Some(NotificationKind::Fired);
            } else if let (Some(period), Some(last)) = (policy.reminder, state.last_notified_at)
                && now - last >= period
            {
                next.last_notified_at = Some(now);
                notify = Some(NotificationKind::Reminder);
            }
        }
        (Status::Ok | Status::Resolved, _) if !quiet && state.resolve_pending => {
            next.resolve_pending = false;
            notify = Some(NotificationKind::Resolved);
        }
        _ => {}
    }
    Step {
        state: next,
        event,
        notify,
    }
}
