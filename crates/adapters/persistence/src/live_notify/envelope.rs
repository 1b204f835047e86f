//! The payload of one notification: `{"n":<index>,"events":[<event>,…]}` for
//! `measurement_received` events, `{"n":<index>,"events":[],"alerts":[<event>,…]}` for
//! `alert` events.
//!
//! PostgreSQL refuses payloads of 8000 bytes or more, so a batch of events is split over as
//! many notifications as needed. `n` numbers the notifications of one publish: PostgreSQL
//! delivers identical payloads sent in one transaction only once, and two uploads' worth of
//! identical events (same cell, time and values) must both reach the subscribers.
//!
//! Measurements keep the envelope they always had (a payload from an instance of an older
//! version decodes as it did), and alerts travel in a key of their own next to an empty
//! `events`, so an instance of an older version — which reads `events` only — delivers
//! nothing for them rather than a wrong `measurement_received`, during a rolling update.

use ents_domain::live::{LiveEventName, RelayedEvent};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Largest payload PostgreSQL accepts ("must be shorter than 8000 bytes").
pub(crate) const MAX_PAYLOAD: usize = 7999;

/// Which kind of event a payload carries (one kind per payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    /// `measurement_received`, in `events`.
    Measurements,
    /// `alert`, in `alerts`.
    Alerts,
}

impl Section {
    /// What comes between `{"n":<n>` and the first event.
    fn opening(self) -> &'static str {
        match self {
            Self::Measurements => r#","events":["#,
            Self::Alerts => r#","events":[],"alerts":["#,
        }
    }
}

/// The notification payloads carrying `events` (each a JSON object) of kind `section`, in
/// order. An event too large for any notification on its own is left out and counted in
/// the second value.
pub(crate) fn pack(section: Section, events: &[String]) -> (Vec<String>, usize) {
    let mut payloads = Vec::new();
    let mut skipped = 0;
    let mut batch: Vec<&str> = Vec::new();
    let mut batch_len = 0; // bytes of the events in `batch` plus their separating commas
    for event in events {
        let n = payloads.len();
        if overhead(section, n) + event.len() > MAX_PAYLOAD {
            skipped += 1;
            continue;
        }
        let added = event.len() + usize::from(!batch.is_empty());
        if overhead(section, n) + batch_len + added > MAX_PAYLOAD {
            payloads.push(render(section, n, &batch));
            batch.clear();
            batch_len = 0;
            // The index grew by one: re-check that the event alone still fits.
            if overhead(section, payloads.len()) + event.len() > MAX_PAYLOAD {
                skipped += 1;
                continue;
            }
            batch_len = event.len();
        } else {
            batch_len += added;
        }
        batch.push(event);
    }
    if !batch.is_empty() {
        payloads.push(render(section, payloads.len(), &batch));
    }
    (payloads, skipped)
}

/// Bytes of `{"n":<n>` + the section's opening + `]}`.
fn overhead(section: Section, n: usize) -> usize {
    r#"{"n":]}"#.len() + n.to_string().len() + section.opening().len()
}

fn render(section: Section, n: usize, events: &[&str]) -> String {
    format!(r#"{{"n":{n}{}{}]}}"#, section.opening(), events.join(","))
}

#[derive(Deserialize)]
struct Envelope<'a> {
    /// Required: it tells our envelope from someone else's NOTIFY on the channel.
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
    #[serde(borrow, default)]
    alerts: Vec<&'a RawValue>,
}

/// The head of a `measurement_received` event.
#[derive(Deserialize)]
struct MeasurementHead {
    #[serde(rename = "cellId")]
    cell_id: u32,
}

/// The head of an `alert` event.
#[derive(Deserialize)]
struct AlertHead {
    cell_id: u32,
}

/// The events of one payload, each kept byte for byte: measurements, then alerts.
pub(crate) fn unpack(payload: &str) -> Result<Vec<RelayedEvent>, serde_json::Error> {
    let envelope: Envelope<'_> = serde_json::from_str(payload)?;
    let measurements = envelope.events.into_iter().map(|raw| {
        let head: MeasurementHead = serde_json::from_str(raw.get())?;
        Ok(relayed(
            head.cell_id,
            LiveEventName::MeasurementReceived,
            raw,
        ))
    });
    let alerts = envelope.alerts.into_iter().map(|raw| {
        let head: AlertHead = serde_json::from_str(raw.get())?;
        Ok(relayed(head.cell_id, LiveEventName::Alert, raw))
    });
    measurements.chain(alerts).collect()
}

fn relayed(cell_id: u32, event: LiveEventName, raw: &RawValue) -> RelayedEvent {
    RelayedEvent {
        cell_id,
        event,
        json: raw.get().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn event(cell: u32, pad: usize) -> String {
        format!(
            r#"{{"type":"power","cellId":{cell},"data":{{"x":"{}"}},"obj_count":1}}"#,
            "a".repeat(pad)
        )
    }

    #[test]
    fn round_trips_events_byte_for_byte_in_order() {
        // Keys deliberately not sorted: they must come back in this order.
        let events = vec![
            event(5, 0),
            r#"{"type":"t","cellId":7,"b":1,"a":2}"#.to_owned(),
        ];
        let (payloads, skipped) = pack(Section::Measurements, &events);
        assert_eq!((payloads.len(), skipped), (1, 0));
        let back = unpack(&payloads[0]).unwrap();
        assert_eq!(back.iter().map(|e| e.cell_id).collect::<Vec<_>>(), [5, 7]);
        assert_eq!(
            back.iter().map(|e| e.json.clone()).collect::<Vec<_>>(),
            events
        );
    }

    #[test]
    fn splits_under_the_postgres_limit_and_numbers_the_notifications() {
        let events: Vec<String> = (0..40).map(|i| event(i, 500)).collect();
        let (payloads, skipped) = pack(Section::Measurements, &events);
        assert_eq!(skipped, 0);
        assert!(payloads.len() > 1);
        assert!(payloads.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let mut cells = Vec::new();
        for (n, payload) in payloads.iter().enumerate() {
            assert!(payload.starts_with(&format!(r#"{{"n":{n},"#)), "{payload}");
            cells.extend(unpack(payload).unwrap().into_iter().map(|e| e.cell_id));
        }
        assert_eq!(cells, (0..40).collect::<Vec<_>>());
    }

    #[test]
    fn fills_a_notification_up_to_exactly_the_limit() {
        let first = event(1, 0);
        let room = MAX_PAYLOAD - overhead(Section::Measurements, 0) - first.len() - 1;
        let second = event(2, room - event(2, 0).len());
        let (payloads, _) = pack(Section::Measurements, &[first.clone(), second.clone()]);
        assert_eq!(payloads.len(), 1);
        assert_eq!(payloads[0].len(), MAX_PAYLOAD);
        let (payloads, _) = pack(Section::Measurements, &[first, second + " "]);
        assert_eq!(payloads.len(), 2);
    }

    #[test]
    fn leaves_out_an_event_too_large_for_any_notification() {
        let events = vec![event(1, 0), event(2, MAX_PAYLOAD), event(3, 0)];
        let (payloads, skipped) = pack(Section::Measurements, &events);
        assert_eq!(skipped, 1);
        let cells: Vec<u32> = payloads
            .iter()
            .flat_map(|p| unpack(p).unwrap())
            .map(|e| e.cell_id)
            .collect();
        assert_eq!(cells, [1, 3]);
    }

    #[test]
    fn nothing_to_send_for_no_events() {
        assert_eq!(pack(Section::Measurements, &[]), (Vec::new(), 0));
    }

    #[test]
    fn measurements_keep_the_envelope_of_earlier_versions() {
        let events = vec![event(5, 0), event(6, 0)];
        let (payloads, _) = pack(Section::Measurements, &events);
        assert_eq!(
            payloads,
            [format!(
                r#"{{"n":0,"events":[{},{}]}}"#,
                events[0], events[1]
            )]
        );
        // What an instance of an earlier version sends decodes as measurements.
        let back = unpack(&payloads[0]).unwrap();
        assert!(
            back.iter()
                .all(|e| e.event == LiveEventName::MeasurementReceived)
        );
    }

    fn alert(cell: u32, pad: usize) -> String {
        format!(
            r#"{{"rule_id":3,"rule_name":"{}","cell_id":{cell},"state":"firing"}}"#,
            "r".repeat(pad)
        )
    }

    #[test]
    fn alerts_round_trip_as_alerts_byte_for_byte() {
        let alerts = vec![alert(7, 0), alert(8, 0)];
        let (payloads, skipped) = pack(Section::Alerts, &alerts);
        assert_eq!(skipped, 0);
        assert_eq!(
            payloads,
            [format!(
                r#"{{"n":0,"events":[],"alerts":[{},{}]}}"#,
                alerts[0], alerts[1]
            )]
        );
        let back = unpack(&payloads[0]).unwrap();
        assert_eq!(
            back,
            [
                RelayedEvent {
                    cell_id: 7,
                    event: LiveEventName::Alert,
                    json: alerts[0].clone()
                },
                RelayedEvent {
                    cell_id: 8,
                    event: LiveEventName::Alert,
                    json: alerts[1].clone()
                },
            ]
        );
    }

    #[test]
    fn alerts_split_under_the_postgres_limit_too() {
        let alerts: Vec<String> = (0..40).map(|i| alert(i, 500)).collect();
        let (payloads, skipped) = pack(Section::Alerts, &alerts);
        assert_eq!(skipped, 0);
        assert!(payloads.len() > 1);
        assert!(payloads.iter().all(|p| p.len() <= MAX_PAYLOAD));
        let cells: Vec<u32> = payloads
            .iter()
            .flat_map(|p| unpack(p).unwrap())
            .map(|e| e.cell_id)
            .collect();
        assert_eq!(cells, (0..40).collect::<Vec<_>>());
    }

    /// The decoder of earlier versions, which knew `events` only.
    #[derive(Deserialize)]
    struct EarlierEnvelope<'a> {
        #[serde(borrow)]
        events: Vec<&'a RawValue>,
    }

    #[test]
    fn an_instance_of_an_earlier_version_delivers_nothing_for_an_alert() {
        let (payloads, _) = pack(Section::Alerts, &[alert(7, 0)]);
        let earlier: EarlierEnvelope<'_> = serde_json::from_str(&payloads[0]).unwrap();
        assert!(earlier.events.is_empty());
    }

    #[test]
    fn refuses_payloads_that_are_not_envelopes() {
        assert!(unpack("not json").is_err());
        assert!(unpack(r#"{"n":0,"events":[{"cellId":"x"}]}"#).is_err());
        assert!(unpack(r#"{"n":0,"alerts":[{"cell_id":1}]}"#).is_err());
        assert!(unpack(r#"{"n":0,"events":[],"alerts":[{"cellId":1}]}"#).is_err());
    }
}
