//! The TTN adapter against a fake TTN (wiremock): call sequence, bodies, field masks,
//! rollback, delete order, and no state shared between devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use ents_domain::loggers::{DeviceRegistration, DeviceRegistry, LoraCredentials, RegistryError};
use ents_ttn::{TtnClient, TtnSettings};
use serde_json::Value;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const KEY_A: &str = "CEC24E6A258B2B20A5A7C05ABD2C1724";
const KEY_B: &str = "00112233445566778899AABBCCDDEEFF";

fn client(server: &MockServer) -> TtnClient {
    TtnClient::new(TtnSettings {
        identity_server_url: format!("{}/is/api/v3", server.uri()),
        cluster_url: format!("{}/api/v3/", server.uri()),
        app_id: "ents-app".into(),
        api_key: "NNSXS.secret".to_owned().into(),
        timeout: Duration::from_secs(5),
    })
    .unwrap()
}

fn device(id: i32, key: &str) -> DeviceRegistration {
    DeviceRegistration {
        device_id: format!("dirtviz-{id}"),
        name: format!("node {id}"),
        credentials: LoraCredentials::parse(
            Some("0080E1150546D093"),
            Some("0101010101010101"),
            Some(key),
        )
        .unwrap(),
    }
}

async fn answer_all(server: &MockServer, status: u16) {
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(status).set_body_json(serde_json::json!({})))
        .mount(server)
        .await;
}

/// `METHOD path` of every request received, in order.
async fn calls(server: &MockServer) -> Vec<String> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.method, r.url.path()))
        .collect()
}

async fn bodies(server: &MockServer) -> Vec<Value> {
    server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(Value::Null))
        .collect()
}

fn paths(body: &Value) -> Vec<&str> {
    body["field_mask"]["paths"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn registration_calls_is_ns_as_js_with_upstream_bodies() {
    let server = MockServer::start().await;
    Mock::given(header("authorization", "Bearer NNSXS.secret"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({})))
        .mount(&server)
        .await;
    client(&server).register(&device(7, KEY_A)).await.unwrap();

    assert_eq!(
        calls(&server).await,
        [
            "POST /is/api/v3/applications/ents-app/devices",
            "PUT /api/v3/ns/applications/ents-app/devices/dirtviz-7",
            "POST /api/v3/as/applications/ents-app/devices",
            "POST /api/v3/js/applications/ents-app/devices",
        ]
    );
    let bodies = bodies(&server).await;
    let is = &bodies[0]["end_device"];
    assert_eq!(is["ids"]["device_id"], "dirtviz-7");
    assert_eq!(is["ids"]["dev_eui"], "0080E1150546D093");
    assert_eq!(is["ids"]["join_eui"], "0101010101010101");
    assert_eq!(is["ids"]["application_ids"]["application_id"], "ents-app");
    assert_eq!(is["name"], "node 7");
    assert_eq!(is["frequency_plan_id"], "US_902_928_FSB_2");
    assert_eq!(is["mac_settings"]["rx2_frequency"], 923_300_000);
    assert_eq!(is["join_server_address"], "127.0.0.1");
    assert!(paths(&bodies[1]).contains(&"mac_settings.rx2_data_rate_index"));
    assert_eq!(
        paths(&bodies[2]),
        [
            "ids.join_eui",
            "ids.dev_eui",
            "ids.device_id",
            "ids.application_ids.application_id"
        ]
    );
    assert!(paths(&bodies[3]).contains(&"root_keys.app_key.key"));
    assert_eq!(
        bodies[3]["end_device"]["root_keys"]["app_key"]["key"],
        KEY_A
    );
    // The AppKey goes to the Join Server only.
    for body in &bodies[..3] {
        assert!(!body.to_string().contains(KEY_A), "{body}");
    }
}

#[tokio::test]
async fn an_existing_device_on_the_identity_server_is_ours() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/is/api/v3/applications/ents-app/devices"))
        .respond_with(ResponseTemplate::new(409))
        .mount(&server)
        .await;
    answer_all(&server, 200).await;
    client(&server).register(&device(1, KEY_A)).await.unwrap();
    assert_eq!(calls(&server).await.len(), 4);
}

#[tokio::test]
async fn a_failed_step_removes_the_partial_registration() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/v3/js/applications/ents-app/devices"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    answer_all(&server, 200).await;
    let error = client(&server)
        .register(&device(3, KEY_A))
        .await
        .unwrap_err();
    match &error {
        RegistryError::Retryable(m) => {
            assert!(
                m.contains("join server") && m.contains("503") && m.contains("removed"),
                "{m}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(!error.to_string().contains(KEY_A));
    assert_eq!(
        calls(&server).await[4..],
        [
            "DELETE /api/v3/ns/applications/ents-app/devices/dirtviz-3",
            "DELETE /api/v3/as/applications/ents-app/devices/dirtviz-3",
            "DELETE /api/v3/js/applications/ents-app/devices/dirtviz-3",
            "DELETE /is/api/v3/applications/ents-app/devices/dirtviz-3",
        ]
    );
}

#[tokio::test]
async fn a_refused_identity_server_create_is_permanent_and_needs_no_rollback() {
    let server = MockServer::start().await;
    answer_all(&server, 403).await;
    let error = client(&server)
        .register(&device(4, KEY_A))
        .await
        .unwrap_err();
    assert!(matches!(error, RegistryError::Permanent(_)), "{error:?}");
    assert_eq!(calls(&server).await.len(), 1);
}

#[tokio::test]
async fn deregistration_goes_ns_as_js_then_is_and_404_is_done() {
    let server = MockServer::start().await;
    answer_all(&server, 404).await;
    client(&server).deregister("dirtviz-9").await.unwrap();
    assert_eq!(
        calls(&server).await,
        [
            "DELETE /api/v3/ns/applications/ents-app/devices/dirtviz-9",
            "DELETE /api/v3/as/applications/ents-app/devices/dirtviz-9",
            "DELETE /api/v3/js/applications/ents-app/devices/dirtviz-9",
            "DELETE /is/api/v3/applications/ents-app/devices/dirtviz-9",
        ]
    );
}

#[tokio::test]
async fn rename_sends_a_field_mask() {
    let server = MockServer::start().await;
    answer_all(&server, 200).await;
    client(&server)
        .rename("dirtviz-5", "new name")
        .await
        .unwrap();
    assert_eq!(
        calls(&server).await,
        ["PUT /is/api/v3/applications/ents-app/devices/dirtviz-5"]
    );
    let body = &bodies(&server).await[0];
    assert_eq!(body["end_device"]["name"], "new name");
    assert_eq!(paths(body), ["name"]);
}

#[tokio::test]
async fn two_devices_never_see_each_others_key() {
    let server = MockServer::start().await;
    answer_all(&server, 200).await;
    let ttn = client(&server);
    ttn.register(&device(1, KEY_A)).await.unwrap();
    ttn.register(&device(2, KEY_B)).await.unwrap();
    ttn.rename("dirtviz-2", "renamed").await.unwrap();
    ttn.get("dirtviz-2").await.unwrap();
    ttn.deregister("dirtviz-2").await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let after_first: Vec<String> = requests[4..]
        .iter()
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert!(
        after_first.iter().all(|b| !b.contains(KEY_A)),
        "{after_first:#?}"
    );
    assert!(after_first.iter().any(|b| b.contains(KEY_B)));
}

#[tokio::test]
async fn timeouts_are_retryable() {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(3)))
        .mount(&server)
        .await;
    let ttn = TtnClient::new(TtnSettings {
        identity_server_url: server.uri(),
        cluster_url: server.uri(),
        app_id: "ents-app".into(),
        api_key: "k".to_owned().into(),
        timeout: Duration::from_millis(200),
    })
    .unwrap();
    let error = ttn.register(&device(1, KEY_A)).await.unwrap_err();
    assert!(
        matches!(error, RegistryError::Retryable(ref m) if m.contains("timed out")),
        "{error:?}"
    );
}

#[tokio::test]
async fn foreign_device_ids_are_refused() {
    let server = MockServer::start().await;
    let error = client(&server).deregister("../other").await.unwrap_err();
    assert!(matches!(error, RegistryError::Permanent(_)));
    assert!(calls(&server).await.is_empty());
}
