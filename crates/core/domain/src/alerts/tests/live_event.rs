//! The `alert` live event: what a dashboard is told when an alert opens or closes.
#![allow(clippy::unwrap_used)]

use chrono::{TimeZone, Utc};

use crate::alerts::{
    AlertEvent, AlertLiveEvent, AlertRule, Condition, EventChange, EventId, Recipients, RuleId,
    RuleSpec, Severity,
};
use crate::users::UserId;

fn silent_logger() -> AlertRule {
    let at = Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap();
    AlertRule {
        id: RuleId(3),
        spec: RuleSpec {
            cell_id: 1,
            logger_id: Some(7),
            name: "gateway".to_owned(),
            condition: Condition::Silence { minutes: 30 },
            severity: Severity::Warning,
            quiet_hours: None,
            recipients: Recipients {
                emails: vec!["r@example.org".to_owned()],
                webhook_url: Some("https://hooks.example.org/secret".to_owned()),
            },
            reminder_hours: None,
            enabled: true,
        },
        created_by: UserId::new(),
        created_at: at,
        updated_at: at,
    }
}

#[test]
fn an_opened_and_a_closed_alert_read_as_firing_and_resolved_without_recipients() {
    let rule = silent_logger();
    let fired = Utc.with_ymd_and_hms(2026, 12, 7, 13, 0, 0).unwrap();
    let resolved = Utc.with_ymd_and_hms(2026, 12, 7, 14, 30, 0).unwrap();
    let event = AlertEvent {
        id: EventId(12),
        rule_id: rule.id,
        rule_name: rule.spec.name.clone(),
        cell_id: 1,
        severity: Severity::Warning,
        fired_at: fired,
        fired_value: None,
        resolved_at: None,
        resolved_value: None,
    };
    let opened = AlertLiveEvent::new(
        &rule,
        &event,
        EventChange::Opened {
            at: fired,
            value: None,
        },
    );
    assert_eq!(
        serde_json::to_string(&opened).unwrap(),
        r#"{"rule_id":3,"rule_name":"gateway","cell_id":1,"logger_id":7,"kind":"silence","severity":"warning","state":"firing","value":null,"at":"2026-12-07T13:00:00Z","event_id":12}"#
    );
    let closed = AlertLiveEvent::new(
        &rule,
        &event,
        EventChange::Closed {
            at: resolved,
            value: Some(1.5),
        },
    );
    let json = serde_json::to_string(&closed).unwrap();
    assert!(
        json.contains(r#""state":"resolved","value":1.5,"at":"2026-12-07T14:30:00Z""#),
        "{json}"
    );
    // The rooms are public: the recipients stay out.
    assert!(!json.contains("example.org"), "{json}");
}
