//! The evaluation tick: take the due rules in batches, read their data, step their state
//! machines, save, then notify.

use std::sync::Arc;

use chrono::TimeDelta;

use super::live::AlertLiveEvent;
use super::model::Condition;
use super::notification::Notification;
use super::ports::{AlertLiveFeed, AlertNotifier, AlertSignals, AlertStateStore, ClaimedRule};
use super::signals::{Question, UploadTarget, WindowQuery, silence_verdict};
use super::state::{NotifyPolicy, Step, Verdict, step};
use crate::DomainError;
use crate::auth::Clock;

/// How often rules are evaluated and how many are taken at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvaluatorSettings {
    /// A rule evaluated now is due again after this.
    pub interval: TimeDelta,
    /// Rules claimed (and their data read) per round trip.
    pub batch: i64,
}

impl Default for EvaluatorSettings {
    fn default() -> Self {
        Self {
            interval: TimeDelta::seconds(60),
            batch: 500,
        }
    }
}

/// What one tick did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    pub evaluated: usize,
    pub fired: usize,
    pub resolved: usize,
    pub notifications: usize,
}

/// The use case the worker runs on a schedule.
#[derive(Clone)]
pub struct AlertEvaluator {
    store: Arc<dyn AlertStateStore>,
    signals: Arc<dyn AlertSignals>,
    notifier: Arc<dyn AlertNotifier>,
    live: Option<Arc<dyn AlertLiveFeed>>,
    clock: Arc<dyn Clock>,
    settings: EvaluatorSettings,
}

impl AlertEvaluator {
    pub fn new(
        store: Arc<dyn AlertStateStore>,
        signals: Arc<dyn AlertSignals>,
        notifier: Arc<dyn AlertNotifier>,
        clock: Arc<dyn Clock>,
        settings: EvaluatorSettings,
    ) -> Self {
        Self {
            store,
            signals,
            notifier,
            live: None,
            clock,
            settings,
        }
    }

    /// Also pushes opened and closed alerts to the cells' live rooms.
    pub fn with_live_feed(mut self, live: Arc<dyn AlertLiveFeed>) -> Self {
        self.live = Some(live);
        self
    }

    /// Evaluates every rule due now, once. Errors: those of the stores (what was saved
    /// before stays saved; the rest is due again next tick).
    pub async fn tick(&self) -> Result<TickReport, DomainError> {
        let now = self.clock.now();
        let next_at = now + self.settings.interval;
        let mut report = TickReport::default();
        loop {
            let claimed = self
                .store
                .claim_due(now, next_at, self.settings.batch.max(1))
                .await?;
            if claimed.is_empty() {
                return Ok(report);
            }
            let verdicts = self.verdicts(&claimed, now).await?;
            for (rule, verdict) in claimed.iter().zip(verdicts) {
                self.apply(rule, verdict, now, &mut report).await?;
            }
        }
    }

    /// One verdict per claimed rule, from two batched reads.
    async fn verdicts(
        &self,
        claimed: &[ClaimedRule],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Verdict>, DomainError> {
        let mut targets = Vec::new();
        let mut windows: Vec<WindowQuery> = Vec::new();
        let mut questions = Vec::new();
        for c in claimed {
            let spec = &c.rule.spec;
            match &spec.condition {
                Condition::Silence { .. } => targets.push(UploadTarget {
                    cell_id: spec.cell_id,
                    logger_id: spec.logger_id,
                }),
                Condition::Threshold { series, .. } => {
                    if let Some(q) = Question::for_status(&spec.condition, c.state.status) {
                        windows.push(q.window(spec.cell_id, series, now));
                        questions.push(q);
                    }
                }
            }
        }
        let uploads = if targets.is_empty() {
            Vec::new()
        } else {
            self.signals.last_uploads(&targets).await?
        };
        let stats = if windows.is_empty() {
            Vec::new()
        } else {
            self.signals.windows(&windows).await?
        };
        let mut uploads = uploads.into_iter();
        let mut answers = questions.into_iter().zip(stats);
        let mut verdicts = Vec::with_capacity(claimed.len());
        for c in claimed {
            let verdict = match c.rule.spec.condition {
                Condition::Silence { minutes } => silence_verdict(
                    minutes,
                    c.state.status,
                    uploads.next().flatten(),
                    c.rule.created_at,
                    now,
                ),
                Condition::Threshold { .. } => {
                    answers.next().map_or(Verdict::Stay, |(q, s)| q.verdict(&s))
                }
            };
            verdicts.push(verdict);
        }
        Ok(verdicts)
    }

    async fn apply(
        &self,
        claimed: &ClaimedRule,
        verdict: Verdict,
        now: chrono::DateTime<chrono::Utc>,
        report: &mut TickReport,
    ) -> Result<(), DomainError> {
        report.evaluated += 1;
        let spec = &claimed.rule.spec;
        let policy = NotifyPolicy {
            quiet_hours: spec.quiet_hours,
            reminder: spec.reminder_hours.map(|h| TimeDelta::hours(i64::from(h))),
        };
        let next: Step = step(&claimed.state, verdict, now, policy);
        if !next.changed_from(&claimed.state) {
            return Ok(());
        }
        let event = self.store.save(claimed, &next).await?;
        let Some(event) = event else {
            return Ok(());
        };
        match next.event {
            Some(super::state::EventChange::Opened { .. }) => report.fired += 1,
            Some(super::state::EventChange::Closed { .. }) => report.resolved += 1,
            None => {}
        }
        if let (Some(change), Some(live)) = (next.event, &self.live)
            && let Err(error) = live
                .publish_alert(&AlertLiveEvent::new(&claimed.rule, &event, change))
                .await
        {
            tracing::warn!(%error, rule.id = %claimed.rule.id, "alert live push failed");
        }
        if let Some(kind) = next.notify {
            let notification =
                Notification::new(kind, &claimed.rule, &claimed.cell_name, &event, now);
            match self.notifier.notify(&notification).await {
                Ok(()) => report.notifications += 1,
                Err(error) => {
                    tracing::error!(%error, rule.id = %claimed.rule.id, "alert notification lost");
                }
            }
        }
        Ok(())
    }
}
