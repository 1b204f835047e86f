//! The SMTP adapter against a real SMTP server (aiosmtpd, `scripts/smtp-sink.sh`): what
//! arrives, and how each kind of failure is classified for the delivery job's retry.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ents_domain::DomainError;
use ents_domain::notifications::{Email, MailSender};
use ents_smtp::{SmtpCredentials, SmtpMailer, SmtpSettings, TlsMode};
use ents_test_support::{PATIENCE, SilentPeer, SmtpSink, closed_port};

fn mailer(port: u16, timeout: Duration) -> SmtpMailer {
    mailer_as(port, timeout, None)
}

fn mailer_as(port: u16, timeout: Duration, credentials: Option<(&str, &str)>) -> SmtpMailer {
    SmtpMailer::new(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        credentials: credentials.map(|(username, password)| SmtpCredentials {
            username: username.into(),
            password: password.to_owned().into(),
        }),
        from: "ENTS alerts <alerts@ents.test>".into(),
        timeout,
    })
    .unwrap()
}

fn email(to: &[&str]) -> Email {
    Email {
        to: to.iter().map(|s| (*s).to_owned()).collect(),
        subject: "Cell 7: battery low — 3.1 V".into(),
        text: "Power voltage of cell 7 is below 3.3 V since 10:05 UTC.\nhttps://dirtviz.test/cells/7".into(),
        html: "<p>Power voltage of <a href=\"https://dirtviz.test/cells/7\">cell 7</a> is below 3.3&nbsp;V.</p>".into(),
    }
}

async fn send(mailer: &SmtpMailer, email: &Email) -> Result<(), DomainError> {
    tokio::time::timeout(PATIENCE, mailer.send(email))
        .await
        .expect("a send is bounded by its own deadline")
}

#[tokio::test]
async fn the_mail_arrives_with_subject_recipients_and_both_bodies() {
    let sink = SmtpSink::start().await;
    let sent = email(&["ada@ents.test", "Grace Hopper <grace@ents.test>"]);
    send(&mailer(sink.port(), Duration::from_secs(10)), &sent)
        .await
        .unwrap();

    let received = sink.wait_for(1).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.mail_from, "alerts@ents.test");
    assert_eq!(mail.rcpt_tos, ["ada@ents.test", "grace@ents.test"]);
    assert!(mail.from.contains("ENTS alerts") && mail.from.contains("<alerts@ents.test>"));
    assert!(
        mail.to.contains("ada@ents.test") && mail.to.contains("Grace Hopper <grace@ents.test>")
    );
    assert_eq!(mail.subject, sent.subject);
    assert_eq!(mail.content_type, "multipart/alternative");
    assert_eq!(mail.text.as_deref().map(normalise), Some(sent.text.clone()));
    assert_eq!(mail.html.as_deref().map(normalise), Some(sent.html.clone()));
}

/// SMTP lines end in CRLF and a body in a line break.
fn normalise(body: &str) -> String {
    body.replace("\r\n", "\n").trim_end().to_owned()
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_unavailable() {
    let result = send(
        &mailer(closed_port().await, Duration::from_secs(5)),
        &email(&["ada@ents.test"]),
    )
    .await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_refused_recipient_is_a_bad_request() {
    let sink = SmtpSink::start().await;
    let result = send(
        &mailer(sink.port(), Duration::from_secs(10)),
        &email(&["refuse-me@ents.test"]),
    )
    .await;
    let Err(DomainError::BadRequest(message)) = result else {
        panic!("a 550 is permanent: {result:?}");
    };
    assert!(message.contains("550"), "{message}");
    assert!(sink.received().is_empty());
}

#[tokio::test]
async fn a_deferred_recipient_is_unavailable() {
    let sink = SmtpSink::start().await;
    let result = send(
        &mailer(sink.port(), Duration::from_secs(10)),
        &email(&["defer@ents.test"]),
    )
    .await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "a 451 is transient: {result:?}"
    );
}

#[tokio::test]
async fn a_mail_server_that_never_greets_is_unavailable_after_the_timeout() {
    // Accepts connections and holds them without a word (a hung server).
    let server = SilentPeer::start().await;
    let result = send(
        &mailer(server.port(), Duration::from_millis(300)),
        &email(&["ada@ents.test"]),
    )
    .await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn a_malformed_recipient_is_a_bad_request_without_connecting() {
    // Nothing listens: had it connected, the answer would be Unavailable.
    let mailer = mailer(closed_port().await, Duration::from_secs(5));
    for to in [
        &[][..],
        &["not an address"][..],
        &["ada@ents.test", "@nowhere"][..],
    ] {
        let result = send(&mailer, &email(to)).await;
        assert!(
            matches!(result, Err(DomainError::BadRequest(_))),
            "{to:?}: {result:?}"
        );
    }
}

#[test]
fn a_malformed_from_address_is_refused_when_built() {
    let result = SmtpMailer::new(SmtpSettings {
        host: "127.0.0.1".into(),
        port: 25,
        tls: TlsMode::None,
        credentials: None,
        from: "alerts at ents".into(),
        timeout: Duration::from_secs(1),
    });
    assert!(result.unwrap_err().to_string().contains("from address"));
}

#[tokio::test]
async fn the_credentials_authenticate_and_refused_ones_are_retried() {
    let sink = SmtpSink::start().await;
    let good = mailer_as(
        sink.port(),
        Duration::from_secs(10),
        Some((SmtpSink::USER, SmtpSink::PASSWORD)),
    );
    send(&good, &email(&["ada@ents.test"])).await.unwrap();
    assert_eq!(sink.wait_for(1).await.len(), 1);

    // A 535 is permanent for SMTP, but the fix is the operator's, not the message's.
    let bad = mailer_as(
        sink.port(),
        Duration::from_secs(10),
        Some((SmtpSink::USER, "wrong")),
    );
    let result = send(&bad, &email(&["ada@ents.test"])).await;
    let Err(DomainError::Unavailable(message)) = result else {
        panic!("refused credentials are retried: {result:?}");
    };
    assert!(
        message.contains("smtp.password") && !message.contains("wrong"),
        "{message}"
    );
    assert_eq!(sink.received().len(), 1);
}

fn mailer_with_tls(port: u16, tls: TlsMode) -> SmtpMailer {
    SmtpMailer::new(SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls,
        credentials: None,
        from: "alerts@ents.test".into(),
        timeout: Duration::from_secs(10),
    })
    .unwrap()
}

#[tokio::test]
async fn a_server_without_the_required_tls_gets_nothing_and_the_delivery_is_retried() {
    // The sink speaks plain SMTP and offers no STARTTLS: neither mode may fall back to plain.
    let sink = SmtpSink::start().await;
    for tls in [TlsMode::Starttls, TlsMode::Tls] {
        let result = send(
            &mailer_with_tls(sink.port(), tls),
            &email(&["ada@ents.test"]),
        )
        .await;
        assert!(
            matches!(result, Err(DomainError::Unavailable(_))),
            "{tls:?}: {result:?}"
        );
    }
    assert!(sink.received().is_empty());
}
