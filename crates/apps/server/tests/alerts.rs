#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Alerts end to end: the rules API (validation naming every field, who may do what) and
//! rules firing and resolving on uploads made through the real ingest route, evaluated with
//! a controlled clock (no sleeps).

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertEvaluator, AlertNotifier, EvaluatorSettings, Notification, NotificationKind,
};
use ents_domain::auth::{Clock, ManualClock};
use ents_persistence::{PgAlertRepository, PgAlertSignals};
use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::json;

use crate::common::registry::{Auth, call, create_cell, register, seeded};
use crate::ingest::support::{legacy, power_bytes};

#[tokio::test]
async fn the_rules_api_validates_every_field_and_shows_the_secret_once() {
    let app = TestApp::spawn().await;
    let owner = register(&app).await;
    let auth = Auth::Bearer(owner.id);
    let cell = create_cell(&app, &auth, "alerts-crud").await;

    let (status, body) = call(
        &app,
        &auth,
        Method::POST,
        "/api/alerts/rules",
        Some(
            json!({"cell_id": cell, "kind": "threshold", "series": "power.volts",
                    "direction": "down", "silence_minutes": 1, "emails": ["x"]}),
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    let fields: Vec<&String> = body["errors"].as_object().unwrap().keys().collect();
    assert_eq!(
        fields,
        ["direction", "emails", "name", "series", "threshold"],
        "{body}"
    );

    // Only the cell's owner and members can be written to.
    let (_, stranger_email) = seeded(&app).await;
    let (status, body) = call(
        &app,
        &auth,
        Method::POST,
        "/api/alerts/rules",
        Some(
            json!({"cell_id": cell, "name": "n", "kind": "silence", "silence_minutes": 30,
                    "emails": [stranger_email]}),
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"]["emails"].is_array(), "{body}");

    let (status, created) = call(
        &app,
        &auth,
        Method::POST,
        "/api/alerts/rules",
        Some(
            json!({"cell_id": cell, "name": "low battery", "kind": "threshold",
                    "series": "power.voltage", "direction": "below", "threshold": 3300,
                    "for_minutes": 10, "clear_margin": 100, "severity": "critical",
                    "emails": [owner.email], "webhook_url": "https://hooks.example/ents",
                    "quiet_hours": {"start": "22:00", "end": "07:00"}}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert!(
        created["webhook_secret"]
            .as_str()
            .unwrap()
            .starts_with("whsec_")
    );
    let id = created["rule"]["id"].as_i64().unwrap();
    let (status, rule) = call(
        &app,
        &auth,
        Method::GET,
        &format!("/api/alerts/rules/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert!(rule.get("webhook_secret").is_none(), "{rule}");
    assert_eq!(rule["threshold"], 3300.0);
    assert_eq!(rule["quiet_hours"]["start"], "22:00");

    let (status, list) = call(
        &app,
        &auth,
        Method::GET,
        &format!("/api/alerts/rules?cell_id={cell}"),
        None,
    )
    .await;
    assert_eq!((status, list.as_array().unwrap().len()), (200, 1));

    let (status, updated) = call(
        &app,
        &auth,
        Method::PUT,
        &format!("/api/alerts/rules/{id}"),
        Some(
            json!({"cell_id": cell, "name": "gateway", "kind": "silence",
                    "silence_minutes": 60, "webhook_url": "https://hooks.example/ents"}),
        ),
    )
    .await;
    assert_eq!(status, 200, "{updated}");
    // The webhook was kept: no new secret.
    assert!(updated.get("webhook_secret").is_none(), "{updated}");
    assert_eq!(updated["rule"]["kind"], "silence");

    let path = format!("/api/alerts/rules/{id}");
    assert_eq!(call(&app, &auth, Method::DELETE, &path, None).await.0, 204);
    assert_eq!(call(&app, &auth, Method::GET, &path, None).await.0, 404);
}

/// A logger of the caller's, by the registry route; its id.
async fn create_logger(app: &TestApp, auth: &Auth, name: &str) -> u32 {
    let (status, logger) = call(
        app,
        auth,
        Method::POST,
        "/api/logger/",
        Some(json!({"name": name, "type": "other"})),
    )
    .await;
    assert_eq!(status, 201, "{logger}");
    u32::try_from(logger["logger_id"].as_i64().unwrap()).unwrap()
}

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

#[tokio::test]
async fn a_low_battery_rule_fires_and_resolves_on_real_uploads() {
    let app = TestApp::spawn().await;
    let owner = register(&app).await;
    let auth = Auth::Bearer(owner.id);
    let cell = create_cell(&app, &auth, "alerts-ingest").await;
    let logger = create_logger(&app, &auth, "alerts-node").await;
    let (status, body) = call(
        &app,
        &auth,
        Method::POST,
        "/api/alerts/rules",
        Some(
            json!({"cell_id": cell, "name": "low battery", "kind": "threshold",
                    "series": "power.voltage", "direction": "below", "threshold": 3300,
                    "for_minutes": 5, "clear_margin": 200, "clear_minutes": 2,
                    "emails": [owner.email]}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{body}");

    let clock = Arc::new(ManualClock::new(
        Utc::now().duration_trunc(TimeDelta::minutes(1)).unwrap(),
    ));
    let recorder = Arc::new(Recorder::default());
    let evaluator = AlertEvaluator::new(
        Arc::new(PgAlertRepository::new(app.db.db())),
        Arc::new(PgAlertSignals::new(app.db.db(), true)),
        recorder.clone(),
        clock.clone(),
        EvaluatorSettings::default(),
    );
    let cell_u = u32::try_from(cell).unwrap();
    let upload = |at: DateTime<Utc>, volts: f64| {
        let body = power_bytes(
            cell_u,
            logger,
            u32::try_from(at.timestamp()).unwrap(),
            volts,
            0.001,
        );
        let app = &app;
        async move {
            let response = legacy(app, body).await;
            assert_eq!(response.status(), 200);
        }
    };
    // Low for ten minutes, one reading a minute.
    for m in (0..=10).rev() {
        upload(clock.now() - TimeDelta::minutes(m), 3.1).await;
    }
    evaluator.tick().await.unwrap();
    assert_eq!(recorder.kinds(), vec![NotificationKind::Fired]);
    // Noise just above the threshold, inside the margin: nothing.
    for volts in [3.35, 3.28, 3.45] {
        clock.advance(TimeDelta::minutes(1));
        upload(clock.now(), volts).await;
        evaluator.tick().await.unwrap();
    }
    assert_eq!(recorder.kinds(), vec![NotificationKind::Fired]);
    // Charged: resolves once it has stayed clear for two minutes.
    for _ in 0..4 {
        clock.advance(TimeDelta::minutes(1));
        upload(clock.now(), 3.8).await;
        evaluator.tick().await.unwrap();
    }
    assert_eq!(
        recorder.kinds(),
        vec![NotificationKind::Fired, NotificationKind::Resolved]
    );
    let (status, events) = call(
        &app,
        &auth,
        Method::GET,
        &format!("/api/alerts/events?cell_id={cell}"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{events}");
    let events = events.as_array().unwrap();
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0]["fired_value"], 3100.0);
    assert_eq!(events[0]["resolved_value"], 3800.0);
    assert!(events[0]["resolved_at"].is_string());
}

/// The whole path with real peers: `ents serve` evaluates the rule on its own schedule, the
/// `alert.email` job reaches a real SMTP server (aiosmtpd) and the `alert.webhook` job a
/// local HTTP receiver, whose signature is checked here independently of the sender.
#[tokio::test]
async fn a_firing_rule_reaches_the_mail_server_and_the_signed_webhook() {
    use ents_config::SmtpTls;
    use ents_test_support::{SmtpSink, wait_until};
    use hmac::{Hmac, KeyInit, Mac};
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let sink = SmtpSink::start().await;
    let receiver = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&receiver)
        .await;
    let smtp_port = sink.port();
    let app = TestApp::spawn_with(move |s| {
        s.alerts.enabled = true;
        s.alerts.tick_secs = 1;
        s.smtp.host = Some("127.0.0.1".to_owned());
        s.smtp.port = Some(smtp_port);
        s.smtp.tls = SmtpTls::None;
        s.smtp.from = Some("alerts@ents.example".to_owned());
        // The receiver is on this machine's loopback.
        s.webhook.allow_private_targets = true;
    })
    .await;
    let owner = register(&app).await;
    let auth = Auth::Bearer(owner.id);
    let cell = create_cell(&app, &auth, "alerts-delivery").await;
    let logger = create_logger(&app, &auth, "alerts-delivery-node").await;
    let (status, created) = call(
        &app,
        &auth,
        Method::POST,
        "/api/alerts/rules",
        Some(
            json!({"cell_id": cell, "name": "low battery", "kind": "threshold",
                    "series": "power.voltage", "direction": "below", "threshold": 3300,
                    "for_minutes": 5, "emails": [owner.email],
                    "webhook_url": format!("{}/hook", receiver.uri())}),
        ),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let secret = created["webhook_secret"].as_str().unwrap().to_owned();

    // Low for the last ten minutes, one reading a minute, through the device route.
    let now = Utc::now().timestamp();
    for minutes_ago in (0..=10).rev() {
        let at = u32::try_from(now - minutes_ago * 60).unwrap();
        let body = power_bytes(u32::try_from(cell).unwrap(), logger, at, 3.1, 0.001);
        assert_eq!(legacy(&app, body).await.status(), 200);
    }

    let mails = sink.wait_for(1).await;
    let mail = &mails[0];
    assert_eq!(mail.rcpt_tos, vec![owner.email.clone()]);
    assert!(mail.subject.contains("FIRING"), "{}", mail.subject);
    assert!(mail.subject.contains("low battery"), "{}", mail.subject);
    let text = mail.text.as_deref().unwrap();
    assert!(
        text.contains(&format!("/dashboard?cell_id={cell}")),
        "{text}"
    );
    assert!(mail.html.as_deref().unwrap().contains("low battery"));

    wait_until("the webhook delivery", || async {
        !receiver.received_requests().await.unwrap().is_empty()
    })
    .await;
    let requests = receiver.received_requests().await.unwrap();
    let hook = &requests[0];
    let header = |name: &str| hook.headers[name].to_str().unwrap().to_owned();
    let signed = format!(
        "{}.{}",
        header("x-ents-timestamp"),
        String::from_utf8_lossy(&hook.body)
    );
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(header("x-ents-signature"), expected);
    let body: serde_json::Value = serde_json::from_slice(&hook.body).unwrap();
    assert_eq!(body["type"], "alert.fired");
    assert_eq!(body["rule"]["name"], "low battery");
    assert_eq!(body["cell"]["id"], cell);
    assert_eq!(body["value"], 3100.0);
}
