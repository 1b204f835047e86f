use chrono::{DateTime, NaiveTime, TimeDelta, TimeZone, Utc};

use crate::alerts::{
    EventChange, NotificationKind, NotifyPolicy, QuietHours, RuleState, Status, Verdict, step,
};

fn t(minutes: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, 12, 0, 0)
        .single()
        .unwrap_or_default()
        + TimeDelta::minutes(minutes)
}

const LOUD: NotifyPolicy = NotifyPolicy {
    quiet_hours: None,
    reminder: None,
};

/// Runs the verdicts one minute apart and collects the notifications.
fn run(policy: NotifyPolicy, verdicts: &[Verdict]) -> (RuleState, Vec<(i64, NotificationKind)>) {
    let mut state = RuleState::default();
    let mut sent = Vec::new();
    for (minute, verdict) in verdicts.iter().enumerate() {
        let minute = minute as i64;
        let next = step(&state, *verdict, t(minute), policy);
        if let Some(kind) = next.notify {
            sent.push((minute, kind));
        }
        state = next.state;
    }
    (state, sent)
}

const FIRE: Verdict = Verdict::Fire { value: Some(1.0) };
const CLEAR: Verdict = Verdict::Clear { value: Some(9.0) };
const STAY: Verdict = Verdict::Stay;

#[test]
fn fires_once_and_resolves_once() {
    let first = step(&RuleState::default(), FIRE, t(0), LOUD);
    assert_eq!(first.state.status, Status::Firing);
    assert_eq!(first.notify, Some(NotificationKind::Fired));
    assert_eq!(
        first.event,
        Some(EventChange::Opened {
            at: t(0),
            value: Some(1.0)
        })
    );
    let held = step(&first.state, STAY, t(1), LOUD);
    assert_eq!(held.notify, None);
    assert!(!held.changed_from(&first.state));
    let resolved = step(&held.state, CLEAR, t(2), LOUD);
    assert_eq!(resolved.state.status, Status::Resolved);
    assert_eq!(resolved.notify, Some(NotificationKind::Resolved));
    assert!(matches!(resolved.event, Some(EventChange::Closed { .. })));
}

#[test]
fn a_noisy_value_inside_the_margin_does_not_flap() {
    // The evaluator asks "cleared?" while firing: near the threshold the answer is Stay,
    // whatever side the noise is on, so nothing is sent between the fire and the resolve.
    let mut verdicts = vec![FIRE];
    verdicts.extend(std::iter::repeat_n(STAY, 50));
    verdicts.push(CLEAR);
    let (state, sent) = run(LOUD, &verdicts);
    assert_eq!(
        sent,
        vec![
            (0, NotificationKind::Fired),
            (51, NotificationKind::Resolved)
        ]
    );
    assert_eq!(state.status, Status::Resolved);
}

#[test]
fn a_resolved_rule_fires_again() {
    let (state, sent) = run(LOUD, &[FIRE, CLEAR, STAY, FIRE]);
    assert_eq!(state.status, Status::Firing);
    assert_eq!(
        sent.iter().map(|(_, k)| *k).collect::<Vec<_>>(),
        vec![
            NotificationKind::Fired,
            NotificationKind::Resolved,
            NotificationKind::Fired
        ]
    );
}

#[test]
fn verdicts_that_do_not_fit_the_status_change_nothing() {
    let ok = RuleState::default();
    assert_eq!(step(&ok, CLEAR, t(0), LOUD).state, ok);
    let firing = step(&ok, FIRE, t(0), LOUD).state;
    let again = step(&firing, FIRE, t(1), LOUD);
    assert_eq!(again.notify, None);
    assert_eq!(again.event, None);
}

#[test]
fn reminders_come_every_period_while_firing() {
    let policy = NotifyPolicy {
        quiet_hours: None,
        reminder: Some(TimeDelta::minutes(10)),
    };
    let mut verdicts = vec![FIRE];
    verdicts.extend(std::iter::repeat_n(STAY, 25));
    let (_, sent) = run(policy, &verdicts);
    assert_eq!(
        sent,
        vec![
            (0, NotificationKind::Fired),
            (10, NotificationKind::Reminder),
            (20, NotificationKind::Reminder)
        ]
    );
}

fn quiet_from(start_minute: u32, end_minute: u32) -> Option<QuietHours> {
    let at = |m: u32| NaiveTime::from_hms_opt(12 + m / 60, m % 60, 0).unwrap_or_default();
    Some(QuietHours {
        start: at(start_minute),
        end: at(end_minute),
        utc_offset_minutes: 0,
    })
}

#[test]
fn quiet_hours_postpone_the_fire_notification() {
    let policy = NotifyPolicy {
        quiet_hours: quiet_from(0, 5),
        reminder: None,
    };
    let (_, sent) = run(policy, &[FIRE, STAY, STAY, STAY, STAY, STAY, STAY]);
    assert_eq!(sent, vec![(5, NotificationKind::Fired)]);
}

#[test]
fn an_alert_over_before_quiet_hours_end_is_never_announced() {
    let policy = NotifyPolicy {
        quiet_hours: quiet_from(0, 5),
        reminder: None,
    };
    let (state, sent) = run(policy, &[FIRE, STAY, CLEAR, STAY, STAY, STAY, STAY]);
    assert_eq!(sent, vec![]);
    assert_eq!(state.status, Status::Resolved);
}

#[test]
fn a_recovery_during_quiet_hours_is_told_when_they_end() {
    let policy = NotifyPolicy {
        quiet_hours: quiet_from(2, 5),
        reminder: None,
    };
    let (_, sent) = run(policy, &[FIRE, STAY, STAY, CLEAR, STAY, STAY, STAY]);
    assert_eq!(
        sent,
        vec![
            (0, NotificationKind::Fired),
            (5, NotificationKind::Resolved)
        ]
    );
}

#[test]
fn quiet_hours_may_span_midnight_in_local_time() {
    let quiet = QuietHours {
        start: NaiveTime::from_hms_opt(22, 0, 0).unwrap_or_default(),
        end: NaiveTime::from_hms_opt(7, 0, 0).unwrap_or_default(),
        utc_offset_minutes: 60,
    };
    let at = |h, m| {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0)
            .single()
            .unwrap_or_default()
    };
    assert!(quiet.contains(at(21, 0))); // 22:00 local
    assert!(quiet.contains(at(3, 0)));
    assert!(!quiet.contains(at(6, 0))); // 07:00 local
    assert!(!quiet.contains(at(12, 0)));
}
