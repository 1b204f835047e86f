use chrono::{TimeDelta, TimeZone, Utc};

use crate::alerts::{
    Condition, Direction, PowerField, Question, SeriesRef, Status, Verdict, WindowStats,
    silence_verdict,
};

fn low_battery(margin: f64) -> Condition {
    Condition::Threshold {
        series: SeriesRef::Power(PowerField::Voltage),
        direction: Direction::Below,
        value: 3300.0,
        for_minutes: 10,
        clear_margin: margin,
        clear_minutes: 5,
    }
}

fn window(at_start: f64, min: f64, max: f64) -> WindowStats {
    WindowStats {
        at_start: Some(at_start),
        count: 3,
        min: Some(min),
        max: Some(max),
        latest: Some(min),
    }
}

#[test]
fn below_fires_only_when_every_value_of_the_window_is_below() {
    let q = Question::for_status(&low_battery(100.0), Status::Ok).unwrap_or_else(|| panic!());
    assert_eq!(q.minutes, 10);
    assert!(matches!(
        q.verdict(&window(3200.0, 3100.0, 3250.0)),
        Verdict::Fire { .. }
    ));
    assert_eq!(q.verdict(&window(3200.0, 3100.0, 3300.0)), Verdict::Stay);
    // The value in force at the window's start counts: it had not been low long enough.
    assert_eq!(q.verdict(&window(3400.0, 3100.0, 3200.0)), Verdict::Stay);
    // Nothing known at the start: cannot tell.
    assert_eq!(q.verdict(&WindowStats::default()), Verdict::Stay);
}

#[test]
fn a_firing_rule_clears_only_beyond_the_margin() {
    let q = Question::for_status(&low_battery(100.0), Status::Firing).unwrap_or_else(|| panic!());
    assert_eq!(q.minutes, 5);
    // Back above the threshold but within the margin: still firing.
    assert_eq!(q.verdict(&window(3350.0, 3310.0, 3390.0)), Verdict::Stay);
    assert!(matches!(
        q.verdict(&window(3400.0, 3400.0, 3500.0)),
        Verdict::Clear { .. }
    ));
}

#[test]
fn above_is_the_mirror_image() {
    let rule = Condition::Threshold {
        series: SeriesRef::Power(PowerField::Current),
        direction: Direction::Above,
        value: 50.0,
        for_minutes: 0,
        clear_margin: 5.0,
        clear_minutes: 0,
    };
    let ok = Question::for_status(&rule, Status::Resolved).unwrap_or_else(|| panic!());
    let latest = |v: f64| WindowStats {
        at_start: Some(v),
        latest: Some(v),
        ..WindowStats::default()
    };
    assert!(matches!(
        ok.verdict(&latest(51.0)),
        Verdict::Fire { value: Some(51.0) }
    ));
    assert_eq!(ok.verdict(&latest(50.0)), Verdict::Stay);
    let firing = Question::for_status(&rule, Status::Firing).unwrap_or_else(|| panic!());
    assert_eq!(firing.verdict(&latest(46.0)), Verdict::Stay);
    assert!(matches!(
        firing.verdict(&latest(45.0)),
        Verdict::Clear { .. }
    ));
}

#[test]
fn silence_counts_from_the_last_upload_or_the_rule_creation() {
    let created = Utc
        .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .single()
        .unwrap_or_default();
    let now = created + TimeDelta::minutes(40);
    // A cell that never uploaded is silent since the rule was created.
    assert!(matches!(
        silence_verdict(30, Status::Ok, None, created, now),
        Verdict::Fire { value: Some(40.0) }
    ));
    assert_eq!(
        silence_verdict(
            30,
            Status::Ok,
            Some(now - TimeDelta::minutes(29)),
            created,
            now
        ),
        Verdict::Stay
    );
    assert!(matches!(
        silence_verdict(
            30,
            Status::Firing,
            Some(now - TimeDelta::minutes(1)),
            created,
            now
        ),
        Verdict::Clear { .. }
    ));
    assert_eq!(
        silence_verdict(30, Status::Firing, None, created, now),
        Verdict::Stay
    );
}
