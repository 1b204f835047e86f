//! The webhook adapter against local HTTP receivers (wiremock, a silent TCP listener): the
//! bytes and headers that arrive, the signature checked independently (HMAC here, and the
//! documented Python check), the classification of every failure for the job's retry, and
//! the guard refusing private targets unless allowed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use ents_domain::DomainError;
use ents_domain::notifications::{WebhookDelivery, WebhookSender};
use ents_test_support::{PATIENCE, SilentPeer, closed_port};
use ents_webhook::{HttpWebhookSender, WebhookSettings};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const SECRET: &str = "whsec_3bd1f0c2a9e84d7f";
const BODY: &str =
    r#"{"event":"alert.fired","rule_id":12,"cell_id":7,"value":3.08,"note":"ünïcode"}"#;

/// A sender that may reach the local receivers of these tests.
fn sender(timeout: Duration) -> HttpWebhookSender {
    HttpWebhookSender::new(WebhookSettings {
        timeout,
        user_agent: Some("ents-test".into()),
        allow_private_targets: true,
    })
    .unwrap()
}

/// A sender with the default guard: no private targets.
fn guarded_sender() -> HttpWebhookSender {
    HttpWebhookSender::new(WebhookSettings {
        timeout: Duration::from_secs(5),
        user_agent: None,
        allow_private_targets: false,
    })
    .unwrap()
}

fn delivery(url: String) -> WebhookDelivery {
    WebhookDelivery {
        url,
        body: BODY.into(),
        secret: SECRET.into(),
        delivery_id: "0193a5b2-7c1e-7e55-9a53-0f1c2d3e4f50".into(),
    }
}

async fn receiver(status: u16) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hooks/T000/B000/secretpath"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&server)
        .await;
    server
}

fn hook_url(server: &MockServer) -> String {
    format!("{}/hooks/T000/B000/secretpath", server.uri())
}

async fn post(
    sender: &HttpWebhookSender,
    delivery: &WebhookDelivery,
) -> Result<ents_domain::notifications::WebhookOutcome, DomainError> {
    tokio::time::timeout(PATIENCE, sender.post(delivery))
        .await
        .expect("a post is bounded by its timeout")
}

async fn only_request(server: &MockServer) -> Request {
    let mut requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests.len(),
        1,
        "exactly one POST, no retry inside the adapter"
    );
    requests.remove(0)
}

fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("{name} is sent"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn the_body_arrives_as_it_is_with_a_valid_signature() {
    let server = receiver(204).await;
    let outcome = post(
        &sender(Duration::from_secs(10)),
        &delivery(hook_url(&server)),
    )
    .await
    .unwrap();
    assert_eq!(outcome.status, 204);

    let request = only_request(&server).await;
    assert_eq!(request.body, BODY.as_bytes());
    assert_eq!(header(&request, "content-type"), "application/json");
    assert_eq!(header(&request, "user-agent"), "ents-test");
    assert_eq!(
        header(&request, "x-ents-delivery"),
        "0193a5b2-7c1e-7e55-9a53-0f1c2d3e4f50"
    );
    let timestamp: u64 = header(&request, "x-ents-timestamp").parse().unwrap();
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!(
        now.abs_diff(timestamp) < 300,
        "{timestamp} is the time of sending"
    );

    // Recomputed here from what arrived, not with the adapter's code.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.").as_bytes());
    mac.update(&request.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(header(&request, "x-ents-signature"), expected);
}

#[tokio::test]
async fn the_documented_python_check_accepts_the_signature_and_refuses_a_tampered_body() {
    let server = receiver(200).await;
    post(
        &sender(Duration::from_secs(10)),
        &delivery(hook_url(&server)),
    )
    .await
    .unwrap();
    let request = only_request(&server).await;
    let check = |body: &[u8]| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_signature.py");
        let mut child = Command::new("python3")
            .args([
                script,
                SECRET,
                header(&request, "x-ents-timestamp"),
                header(&request, "x-ents-signature"),
            ])
            .stdin(Stdio::piped())
            .spawn()
            .expect("python3 runs");
        child.stdin.take().unwrap().write_all(body).unwrap();
        child.wait().unwrap().success()
    };
    assert!(
        check(&request.body),
        "the receiver's documented check passes"
    );
    assert!(
        !check(&[&request.body[..], b" "].concat()),
        "a changed body fails it"
    );
}

#[tokio::test]
async fn a_failing_or_throttling_receiver_is_unavailable() {
    for status in [500, 502, 503, 429, 408] {
        let server = receiver(status).await;
        let result = post(
            &sender(Duration::from_secs(10)),
            &delivery(hook_url(&server)),
        )
        .await;
        let Err(DomainError::Unavailable(message)) = result else {
            panic!("{status} is worth a retry: {result:?}");
        };
        assert!(
            !message.contains("secretpath"),
            "only the host is named: {message}"
        );
    }
}

#[tokio::test]
async fn a_refusing_receiver_is_a_bad_request() {
    for status in [404, 400, 401, 410, 302] {
        let server = receiver(status).await;
        let result = post(
            &sender(Duration::from_secs(10)),
            &delivery(hook_url(&server)),
        )
        .await;
        let Err(DomainError::BadRequest(message)) = result else {
            panic!("{status} is permanent: {result:?}");
        };
        assert!(message.contains(&status.to_string()), "{message}");
        assert!(
            !message.contains("secretpath"),
            "only the host is named: {message}"
        );
    }
}

#[tokio::test]
async fn a_receiver_that_never_answers_is_unavailable_after_the_timeout() {
    // Accepts connections and reads nothing, answers nothing (a hung receiver).
    let receiver = SilentPeer::start().await;
    let result = post(
        &sender(Duration::from_millis(300)),
        &delivery(format!("http://127.0.0.1:{}/hook", receiver.port())),
    )
    .await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn an_unreachable_receiver_is_unavailable() {
    let port = closed_port().await;
    let result = post(
        &sender(Duration::from_secs(5)),
        &delivery(format!("http://127.0.0.1:{port}/hook")),
    )
    .await;
    assert!(
        matches!(result, Err(DomainError::Unavailable(_))),
        "{result:?}"
    );
}

#[tokio::test]
async fn only_http_and_https_urls_are_posted_to() {
    for url in [
        "ftp://127.0.0.1/hook",
        "file:///etc/passwd",
        "127.0.0.1:8080/hook",
        "",
    ] {
        let result = post(&sender(Duration::from_secs(5)), &delivery(url.into())).await;
        assert!(
            matches!(result, Err(DomainError::BadRequest(_))),
            "{url}: {result:?}"
        );
    }
}

/// By default a receiver on a loopback address is refused for good — whether the URL names
/// the address or a name that resolves to it — and nothing reaches it; allowed, it is
/// delivered to (every other test here).
#[tokio::test]
async fn private_targets_are_refused_unless_allowed() {
    let server = receiver(204).await;
    let port = server.address().port();
    for url in [
        format!("http://127.0.0.1:{port}/hooks/T000/B000/secretpath"),
        format!("http://localhost:{port}/hooks/T000/B000/secretpath"),
        format!("http://[::1]:{port}/hooks/T000/B000/secretpath"),
        format!("http://0.0.0.0:{port}/hooks/T000/B000/secretpath"),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://10.0.0.1/hook".to_owned(),
    ] {
        let result = post(&guarded_sender(), &delivery(url.clone())).await;
        let Err(DomainError::BadRequest(message)) = result else {
            panic!("{url} is refused for good: {result:?}");
        };
        assert!(message.contains("allow_private_targets"), "{message}");
        assert!(!message.contains("secretpath"), "{message}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());

    let allowed = post(
        &sender(Duration::from_secs(10)),
        &delivery(format!(
            "http://localhost:{port}/hooks/T000/B000/secretpath"
        )),
    )
    .await;
    assert_eq!(allowed.unwrap().status, 204);
}
