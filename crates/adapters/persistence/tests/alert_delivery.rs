//! The `alert.email` and `alert.webhook` job handlers (domain `alerts/delivery.rs`) on the
//! real rule, cell and delivery-log stores, with fake senders standing in for the mail
//! server and the receiver: what is retried, what is not, and what is not sent at all.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertRuleRepository, Condition, EMAIL_JOB, EmailHandler, Notification, NotificationKind,
    Recipients, RuleId, Severity, WEBHOOK_JOB, WebhookHandler,
};
use ents_domain::auth::ManualClock;
use ents_domain::jobs::{Job, JobFailure, JobHandler, JobId, JobState, ProgressSink};
use ents_domain::notifications::{
    Email, MailSender, WebhookDelivery, WebhookOutcome, WebhookSender,
};
use ents_persistence::testing::TestDb;
use ents_persistence::{PgAlertRepository, PgCellRepository};
use serde_json::{Value, json};

use crate::common::alerts::{rule_spec, seed_cell_owner};
use crate::common::{connect, lines};

const MEMBER: &str = "member@example.org";
const HOOK: &str = "https://hooks.example.org/ents";

/// How a fake peer answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Accept,
    /// Down, slow, or overloaded (SMTP 4xx; HTTP 5xx, 429, a timeout): `Unavailable`.
    Down,
    /// Refused for good (SMTP 5xx; HTTP 4xx): `BadRequest`.
    Refuse,
}

impl Answer {
    fn error(self) -> Option<DomainError> {
        match self {
            Self::Accept => None,
            Self::Down => Some(DomainError::Unavailable("the peer is down".into())),
            Self::Refuse => Some(DomainError::BadRequest("refused".into())),
        }
    }
}

/// The mail server.
struct FakeMail {
    answer: Mutex<Answer>,
    sent: Mutex<Vec<Email>>,
}

#[async_trait]
impl MailSender for FakeMail {
    async fn send(&self, email: &Email) -> Result<(), DomainError> {
        let answer = *self.answer.lock().unwrap();
        self.sent.lock().unwrap().push(email.clone());
        answer.error().map_or(Ok(()), Err)
    }
}

/// The webhook receiver.
struct FakeReceiver {
    answer: Mutex<Answer>,
    posted: Mutex<Vec<WebhookDelivery>>,
}

#[async_trait]
impl WebhookSender for FakeReceiver {
    async fn post(&self, delivery: &WebhookDelivery) -> Result<WebhookOutcome, DomainError> {
        let answer = *self.answer.lock().unwrap();
        self.posted.lock().unwrap().push(delivery.clone());
        answer.error().map_or(
            Ok(WebhookOutcome {
                status: 204,
                elapsed_ms: 3,
            }),
            Err,
        )
    }
}

struct NoProgress;

#[async_trait]
impl ProgressSink for NoProgress {
    async fn report(&self, _: f32) {}
}

struct World {
    db: TestDb,
    repo: PgAlertRepository,
    mail: Arc<FakeMail>,
    receiver: Arc<FakeReceiver>,
    email: EmailHandler,
    webhook: WebhookHandler,
    now: DateTime<Utc>,
    rule: RuleId,
}

impl World {
    /// Cell 1 with its owner (a member too), and a rule on it with e-mail and a webhook.
    async fn new() -> Self {
        let db = TestDb::new().await;
        let user = seed_cell_owner(&mut connect(db.url()).await, MEMBER).await;
        let repo = PgAlertRepository::new(db.db());
        let recipients = Recipients {
            emails: vec![MEMBER.to_owned()],
            webhook_url: Some(HOOK.to_owned()),
        };
        let spec = rule_spec(
            "gateway",
            Condition::Silence { minutes: 30 },
            Severity::Warning,
            recipients,
        );
        let rule = repo
            .create(spec, user, Some("whsec_test".to_owned()))
            .await
            .unwrap()
            .id;
        let now = DateTime::from_timestamp(1_765_000_000, 0).unwrap();
        let mail = Arc::new(FakeMail {
            answer: Mutex::new(Answer::Accept),
            sent: Mutex::default(),
        });
        let receiver = Arc::new(FakeReceiver {
            answer: Mutex::new(Answer::Accept),
            posted: Mutex::default(),
        });
        let repo_arc = Arc::new(repo.clone());
        Self {
            email: EmailHandler::new(
                mail.clone(),
                repo_arc.clone(),
                Arc::new(PgCellRepository::new(db.db())),
                "https://dirtviz.example".to_owned(),
            ),
            webhook: WebhookHandler::new(
                receiver.clone(),
                repo_arc.clone(),
                repo_arc,
                Arc::new(ManualClock::new(now)),
            ),
            db,
            repo,
            mail,
            receiver,
            now,
            rule,
        }
    }

    fn notification(&self, emails: &[&str]) -> Notification {
        Notification {
            kind: NotificationKind::Fired,
            rule_id: self.rule,
            rule_name: "gateway".to_owned(),
            cell_id: 1,
            cell_name: "field".to_owned(),
            logger_id: None,
            severity: Severity::Warning,
            condition: "no upload for 30 min".to_owned(),
            event_id: 1,
            fired_at: self.now - TimeDelta::minutes(1),
            resolved_at: None,
            value: None,
            at: self.now,
            emails: emails.iter().map(|e| (*e).to_owned()).collect(),
            webhook_url: Some(HOOK.to_owned()),
        }
    }

    fn job(&self, kind: &str, payload: Value) -> Job {
        Job {
            id: JobId::default(),
            kind: kind.to_owned(),
            state: JobState::Running,
            attempts: 1,
            max_attempts: 5,
            progress: 0.0,
            payload,
            result: None,
            error: None,
            created_at: self.now,
            updated_at: self.now,
            started_at: Some(self.now),
            finished_at: None,
            run_after: self.now,
            lease_until: None,
        }
    }

    async fn send_email(&self, payload: Value) -> Result<Value, JobFailure> {
        self.email
            .run(&self.job(EMAIL_JOB, payload), &NoProgress)
            .await
    }

    async fn send_webhook(&self, payload: Value) -> Result<Value, JobFailure> {
        self.webhook
            .run(&self.job(WEBHOOK_JOB, payload), &NoProgress)
            .await
    }

    fn payload(&self) -> Value {
        serde_json::to_value(self.notification(&[MEMBER])).unwrap()
    }

    fn nothing_sent(&self) -> bool {
        self.mail.sent.lock().unwrap().is_empty() && self.receiver.posted.lock().unwrap().is_empty()
    }

    /// The delivery log: `status|error` per attempt, oldest first.
    async fn delivery_log(&self) -> Vec<String> {
        let mut conn = connect(self.db.url()).await;
        lines(
            &mut conn,
            "SELECT coalesce(status::text, '-') || '|' || coalesce(error, '-') AS line \
             FROM alert_webhook_delivery ORDER BY id",
        )
        .await
    }
}

#[tokio::test]
async fn an_undecodable_notification_fails_for_good_and_sends_nothing() {
    let w = World::new().await;
    for payload in [json!({"kind": "exploded"}), json!("text"), Value::Null] {
        assert!(
            matches!(
                w.send_email(payload.clone()).await,
                Err(JobFailure::Permanent(_))
            ),
            "{payload}"
        );
        assert!(
            matches!(
                w.send_webhook(payload.clone()).await,
                Err(JobFailure::Permanent(_))
            ),
            "{payload}"
        );
    }
    assert!(w.nothing_sent());
}

#[tokio::test]
async fn a_rule_deleted_between_firing_and_delivery_is_told_to_no_one() {
    let w = World::new().await;
    let payload = w.payload();
    w.repo.delete(w.rule).await.unwrap();

    assert_eq!(w.send_email(payload.clone()).await.unwrap()["sent"], 0);
    assert_eq!(w.send_webhook(payload).await.unwrap()["sent"], false);
    assert!(w.nothing_sent());
}

#[tokio::test]
async fn only_addresses_still_of_the_cell_are_written_to() {
    let w = World::new().await;
    let payload = serde_json::to_value(w.notification(&["left@example.org", MEMBER])).unwrap();
    assert_eq!(w.send_email(payload).await.unwrap()["sent"], 1);
    assert_eq!(w.mail.sent.lock().unwrap()[0].to, [MEMBER]);

    let payload = serde_json::to_value(w.notification(&["left@example.org"])).unwrap();
    assert_eq!(w.send_email(payload).await.unwrap()["sent"], 0);
    assert_eq!(w.mail.sent.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_retried_and_a_refusal_is_not() {
    let w = World::new().await;
    *w.mail.answer.lock().unwrap() = Answer::Down;
    assert!(matches!(
        w.send_email(w.payload()).await,
        Err(JobFailure::Retryable(_))
    ));
    *w.mail.answer.lock().unwrap() = Answer::Refuse;
    assert!(matches!(
        w.send_email(w.payload()).await,
        Err(JobFailure::Permanent(_))
    ));
    *w.mail.answer.lock().unwrap() = Answer::Accept;
    assert_eq!(w.send_email(w.payload()).await.unwrap()["sent"], 1);
    assert_eq!(w.mail.sent.lock().unwrap().len(), 3);
}

/// The adapter tells a receiver's trouble (5xx, 429, 408, no answer in time, unreachable:
/// `Unavailable`) from a refusal (other 4xx, 3xx, a bad URL: `BadRequest`) —
/// `ents-webhook`'s tests; here, what the handler makes of each, and that every attempt
/// is logged.
#[tokio::test]
async fn webhook_failures_are_retried_or_not_as_classified_and_every_attempt_is_logged() {
    let w = World::new().await;
    *w.receiver.answer.lock().unwrap() = Answer::Down;
    assert!(matches!(
        w.send_webhook(w.payload()).await,
        Err(JobFailure::Retryable(_))
    ));
    *w.receiver.answer.lock().unwrap() = Answer::Refuse;
    assert!(matches!(
        w.send_webhook(w.payload()).await,
        Err(JobFailure::Permanent(_))
    ));
    *w.receiver.answer.lock().unwrap() = Answer::Accept;
    let done = w.send_webhook(w.payload()).await.unwrap();
    assert_eq!(done, json!({"sent": true, "status": 204}));

    let posted = w.receiver.posted.lock().unwrap().clone();
    assert_eq!(posted.len(), 3);
    // One notification: the same delivery id and secret on every retry.
    assert!(
        posted
            .iter()
            .all(|d| d.delivery_id == posted[0].delivery_id)
    );
    assert!(posted.iter().all(|d| d.secret == "whsec_test"));
    assert_eq!(
        w.delivery_log().await,
        [
            "-|service unavailable: the peer is down",
            "-|refused",
            "204|-"
        ]
    );
}
