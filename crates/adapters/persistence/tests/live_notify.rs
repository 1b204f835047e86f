//! The live push relay over LISTEN/NOTIFY: what one `PgLiveFeed` publishes reaches every
//! `PgLiveListener` on the database, byte for byte and in order, and a listener whose
//! connection is killed comes back by itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use ents_domain::alerts::{AlertLiveEvent, AlertLiveFeed, EventId, RuleId, Severity, Status};
use ents_domain::live::{LiveEventName, LiveFeed, LiveSubscribers, RelayedEvent};
use ents_domain::measurements::{
    LegacyKind, LegacyMeasurement, MeasurementReceived, Meta, Power, RawMeta,
};
use ents_persistence::testing::TestDb;
use ents_persistence::{ListenerSettings, PgLiveFeed, PgLiveListener};

/// Every wait is bounded by this; slowness on a shared machine is not a failure.
const PATIENCE: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Collect(Mutex<Vec<RelayedEvent>>);

#[async_trait]
impl LiveSubscribers for Collect {
    async fn deliver(&self, events: &[RelayedEvent]) {
        self.0.lock().unwrap().extend_from_slice(events);
    }
}

impl Collect {
    fn taken(&self) -> Vec<RelayedEvent> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }

    /// Waits until at least `n` events arrived, then returns them all.
    async fn wait_for(&self, n: usize) -> Vec<RelayedEvent> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.0.lock().unwrap().len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.taken()
    }
}

fn power(cell_id: u32, ts: u32, voltage: f64) -> MeasurementReceived {
    let meta = Meta::legacy(RawMeta {
        cell_id,
        logger_id: 3,
        ts,
    })
    .unwrap();
    LegacyMeasurement::new(
        meta,
        LegacyKind::Power(Power {
            voltage,
            current: 0.5,
        }),
    )
    .unwrap()
    .live_event()
}

fn settings() -> ListenerSettings {
    ListenerSettings {
        check_interval: Duration::from_millis(200),
        min_backoff: Duration::from_millis(20),
        max_backoff: Duration::from_millis(200),
        start_wait: PATIENCE,
        ..ListenerSettings::default()
    }
}

async fn listen(db: &TestDb) -> (Arc<Collect>, PgLiveListener) {
    let sink = Arc::new(Collect::default());
    let listener = PgLiveListener::start(db.url(), sink.clone(), settings())
        .await
        .unwrap();
    (sink, listener)
}

#[tokio::test]
async fn every_listener_receives_each_event_byte_for_byte_in_order() {
    let db = TestDb::new().await;
    let (first, _l1) = listen(&db).await;
    let (second, _l2) = listen(&db).await;
    let events = vec![power(7, 1_705_176_162, 3.3), power(8, 1_705_176_163, 1.25)];

    PgLiveFeed::new(db.db()).publish(&events).await.unwrap();

    let expected = vec![
        RelayedEvent {
            cell_id: 7,
            event: LiveEventName::MeasurementReceived,
            json: r#"{"type":"power","cellId":7,"loggerId":3,"timestamp":1705176162,"data":{"voltage":3.3,"current":0.5},"obj_count":1}"#.to_owned(),
        },
        RelayedEvent::encode(&events[1]).unwrap(),
    ];
    assert_eq!(first.wait_for(2).await, expected);
    assert_eq!(second.wait_for(2).await, expected);
}

#[tokio::test]
async fn an_alert_is_relayed_as_an_alert_between_measurements() {
    let db = TestDb::new().await;
    let (sink, _listener) = listen(&db).await;
    let feed = PgLiveFeed::new(db.db());
    let alert = AlertLiveEvent {
        rule_id: RuleId(3),
        rule_name: "low battery".to_owned(),
        cell_id: 7,
        logger_id: None,
        kind: "threshold",
        severity: Severity::Critical,
        state: Status::Firing,
        value: Some(3100.0),
        at: chrono::DateTime::from_timestamp(1_765_000_000, 0).unwrap(),
        event_id: EventId(12),
    };

    feed.publish(&[power(7, 1, 3.1)]).await.unwrap();
    feed.publish_alert(&alert).await.unwrap();
    feed.publish(&[power(7, 2, 3.8)]).await.unwrap();

    let got = sink.wait_for(3).await;
    assert_eq!(
        got.iter().map(|e| e.event).collect::<Vec<_>>(),
        [
            LiveEventName::MeasurementReceived,
            LiveEventName::Alert,
            LiveEventName::MeasurementReceived
        ]
    );
    assert_eq!(
        got[1],
        RelayedEvent {
            cell_id: 7,
            event: LiveEventName::Alert,
            json: r#"{"rule_id":3,"rule_name":"low battery","cell_id":7,"logger_id":null,"kind":"threshold","severity":"critical","state":"firing","value":3100.0,"at":"2025-12-06T05:46:40Z","event_id":12}"#.to_owned(),
        }
    );
}

#[tokio::test]
async fn identical_events_are_all_delivered_even_split_over_notifications() {
    let db = TestDb::new().await;
    let (sink, _listener) = listen(&db).await;
    // ~120 bytes each: 200 of them need several notifications; all are identical.
    let events = vec![power(5, 1_700_000_000, 2.0); 200];

    PgLiveFeed::new(db.db()).publish(&events).await.unwrap();
    PgLiveFeed::new(db.db())
        .publish(&events[..1])
        .await
        .unwrap();

    let got = sink.wait_for(201).await;
    assert_eq!(got.len(), 201);
    assert!(
        got.iter()
            .all(|e| e == &RelayedEvent::encode(&events[0]).unwrap())
    );
}

#[tokio::test]
async fn publishing_nothing_sends_nothing() {
    let db = TestDb::new().await;
    let (sink, _listener) = listen(&db).await;
    PgLiveFeed::new(db.db()).publish(&[]).await.unwrap();
    PgLiveFeed::new(db.db())
        .publish(&[power(9, 1, 1.0)])
        .await
        .unwrap();
    let got = sink.wait_for(1).await;
    assert_eq!(got.iter().map(|e| e.cell_id).collect::<Vec<_>>(), [9]);
}

#[tokio::test]
async fn a_killed_listening_connection_is_reestablished() {
    let db = TestDb::new().await;
    let (sink, _listener) = listen(&db).await;
    let feed = PgLiveFeed::new(db.db());

    let (client, connection) = tokio_postgres::connect(db.admin_url(), tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let killed: i64 = client
        .query_one(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
             WHERE datname = $1 AND application_name = 'ents-backend-live'",
            &[&db.name()],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(killed, 1);

    // Events published while the listener reconnects are lost (best effort), so publish
    // until one arrives.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut got = Vec::new();
    while got.is_empty() && tokio::time::Instant::now() < deadline {
        feed.publish(&[power(11, 1, 1.0)]).await.unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        got = sink.taken();
    }
    assert!(
        got.iter().any(|e| e.cell_id == 11),
        "no event after the reconnection"
    );
}
