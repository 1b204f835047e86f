//! Alerts in both processes: the delivery job handlers (`alert.email`, `alert.webhook`) and
//! the evaluation schedule. The schedule runs where jobs run — `ents-worker`, or `ents serve`
//! without a broker — and any number of them may run at once: each rule is claimed once per
//! tick in PostgreSQL (`docs/alerts.md`).

use std::sync::Arc;
use std::time::Duration;

use ents_config::Settings;
use ents_domain::alerts::{
    AlertEvaluator, EmailHandler, EvaluatorSettings, JobNotifier, WebhookHandler,
};
use ents_domain::auth::SystemClock;
use ents_domain::jobs::{HandlerRegistry, JobService};
use ents_persistence::{Db, PgAlertRepository, PgAlertSignals, PgCellRepository, PgLiveFeed};

use crate::periodic::every;

/// Evaluations and transitions, for the operator (`/metrics`).
pub const EVALUATIONS: &str = "ents_alert_evaluations_total";
pub const TRANSITIONS: &str = "ents_alert_transitions_total";
pub const NOTIFICATIONS: &str = "ents_alert_notifications_total";

/// The dashboard's address, for the links in e-mails (`http.public_url`, else the listen
/// address).
fn public_url(settings: &Settings) -> String {
    settings
        .http
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{}", settings.http.listen))
}

/// `handlers` with the two delivery handlers, sending through the configured adapters
/// (`crate::notify`). Errors: invalid `[smtp]`/`[webhook]` settings.
pub fn with_alert_handlers(
    handlers: HandlerRegistry,
    settings: &Settings,
    db: &Db,
) -> anyhow::Result<HandlerRegistry> {
    let alerts = Arc::new(PgAlertRepository::new(db.clone()));
    Ok(handlers
        .with(Arc::new(EmailHandler::new(
            crate::notify::mail_sender(settings)?,
            alerts.clone(),
            Arc::new(PgCellRepository::new(db.clone())),
            public_url(settings),
        )))
        .with(Arc::new(WebhookHandler::new(
            crate::notify::webhook_sender(settings)?,
            alerts.clone(),
            alerts,
            Arc::new(SystemClock),
        ))))
}

/// The evaluator of a deployment: rules and signals in `db`, notifications as jobs of `jobs`,
/// and the live push's `alert` events through `db`'s `NOTIFY` (every API instance's
/// listener relays them to its Socket.IO rooms, whichever process evaluates).
pub fn evaluator(settings: &Settings, db: &Db, jobs: JobService) -> AlertEvaluator {
    AlertEvaluator::new(
        Arc::new(PgAlertRepository::new(db.clone())),
        Arc::new(PgAlertSignals::new(db.clone(), settings.series.use_rollups)),
        Arc::new(JobNotifier::new(jobs)),
        Arc::new(SystemClock),
        EvaluatorSettings {
            interval: chrono::TimeDelta::seconds(
                i64::try_from(settings.alerts.tick_secs).unwrap_or(60),
            ),
            batch: i64::from(settings.alerts.batch),
        },
    )
    .with_live_feed(Arc::new(PgLiveFeed::new(db.clone())))
}

/// Ticks `evaluator` every `alerts.tick_secs` until `shutdown` (nothing when alerts are
/// disabled). A failed tick is logged; the rules it did not reach are due at the next.
pub async fn run_alert_evaluation(
    settings: &Settings,
    evaluator: AlertEvaluator,
    shutdown: impl Future<Output = ()> + Send,
) {
    if !settings.alerts.enabled {
        return;
    }
    let interval = Duration::from_secs(settings.alerts.tick_secs);
    tracing::info!(?interval, "alert evaluation started");
    every(interval, shutdown, || {
        let evaluator = evaluator.clone();
        async move {
            match evaluator.tick().await {
                Ok(report) => {
                    metrics::counter!(EVALUATIONS).increment(report.evaluated as u64);
                    metrics::counter!(TRANSITIONS, "to" => "firing").increment(report.fired as u64);
                    metrics::counter!(TRANSITIONS, "to" => "resolved")
                        .increment(report.resolved as u64);
                    metrics::counter!(NOTIFICATIONS).increment(report.notifications as u64);
                    if report.fired + report.resolved > 0 {
                        tracing::info!(?report, "alert tick");
                    }
                }
                Err(error) => tracing::warn!(%error, "alert tick failed; retried next tick"),
            }
        }
    })
    .await;
}
