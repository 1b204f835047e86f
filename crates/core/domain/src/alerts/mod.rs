//! Alerts for researchers (docs/alerts.md): rules on a cell or logger — silence (no upload
//! for N minutes) or a threshold on a series — each with a state machine
//! (`ok → firing → resolved`, with hysteresis), evaluated on a schedule by
//! [`AlertEvaluator`], and told by e-mail and signed webhooks through delivery jobs, and to
//! open dashboards by the live push's `alert` event.

mod delivery;
mod draft;
mod evaluator;
mod events;
mod live;
mod model;
mod notification;
mod ports;
mod render;
mod service;
mod signals;
mod state;

#[cfg(test)]
mod tests;

pub use delivery::{
    EMAIL_JOB, EmailHandler, JobNotifier, WEBHOOK_JOB, WebhookAttempt, WebhookDeliveryLog,
    WebhookHandler,
};
pub use draft::{MIN_SILENCE_MINUTES, QuietHoursDraft, RuleDraft};
pub use evaluator::{AlertEvaluator, EvaluatorSettings, TickReport};
pub use events::{AlertEvent, EventFilter, EventId, MAX_EVENTS};
pub use live::{ALERT, AlertLiveEvent};
pub use model::{
    AlertRule, Condition, CreatedRule, Direction, PowerField, QuietHours, RULE_NOT_FOUND,
    Recipients, RuleFilter, RuleId, RuleSpec, SeriesRef, Severity, TerosField, new_webhook_secret,
};
pub use notification::{Notification, describe};
pub use ports::{
    AlertEventRepository, AlertLiveFeed, AlertNotifier, AlertRuleRepository, AlertSignals,
    AlertStateStore, ClaimedRule,
};
pub use render::{cell_link, email, webhook_body};
pub use service::AlertService;
pub use signals::{Question, UploadTarget, WindowQuery, WindowStats, silence_verdict};
pub use state::{
    EventChange, NotificationKind, NotifyPolicy, RuleState, Status, Step, Verdict, step,
};
