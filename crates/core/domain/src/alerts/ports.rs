use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::events::{AlertEvent, EventFilter};
use super::live::AlertLiveEvent;
use super::model::{AlertRule, RuleFilter, RuleId, RuleSpec};
use super::notification::Notification;
use super::signals::{UploadTarget, WindowQuery, WindowStats};
use super::state::{RuleState, Step};
use crate::DomainError;
use crate::users::UserId;

/// Alert rules (PostgreSQL).
///
/// Errors: `NotFound(RULE_NOT_FOUND)` for an unknown rule id; `NotFound("Cell not found")`
/// when a rule names an unknown cell; `Unavailable` when the store cannot be reached in
/// time; `Internal` otherwise. Every method is one transaction.
#[async_trait]
pub trait AlertRuleRepository: Send + Sync + 'static {
    /// Stores a rule (state `ok`, evaluated from the next tick) with its webhook secret.
    async fn create(
        &self,
        spec: RuleSpec,
        created_by: UserId,
        webhook_secret: Option<String>,
    ) -> Result<AlertRule, DomainError>;

    async fn get(&self, id: RuleId) -> Result<AlertRule, DomainError>;

    /// Ordered by id.
    async fn list(&self, filter: RuleFilter) -> Result<Vec<AlertRule>, DomainError>;

    /// Replaces the rule's settings. A new `webhook_secret` replaces the stored one
    /// (`None` keeps it; a rule without a webhook keeps none). The rule's state and
    /// history are kept.
    async fn update(
        &self,
        id: RuleId,
        spec: RuleSpec,
        webhook_secret: Option<String>,
    ) -> Result<AlertRule, DomainError>;

    /// Deletes the rule with its state, history and delivery log.
    async fn delete(&self, id: RuleId) -> Result<(), DomainError>;

    /// The rule's webhook secret, for signing a delivery (`None`: no webhook).
    async fn webhook_secret(&self, id: RuleId) -> Result<Option<String>, DomainError>;
}

/// One rule taken for one evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimedRule {
    pub rule: AlertRule,
    pub cell_name: String,
    pub state: RuleState,
    /// Identifies this claim; [`AlertStateStore::save`] writes only with it.
    pub claim: i64,
}

/// The evaluation side of the rules: taking due rules and recording what they became.
///
/// Errors: `Unavailable` when the store cannot be reached in time; `Internal` otherwise.
#[async_trait]
pub trait AlertStateStore: Send + Sync + 'static {
    /// Takes up to `limit` enabled rules due at `now` (`next_eval_at <= now`) and moves them
    /// to `next_at`, atomically: concurrent callers never take the same rule for the same
    /// tick (row locks skipped, not waited for), so every due rule is evaluated exactly once
    /// per tick however many evaluators run.
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        next_at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedRule>, DomainError>;

    /// Records `step` for the rule claimed as `claim`: the new state, and the event opened
    /// or closed, in one transaction. Returns the event concerned (`None` when the step
    /// touched no event and no event is open), or `Ok(None)` without writing when the
    /// claim is stale (the rule was changed, deleted or claimed again meanwhile).
    async fn save(
        &self,
        claimed: &ClaimedRule,
        step: &Step,
    ) -> Result<Option<AlertEvent>, DomainError>;
}

/// The history. Errors: `Unavailable`; `Internal`.
#[async_trait]
pub trait AlertEventRepository: Send + Sync + 'static {
    /// Newest first.
    async fn list(&self, filter: EventFilter) -> Result<Vec<AlertEvent>, DomainError>;
}

/// The measurements, as the evaluator reads them: cheap batched reads (indexes and the
/// hourly rollups, never a table scan).
///
/// Errors: `Unavailable`; `Internal`. An unknown cell, logger or sensor has no data.
#[async_trait]
pub trait AlertSignals: Send + Sync + 'static {
    /// The newest device timestamp of each target's uploads (power, TEROS, generic
    /// sensors of the cell; power only for a logger), in the order given.
    async fn last_uploads(
        &self,
        targets: &[UploadTarget],
    ) -> Result<Vec<Option<DateTime<Utc>>>, DomainError>;

    /// The statistics of each window, in the order given.
    async fn windows(&self, queries: &[WindowQuery]) -> Result<Vec<WindowStats>, DomainError>;
}

/// Sends a notification on its way (as jobs: `alert.email`, `alert.webhook`).
///
/// Errors: those of submitting a job (`Unavailable`, `Internal`); the evaluator logs them —
/// the state is already saved, so the notification is lost, never duplicated.
#[async_trait]
pub trait AlertNotifier: Send + Sync + 'static {
    async fn notify(&self, notification: &Notification) -> Result<(), DomainError>;
}

/// The live push of alerts opening and closing to the cell's dashboard room (Socket.IO
/// `alert`, room `cell_<cell_id>`) on every API instance. Called after the transition is
/// saved, whatever the quiet hours (they hold back notifications, not the dashboard).
///
/// Errors: `Unavailable` when the relay cannot be reached, `Internal` otherwise. Best
/// effort: the evaluator logs an `Err`, and nothing else changes.
#[async_trait]
pub trait AlertLiveFeed: Send + Sync + 'static {
    async fn publish_alert(&self, event: &AlertLiveEvent) -> Result<(), DomainError>;
}
