//! Managing rules and reading the history: the API's use cases. Rules hold members'
//! e-mail addresses and a webhook URL, so even reading them needs an owner or member of the
//! cell (`Action::ListMembers`), whatever `access.public_read` says; changing them is a
//! write on the cell.

use std::sync::Arc;

use super::draft::RuleDraft;
use super::events::{AlertEvent, EventFilter, MAX_EVENTS};
use super::model::{AlertRule, CreatedRule, RuleFilter, RuleId, RuleSpec, new_webhook_secret};
use super::ports::{AlertEventRepository, AlertRuleRepository};
use crate::DomainError;
use crate::access::{AccessPolicy, Action, authorize, require_caller};
use crate::auth::Caller;
use crate::cells::CellRepository;

#[derive(Clone)]
pub struct AlertService {
    rules: Arc<dyn AlertRuleRepository>,
    events: Arc<dyn AlertEventRepository>,
    cells: Arc<dyn CellRepository>,
    policy: AccessPolicy,
}

impl AlertService {
    pub fn new(
        rules: Arc<dyn AlertRuleRepository>,
        events: Arc<dyn AlertEventRepository>,
        cells: Arc<dyn CellRepository>,
        policy: AccessPolicy,
    ) -> Self {
        Self {
            rules,
            events,
            cells,
            policy,
        }
    }

    /// Errors: `NotFound("Cell not found")`, then the policy's.
    async fn check(
        &self,
        caller: &Caller,
        action: Action,
        cell_id: i32,
    ) -> Result<(), DomainError> {
        for facts in self.cells.cell_facts(&[cell_id]).await? {
            authorize(self.policy, Some(caller), action, &facts)?;
        }
        Ok(())
    }

    /// Validates `draft` for a caller allowed to write on its cell, checking that every
    /// e-mail address is the cell's owner's or a member's.
    async fn validated(&self, caller: &Caller, draft: RuleDraft) -> Result<RuleSpec, DomainError> {
        let spec = draft.validate()?;
        self.check(caller, Action::Write, spec.cell_id).await?;
        if !spec.recipients.emails.is_empty() {
            let members = self.cells.members(spec.cell_id).await?;
            let strangers: Vec<&String> = spec
                .recipients
                .emails
                .iter()
                .filter(|e| {
                    !members.iter().any(|m| {
                        m.email
                            .as_deref()
                            .is_some_and(|me| me.eq_ignore_ascii_case(e))
                    })
                })
                .collect();
            if !strangers.is_empty() {
                let list: Vec<&str> = strangers.iter().map(|s| s.as_str()).collect();
                return Err(DomainError::invalid_field(
                    "emails",
                    format!("not an owner or member of the cell: {}", list.join(", ")),
                ));
            }
        }
        Ok(spec)
    }

    /// Creates a rule on a cell the caller owns or is a member of. The webhook secret (when
    /// the rule has a webhook) is answered here and never again.
    /// Errors: `Invalid` (every bad field); `NotFound("Cell not found")`; the policy's.
    pub async fn create(
        &self,
        caller: Option<&Caller>,
        draft: RuleDraft,
    ) -> Result<CreatedRule, DomainError> {
        let caller = require_caller(caller)?;
        let spec = self.validated(caller, draft).await?;
        let secret = spec
            .recipients
            .webhook_url
            .as_ref()
            .map(|_| new_webhook_secret());
        let rule = self
            .rules
            .create(spec, caller.user_id, secret.clone())
            .await?;
        Ok(CreatedRule {
            rule,
            webhook_secret: secret,
        })
    }

    /// The rule, for an owner or member of its cell (as a cell's member list).
    /// Errors: `NotFound(RULE_NOT_FOUND)`; `Unauthenticated`; `Forbidden`.
    pub async fn get(&self, caller: Option<&Caller>, id: RuleId) -> Result<AlertRule, DomainError> {
        let caller = require_caller(caller)?;
        let rule = self.rules.get(id).await?;
        self.check(caller, Action::ListMembers, rule.spec.cell_id)
            .await?;
        Ok(rule)
    }

    /// The rules of one cell (its owner or members only), or of every cell of the caller.
    pub async fn list(
        &self,
        caller: Option<&Caller>,
        cell_id: Option<i32>,
    ) -> Result<Vec<AlertRule>, DomainError> {
        let caller = require_caller(caller)?;
        if let Some(cell) = cell_id {
            self.check(caller, Action::ListMembers, cell).await?;
        }
        self.rules
            .list(RuleFilter {
                cell_id,
                member: Some(caller.user_id),
            })
            .await
    }

    /// Replaces a rule's settings (also moving it to another cell the caller may write).
    /// A rule that gains a webhook gets a secret, answered here once.
    /// Errors: those of [`Self::get`] and [`Self::create`].
    pub async fn update(
        &self,
        caller: Option<&Caller>,
        id: RuleId,
        draft: RuleDraft,
    ) -> Result<CreatedRule, DomainError> {
        let current = self.get(caller, id).await?;
        let caller = require_caller(caller)?;
        self.check(caller, Action::Write, current.spec.cell_id)
            .await?;
        let spec = self.validated(caller, draft).await?;
        let secret = match (
            &current.spec.recipients.webhook_url,
            &spec.recipients.webhook_url,
        ) {
            (None, Some(_)) => Some(new_webhook_secret()),
            _ => None,
        };
        let rule = self.rules.update(id, spec, secret.clone()).await?;
        Ok(CreatedRule {
            rule,
            webhook_secret: secret,
        })
    }

    /// Errors: those of [`Self::get`]; the policy's for writing on the cell.
    pub async fn delete(&self, caller: Option<&Caller>, id: RuleId) -> Result<(), DomainError> {
        let current = self.get(caller, id).await?;
        let caller = require_caller(caller)?;
        self.check(caller, Action::Write, current.spec.cell_id)
            .await?;
        self.rules.delete(id).await
    }

    /// The history of one cell (its owner or members), or of every cell of the caller.
    pub async fn events(
        &self,
        caller: Option<&Caller>,
        mut filter: EventFilter,
    ) -> Result<Vec<AlertEvent>, DomainError> {
        let caller = require_caller(caller)?;
        if let Some(cell) = filter.cell_id {
            self.check(caller, Action::ListMembers, cell).await?;
        }
        filter.member = Some(caller.user_id);
        filter.limit = if filter.limit <= 0 {
            100
        } else {
            filter.limit.min(MAX_EVENTS)
        };
        self.events.list(filter).await
    }
}
