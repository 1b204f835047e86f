use crate::DomainError;
use crate::alerts::{Condition, QuietHoursDraft, RuleDraft, Severity};

fn silence() -> RuleDraft {
    RuleDraft {
        cell_id: Some(1),
        name: Some("gateway down".to_owned()),
        kind: Some("silence".to_owned()),
        silence_minutes: Some(30),
        ..RuleDraft::default()
    }
}

#[test]
fn a_silence_rule_takes_defaults() {
    let spec = silence().validate().unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(spec.condition, Condition::Silence { minutes: 30 });
    assert_eq!(spec.severity, Severity::Warning);
    assert!(spec.enabled);
}

#[test]
fn every_bad_field_is_named() {
    let draft = RuleDraft {
        cell_id: None,
        name: Some(" ".to_owned()),
        kind: Some("threshold".to_owned()),
        logger_id: Some(3),
        series: Some("power.volts".to_owned()),
        direction: Some("sideways".to_owned()),
        threshold: Some(f64::NAN),
        clear_margin: Some(-1.0),
        severity: Some("doom".to_owned()),
        quiet_hours: Some(QuietHoursDraft {
            start: "25:00".to_owned(),
            end: "07:00".to_owned(),
            utc_offset_minutes: None,
        }),
        emails: vec!["nobody".to_owned()],
        webhook_url: Some("ftp://x".to_owned()),
        reminder_hours: Some(0),
        ..RuleDraft::default()
    };
    let Err(DomainError::Invalid(fields)) = draft.validate() else {
        panic!("accepted");
    };
    let names: Vec<&str> = fields.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        vec![
            "cell_id",
            "clear_margin",
            "direction",
            "emails",
            "logger_id",
            "name",
            "quiet_hours.start",
            "reminder_hours",
            "series",
            "severity",
            "threshold",
            "webhook_url",
        ]
    );
}

#[test]
fn silence_needs_five_minutes_at_least() {
    let draft = RuleDraft {
        silence_minutes: Some(4),
        ..silence()
    };
    let Err(DomainError::Invalid(fields)) = draft.validate() else {
        panic!("accepted");
    };
    assert!(fields.contains_key("silence_minutes"), "{fields:?}");
}

#[test]
fn a_sensor_series_needs_its_name_and_measurement() {
    let draft = RuleDraft {
        kind: Some("threshold".to_owned()),
        series: Some("sensor".to_owned()),
        direction: Some("above".to_owned()),
        threshold: Some(1.0),
        sensor_name: Some("soil".to_owned()),
        ..silence()
    };
    let Err(DomainError::Invalid(fields)) = draft.validate() else {
        panic!("accepted");
    };
    assert_eq!(
        fields.keys().collect::<Vec<_>>(),
        vec!["sensor_measurement"]
    );
}
