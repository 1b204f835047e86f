//! The alert repositories and signals against PostgreSQL, driven by the domain's evaluator
//! with a controlled clock (no sleeps).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertEvaluator, AlertEventRepository, AlertLiveEvent, AlertLiveFeed, AlertNotifier,
    AlertRuleRepository, Condition, Direction, EvaluatorSettings, EventFilter, Notification,
    NotificationKind, PowerField, QuietHours, Recipients, RuleSpec, SeriesRef, Severity, Status,
};
use ents_domain::auth::ManualClock;
use ents_domain::users::UserId;
use ents_persistence::testing::TestDb;
use ents_persistence::{PgAlertRepository, PgAlertSignals};

use crate::common::alerts::{rule_spec, seed_cell_owner};
use crate::common::{connect, exec, lines};

#[derive(Default)]
struct Recorder(Mutex<Vec<Notification>>);

#[async_trait]
impl AlertNotifier for Recorder {
    async fn notify(&self, n: &Notification) -> Result<(), DomainError> {
        self.0.lock().unwrap().push(n.clone());
        Ok(())
    }
}

impl Recorder {
    fn kinds(&self) -> Vec<NotificationKind> {
        self.0.lock().unwrap().iter().map(|n| n.kind).collect()
    }
}

struct World {
    db: TestDb,
    user: UserId,
    repo: PgAlertRepository,
    clock: Arc<ManualClock>,
    recorder: Arc<Recorder>,
}

impl World {
    async fn new() -> Self {
        let db = TestDb::new().await;
        let mut conn = connect(db.url()).await;
        let user = seed_cell_owner(&mut conn, "r@example.org").await;
        exec(
            &mut conn,
            "INSERT INTO logger (id, name, uuid, date_created) \
               VALUES (7, 'node', gen_random_uuid(), now());",
        )
        .await;
        // Whole minutes, so that device timestamps line up with the clock.
        let start = Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap();
        Self {
            repo: PgAlertRepository::new(db.db()),
            db,
            user,
            clock: Arc::new(ManualClock::new(start)),
            recorder: Arc::new(Recorder::default()),
        }
    }

    fn evaluator(&self, repo: PgAlertRepository) -> AlertEvaluator {
        AlertEvaluator::new(
            Arc::new(repo),
            Arc::new(PgAlertSignals::new(self.db.db(), true)),
            self.recorder.clone(),
            self.clock.clone(),
            EvaluatorSettings {
                interval: TimeDelta::seconds(60),
                batch: 50,
            },
        )
    }

    fn now(&self) -> DateTime<Utc> {
        use ents_domain::auth::Clock;
        self.clock.now()
    }

    async fn power(&self, minutes_ago: i64, volts: f64) {
        let ts = (self.now() - TimeDelta::minutes(minutes_ago)).naive_utc();
        let mut conn = connect(self.db.url()).await;
        exec(
            &mut conn,
            &format!(
                "INSERT INTO power_data (logger_id, cell_id, ts, voltage, current) \
                 VALUES (7, 1, '{ts}', {volts}, 0.001)"
            ),
        )
        .await;
    }

    async fn rule(&self, condition: Condition) -> i64 {
        self.rule_quiet(condition, None).await
    }

    async fn rule_quiet(&self, condition: Condition, quiet_hours: Option<QuietHours>) -> i64 {
        let recipients = Recipients {
            emails: vec!["r@example.org".to_owned()],
            webhook_url: None,
        };
        let spec = RuleSpec {
            quiet_hours,
            ..rule_spec("low battery", condition, Severity::Critical, recipients)
        };
        self.repo.create(spec, self.user, None).await.unwrap().id.0
    }
}

fn low_battery() -> Condition {
    Condition::Threshold {
        series: SeriesRef::Power(PowerField::Voltage),
        direction: Direction::Below,
        value: 3300.0,
        for_minutes: 10,
        clear_margin: 200.0,
        clear_minutes: 5,
    }
}

#[tokio::test]
async fn a_threshold_fires_once_and_resolves_once_despite_noise() {
    let w = World::new().await;
    w.rule(low_battery()).await;
    let evaluator = w.evaluator(w.repo.clone());
    // Healthy, then low for 15 minutes.
    w.power(30, 3.6).await;
    for m in (1..=15).rev() {
        w.power(m, 3.2).await;
    }
    let report = evaluator.tick().await.unwrap();
    assert_eq!((report.evaluated, report.fired), (1, 1), "{report:?}");
    assert_eq!(w.recorder.kinds(), vec![NotificationKind::Fired]);
    assert_eq!(w.recorder.0.lock().unwrap()[0].value, Some(3200.0));

    // Noise around the threshold, inside the margin: nothing more is said.
    for (i, volts) in [3.35, 3.25, 3.4, 3.29, 3.45].into_iter().enumerate() {
        w.clock.advance(TimeDelta::minutes(1));
        w.power(0, volts).await;
        let report = evaluator.tick().await.unwrap();
        assert_eq!(report.evaluated, 1, "tick {i}");
    }
    assert_eq!(w.recorder.kinds(), vec![NotificationKind::Fired]);

    // Well clear of the margin for the clear time: resolved, once.
    for _ in 0..7 {
        w.clock.advance(TimeDelta::minutes(1));
        w.power(0, 3.7).await;
        evaluator.tick().await.unwrap();
    }
    assert_eq!(
        w.recorder.kinds(),
        vec![NotificationKind::Fired, NotificationKind::Resolved]
    );
    let events = AlertEventRepository::list(
        &w.repo,
        EventFilter {
            cell_id: Some(1),
            limit: 10,
            ..EventFilter::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].fired_value, Some(3200.0));
    assert_eq!(events[0].resolved_value, Some(3700.0));
    assert!(events[0].resolved_at.is_some());
}

/// The dashboard's side of the live push, as the evaluator hands it over.
#[derive(Default)]
struct Dashboard(Mutex<Vec<AlertLiveEvent>>);

#[async_trait]
impl AlertLiveFeed for Dashboard {
    async fn publish_alert(&self, event: &AlertLiveEvent) -> Result<(), DomainError> {
        self.0.lock().unwrap().push(event.clone());
        Ok(())
    }
}

/// Quiet hours hold back the notification, not the dashboard: the live `alert` event goes
/// out when the rule fires inside them, the "fired" notification once they are over.
#[tokio::test]
async fn quiet_hours_hold_back_the_notification_not_the_live_event() {
    let w = World::new().await;
    let now = w.now();
    let quiet = QuietHours {
        start: (now - TimeDelta::hours(1)).time(),
        end: (now + TimeDelta::minutes(30)).time(),
        utc_offset_minutes: 0,
    };
    let rule = w.rule_quiet(low_battery(), Some(quiet)).await;
    let dashboard = Arc::new(Dashboard::default());
    let evaluator = w
        .evaluator(w.repo.clone())
        .with_live_feed(dashboard.clone());
    for m in (1..=15).rev() {
        w.power(m, 3.2).await;
    }

    let report = evaluator.tick().await.unwrap();
    assert_eq!(report.fired, 1, "{report:?}");
    assert!(w.recorder.kinds().is_empty());
    let pushed = dashboard.0.lock().unwrap().clone();
    assert_eq!(pushed.len(), 1);
    assert_eq!(pushed[0].rule_id.0, rule);
    assert_eq!(
        (pushed[0].state, pushed[0].value, pushed[0].at),
        (Status::Firing, Some(3200.0), now)
    );
    assert_eq!((pushed[0].kind, pushed[0].cell_id), ("threshold", 1));

    // Still quiet: nothing. Quiet hours over, still firing: the postponed announcement,
    // and no second live event (the alert did not change).
    w.clock.advance(TimeDelta::minutes(10));
    evaluator.tick().await.unwrap();
    assert!(w.recorder.kinds().is_empty());
    w.clock.advance(TimeDelta::minutes(21));
    evaluator.tick().await.unwrap();
    assert_eq!(w.recorder.kinds(), vec![NotificationKind::Fired]);
    assert_eq!(dashboard.0.lock().unwrap().len(), 1);
}

/// A rule whose stored spec no longer reads (a hand edit, a downgrade) is skipped and
/// reported; the other rules of the tick are still evaluated.
#[tokio::test]
async fn an_unreadable_rule_does_not_silence_the_others() {
    let w = World::new().await;
    let broken = w.rule(low_battery()).await;
    w.rule(low_battery()).await;
    let mut conn = connect(w.db.url()).await;
    exec(
        &mut conn,
        &format!("UPDATE alert_rule SET spec = '{{\"nonsense\": true}}' WHERE id = {broken}"),
    )
    .await;
    for m in (1..=15).rev() {
        w.power(m, 3.2).await;
    }
    let report = w.evaluator(w.repo.clone()).tick().await.unwrap();
    assert_eq!((report.evaluated, report.fired), (1, 1), "{report:?}");
}

#[tokio::test]
async fn a_silent_logger_fires_and_an_upload_resolves_it() {
    let w = World::new().await;
    w.power(1, 3.6).await;
    w.rule(Condition::Silence { minutes: 30 }).await;
    let evaluator = w.evaluator(w.repo.clone());
    evaluator.tick().await.unwrap();
    assert!(w.recorder.kinds().is_empty());
    // The rule's creation time counts from the database clock: far enough ahead.
    w.clock.advance(TimeDelta::minutes(45));
    evaluator.tick().await.unwrap();
    assert_eq!(w.recorder.kinds(), vec![NotificationKind::Fired]);
    w.clock.advance(TimeDelta::minutes(1));
    evaluator.tick().await.unwrap();
    w.power(0, 3.6).await;
    w.clock.advance(TimeDelta::minutes(1));
    evaluator.tick().await.unwrap();
    assert_eq!(
        w.recorder.kinds(),
        vec![NotificationKind::Fired, NotificationKind::Resolved]
    );
}

#[tokio::test]
async fn two_evaluators_ticking_together_evaluate_each_rule_once() {
    let w = World::new().await;
    for _ in 0..120 {
        w.rule(Condition::Silence { minutes: 5 }).await;
    }
    // Separate pools: two workers.
    let other = TestDbPool::of(&w.db);
    let a = w.evaluator(w.repo.clone());
    let b = w.evaluator(PgAlertRepository::new(other));
    let (ra, rb) = tokio::join!(a.tick(), b.tick());
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    assert_eq!(ra.evaluated + rb.evaluated, 120, "{ra:?} {rb:?}");
    let mut conn = connect(w.db.url()).await;
    let claims = lines(
        &mut conn,
        "SELECT DISTINCT claim::text AS line FROM alert_rule",
    )
    .await;
    assert_eq!(claims, vec!["1".to_owned()]);
    // The same tick again: nothing is due.
    let again = a.tick().await.unwrap();
    assert_eq!(again.evaluated, 0);
}

/// A second pool on the same database.
struct TestDbPool;

impl TestDbPool {
    fn of(db: &TestDb) -> ents_persistence::Db {
        ents_persistence::Db::new(&ents_persistence::PoolSettings {
            url: db.url().to_owned(),
            max_size: 2,
            ..ents_persistence::PoolSettings::default()
        })
        .unwrap()
    }
}

#[tokio::test]
async fn windows_over_hours_read_the_rollups_and_agree_with_the_raw_rows() {
    use ents_domain::alerts::{AlertSignals, WindowQuery};
    let w = World::new().await;
    for m in (0..200).step_by(7) {
        w.power(m, 3.0 + f64::from(m as u32 % 13) / 10.0).await;
    }
    let q = WindowQuery {
        cell_id: 1,
        series: SeriesRef::Power(PowerField::Voltage),
        start: w.now() - TimeDelta::minutes(150),
        end: w.now(),
    };
    let rolled = PgAlertSignals::new(w.db.db(), true)
        .windows(std::slice::from_ref(&q))
        .await
        .unwrap();
    let raw = PgAlertSignals::new(w.db.db(), false)
        .windows(&[q])
        .await
        .unwrap();
    assert_eq!(rolled, raw);
    assert!(raw[0].count > 15, "{raw:?}");
    assert!(raw[0].at_start.is_some() && raw[0].latest.is_some());
}

/// The figure of docs/performance.md#alerts: one tick over 10,000 due rules on 1,000 cells
/// with three hours of minute data each. `just bench-alerts`.
#[tokio::test]
#[ignore = "a measurement, not a check: run by `just bench-alerts`"]
#[allow(clippy::print_stdout)] // the figure is the point
async fn bench_tick_over_ten_thousand_rules() {
    let w = World::new().await;
    let mut conn = connect(w.db.url()).await;
    let now = w.now().naive_utc();
    exec(
        &mut conn,
        &format!(
            "INSERT INTO cell (id, name, user_id) \
               SELECT g, 'bench-' || g, '{user}' FROM generate_series(2, 1001) g; \
             INSERT INTO power_data (logger_id, cell_id, ts, voltage, current) \
               SELECT 7, c, '{now}'::timestamp - make_interval(mins => m), \
                      3.0 + (m % 7) / 10.0, 0.001 \
                 FROM generate_series(2, 1001) c, generate_series(0, 179) m; \
             INSERT INTO alert_rule (cell_id, name, spec, created_by) \
               SELECT 2 + (g % 1000), 'rule ' || g, \
                 CASE WHEN g % 2 = 0 THEN \
                   jsonb_build_object('cell_id', 2 + (g % 1000), 'logger_id', null, \
                     'name', 'rule', 'condition', jsonb_build_object('Silence', \
                       jsonb_build_object('minutes', 30)), \
                     'severity', 'warning', 'quiet_hours', null, \
                     'recipients', jsonb_build_object('emails', '[]'::jsonb, 'webhook_url', null), \
                     'reminder_hours', null, 'enabled', true) \
                 ELSE \
                   jsonb_build_object('cell_id', 2 + (g % 1000), 'logger_id', null, \
                     'name', 'rule', 'condition', jsonb_build_object('Threshold', \
                       jsonb_build_object('series', jsonb_build_object('Power', 'Voltage'), \
                         'direction', 'below', 'value', 3300.0, \
                         'for_minutes', CASE WHEN g % 4 = 1 THEN 10 ELSE 150 END, \
                         'clear_margin', 100.0, 'clear_minutes', 5)), \
                     'severity', 'warning', 'quiet_hours', null, \
                     'recipients', jsonb_build_object('emails', '[]'::jsonb, 'webhook_url', null), \
                     'reminder_hours', null, 'enabled', true) \
                 END, '{user}' \
               FROM generate_series(1, 10000) g; \
             ANALYZE;",
            user = w.user
        ),
    )
    .await;
    let evaluator = AlertEvaluator::new(
        Arc::new(w.repo.clone()),
        Arc::new(PgAlertSignals::new(w.db.db(), true)),
        w.recorder.clone(),
        w.clock.clone(),
        EvaluatorSettings {
            interval: TimeDelta::seconds(60),
            batch: 500,
        },
    );
    let started = std::time::Instant::now();
    let first = evaluator.tick().await.unwrap();
    let first_time = started.elapsed();
    w.clock.advance(TimeDelta::minutes(1));
    let started = std::time::Instant::now();
    let second = evaluator.tick().await.unwrap();
    let second_time = started.elapsed();
    // The baseline, in the same run: PostgreSQL reading every rule once, nothing evaluated.
    let started = std::time::Instant::now();
    exec(&mut conn, "SELECT id, spec, state FROM alert_rule").await;
    let bare_read = started.elapsed();
    println!(
        "alerts bench: first tick {first_time:?} ({first:?}); steady tick {second_time:?} \
         ({second:?}); bare read of the rules {bare_read:?}"
    );
    assert_eq!(first.evaluated, 10_000);
}
