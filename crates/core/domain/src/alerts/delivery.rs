//! Delivering notifications as jobs: [`JobNotifier`] submits them, [`EmailHandler`] and
//! [`WebhookHandler`] (the `alert.email` and `alert.webhook` job handlers) render and send
//! them. A failed delivery is retried with the job back-off and dead-lettered like any job.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::notification::Notification;
use super::ports::{AlertNotifier, AlertRuleRepository};
use super::render::{email, webhook_body};
use crate::DomainError;
use crate::cells::CellRepository;
use crate::jobs::{Job, JobFailure, JobHandler, JobService, ProgressSink};
use crate::notifications::{MailSender, WebhookDelivery, WebhookSender};

pub const EMAIL_JOB: &str = "alert.email";
pub const WEBHOOK_JOB: &str = "alert.webhook";

/// One webhook attempt, as the delivery log keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookAttempt {
    pub rule_id: super::model::RuleId,
    pub delivery_id: String,
    pub url: String,
    pub attempted_at: DateTime<Utc>,
    /// The receiver's status, when it answered.
    pub status: Option<u16>,
    pub elapsed_ms: Option<u64>,
    /// Why it failed (`None`: delivered).
    pub error: Option<String>,
}

/// The delivery log of webhook attempts (PostgreSQL).
/// Errors: `Unavailable`; `Internal`. The handler logs them: the log never fails a delivery.
#[async_trait]
pub trait WebhookDeliveryLog: Send + Sync + 'static {
    async fn record(&self, attempt: &WebhookAttempt) -> Result<(), DomainError>;
}

/// [`AlertNotifier`] as jobs: one `alert.email` job when the rule has addresses, one
/// `alert.webhook` job when it has a URL, each carrying the [`Notification`].
#[derive(Clone)]
pub struct JobNotifier {
    jobs: JobService,
}

impl JobNotifier {
    pub fn new(jobs: JobService) -> Self {
        Self { jobs }
    }
}

#[async_trait]
impl AlertNotifier for JobNotifier {
    async fn notify(&self, notification: &Notification) -> Result<(), DomainError> {
        let payload = serde_json::to_value(notification).map_err(DomainError::internal)?;
        if !notification.emails.is_empty() {
            self.jobs.submit(EMAIL_JOB, payload.clone()).await?;
        }
        if notification.webhook_url.is_some() {
            self.jobs.submit(WEBHOOK_JOB, payload).await?;
        }
        Ok(())
    }
}

fn decode(job: &Job) -> Result<Notification, JobFailure> {
    serde_json::from_value(job.payload.clone())
        .map_err(|e| JobFailure::Permanent(format!("undecodable alert notification: {e}")))
}

/// A port's error as a job failure: `Unavailable` is worth retrying, the rest is not.
fn failure(error: DomainError) -> JobFailure {
    match error {
        DomainError::Unavailable(message) => JobFailure::Retryable(message),
        other => JobFailure::Permanent(other.to_string()),
    }
}

/// `alert.email`: renders the notification (plain text and HTML, with a link to the cell
/// on the dashboard) and sends it to the addresses that are still the cell's owner's or
/// members', unless the rule was deleted meanwhile.
pub struct EmailHandler {
    mail: Arc<dyn MailSender>,
    rules: Arc<dyn AlertRuleRepository>,
    cells: Arc<dyn CellRepository>,
    public_url: String,
}

impl EmailHandler {
    pub fn new(
        mail: Arc<dyn MailSender>,
        rules: Arc<dyn AlertRuleRepository>,
        cells: Arc<dyn CellRepository>,
        public_url: String,
    ) -> Self {
        Self {
            mail,
            rules,
            cells,
            public_url,
        }
    }
}

#[async_trait]
impl JobHandler for EmailHandler {
    fn kind(&self) -> &'static str {
        EMAIL_JOB
    }

    async fn run(&self, job: &Job, _: &dyn ProgressSink) -> Result<serde_json::Value, JobFailure> {
        let mut notification = decode(job)?;
        // Deleting a rule (or its cell) stops what it had still to tell.
        match self.rules.get(notification.rule_id).await {
            Ok(_) => {}
            Err(DomainError::NotFound(_)) => {
                return Ok(serde_json::json!({"sent": 0, "reason": "rule deleted"}));
            }
            Err(other) => return Err(failure(other)),
        }
        let members = match self.cells.members(notification.cell_id).await {
            Ok(members) => members,
            Err(DomainError::NotFound(_)) => {
                return Ok(serde_json::json!({"sent": 0, "reason": "cell deleted"}));
            }
            Err(other) => return Err(failure(other)),
        };
        notification.emails.retain(|e| {
            members.iter().any(|m| {
                m.email
                    .as_deref()
                    .is_some_and(|me| me.eq_ignore_ascii_case(e))
            })
        });
        if notification.emails.is_empty() {
            return Ok(serde_json::json!({"sent": 0, "reason": "no member left to tell"}));
        }
        let message = email(&notification, &self.public_url);
        self.mail.send(&message).await.map_err(failure)?;
        Ok(serde_json::json!({"sent": message.to.len()}))
    }
}

/// `alert.webhook`: POSTs the notification's JSON, signed with the rule's secret, and keeps
/// every attempt in the delivery log.
pub struct WebhookHandler {
    sender: Arc<dyn WebhookSender>,
    rules: Arc<dyn AlertRuleRepository>,
    log: Arc<dyn WebhookDeliveryLog>,
    clock: Arc<dyn crate::auth::Clock>,
}

impl WebhookHandler {
    pub fn new(
        sender: Arc<dyn WebhookSender>,
        rules: Arc<dyn AlertRuleRepository>,
        log: Arc<dyn WebhookDeliveryLog>,
        clock: Arc<dyn crate::auth::Clock>,
    ) -> Self {
        Self {
            sender,
            rules,
            log,
            clock,
        }
    }
}

#[async_trait]
impl JobHandler for WebhookHandler {
    fn kind(&self) -> &'static str {
        WEBHOOK_JOB
    }

    async fn run(&self, job: &Job, _: &dyn ProgressSink) -> Result<serde_json::Value, JobFailure> {
        let notification = decode(job)?;
        let Some(url) = notification.webhook_url.clone() else {
            return Ok(serde_json::json!({"sent": false, "reason": "no webhook"}));
        };
        let secret = match self.rules.webhook_secret(notification.rule_id).await {
            Ok(Some(secret)) => secret,
            Ok(None) | Err(DomainError::NotFound(_)) => {
                return Ok(serde_json::json!({"sent": false, "reason": "rule or webhook removed"}));
            }
            Err(other) => return Err(failure(other)),
        };
        let delivery = WebhookDelivery {
            url: url.clone(),
            body: webhook_body(&notification).map_err(failure)?,
            secret,
            delivery_id: notification.delivery_id(),
        };
        let attempted_at = self.clock.now();
        let result = self.sender.post(&delivery).await;
        let attempt = WebhookAttempt {
            rule_id: notification.rule_id,
            delivery_id: delivery.delivery_id.clone(),
            url,
            attempted_at,
            status: result.as_ref().ok().map(|o| o.status),
            elapsed_ms: result.as_ref().ok().map(|o| o.elapsed_ms),
            error: result.as_ref().err().map(ToString::to_string),
        };
        if let Err(error) = self.log.record(&attempt).await {
            tracing::warn!(%error, "webhook delivery log not written");
        }
        let outcome = result.map_err(failure)?;
        Ok(serde_json::json!({"sent": true, "status": outcome.status}))
    }
}
