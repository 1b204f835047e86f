//! The payload of one notification: `{"n":<index>,"events":[<event>,…]}`.
//!
//! PostgreSQL refuses payloads of 8000 bytes or more, so a batch of events is split over as
//! many notifications as needed. `n` numbers the notifications of one publish: PostgreSQL
//! delivers identical payloads sent in one transaction only once, and two uploads' worth of
//! identical events (same cell, time and values) must both reach the subscribers.

use ents_domain::live::RelayedEvent;
use serde::Deserialize;
use serde_json::value::RawValue;

/// Largest payload PostgreSQL accepts ("must be shorter than 8000 bytes").
pub(crate) const MAX_PAYLOAD: usize = 7999;

/// The notification payloads carrying `events` (each a JSON object), in order. An event too
/// large for any notification on its own is left out and counted in the second value.
pub(crate) fn pack(events: &[String]) -> (Vec<String>, usize) {
    let mut payloads = Vec::new();
    let mut skipped = 0;
    let mut batch: Vec<&str> = Vec::new();
    let mut batch_len = 0; // bytes of the events in `batch` plus their separating commas
    for event in events {
        let n = payloads.len();
        if overhead(n) + event.len() > MAX_PAYLOAD {
            skipped += 1;
            continue;
        }
        let added = event.len() + usize::from(!batch.is_empty());
        if overhead(n) + batch_len + added > MAX_PAYLOAD {
            payloads.push(render(n, &batch));
            batch.clear();
            batch_len = 0;
            // The index grew by one: re-check that the event alone still fits.
            if overhead(payloads.len()) + event.len() > MAX_PAYLOAD {
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
        payloads.push(render(payloads.len(), &batch));
    }
    (payloads, skipped)
}

/// Bytes of `{"n":<n>,"events":[` and `]}`.
fn overhead(n: usize) -> usize {
    r#"{"n":,"events":[]}"#.len() + n.to_string().len()
}

fn render(n: usize, events: &[&str]) -> String {
    format!(r#"{{"n":{n},"events":[{}]}}"#, events.join(","))
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    events: Vec<&'a RawValue>,
}

#[derive(Deserialize)]
struct Head {
    #[serde(rename = "cellId")]
    cell_id: u32,
}

/// The events of one payload, each kept byte for byte.
pub(crate) fn unpack(payload: &str) -> Result<Vec<RelayedEvent>, serde_json::Error> {
    let envelope: Envelope<'_> = serde_json::from_str(payload)?;
    envelope
        .events
        .into_iter()
        .map(|raw| {
            let head: Head = serde_json::from_str(raw.get())?;
            Ok(RelayedEvent {
                cell_id: head.cell_id,
                json: raw.get().to_owned(),
            })
        })
        .collect()
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
        let (payloads, skipped) = pack(&events);
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
        let (payloads, skipped) = pack(&events);
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
        let room = MAX_PAYLOAD - overhead(0) - first.len() - 1;
        let second = event(2, room - event(2, 0).len());
        let (payloads, _) = pack(&[first.clone(), second.clone()]);
        assert_eq!(payloads.len(), 1);
        assert_eq!(payloads[0].len(), MAX_PAYLOAD);
        let (payloads, _) = pack(&[first, second + " "]);
        assert_eq!(payloads.len(), 2);
    }

    #[test]
    fn leaves_out_an_event_too_large_for_any_notification() {
        let events = vec![event(1, 0), event(2, MAX_PAYLOAD), event(3, 0)];
        let (payloads, skipped) = pack(&events);
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
        assert_eq!(pack(&[]), (Vec::new(), 0));
    }

    #[test]
    fn refuses_payloads_that_are_not_envelopes() {
        assert!(unpack("not json").is_err());
        assert!(unpack(r#"{"n":0,"events":[{"cellId":"x"}]}"#).is_err());
    }
}
