#![allow(clippy::unwrap_used, clippy::expect_used)]
//! API keys end to end: upstream's `/api/apikey/` contract with a hint instead of the key,
//! named scoped keys, revocation, legacy plaintext keys — and no key in any response but
//! the one that creates it.

use crate::common;

use common::identity::*;
use ents_runtime::testing::TestApp;
use serde_json::json;

/// Every response body a test saw, to check that no secret leaked into any.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn body(&mut self, response: reqwest::Response) -> (u16, serde_json::Value) {
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        self.0.push(text.clone());
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    fn mentions(&self, secret: &str) -> usize {
        self.0.iter().filter(|b| b.contains(secret)).count()
    }
}

#[tokio::test]
async fn the_upstream_key_contract_with_a_hint() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let mut seen = Seen::default();
    let call = |method: reqwest::Method| {
        client()
            .request(method, app.url("/api/apikey/"))
            .header("authorization", bearer(user.id))
            .send()
    };

    assert_eq!(
        seen.body(call(reqwest::Method::GET).await.unwrap()).await,
        (200, json!({"api_key": null}))
    );
    let (status, created) = seen.body(call(reqwest::Method::POST).await.unwrap()).await;
    assert_eq!(status, 201);
    let key = created["api_key"].as_str().unwrap().to_owned();
    assert!(key.starts_with("ents_") && key.len() >= 5 + 64, "{key}");

    let (status, hint) = seen.body(call(reqwest::Method::GET).await.unwrap()).await;
    assert_eq!(status, 200);
    let hint = hint["api_key"].as_str().unwrap().to_owned();
    assert_eq!(hint, format!("ents_…{}", &key[key.len() - 4..]));

    let (status, conflict) = seen.body(call(reqwest::Method::POST).await.unwrap()).await;
    assert_eq!(status, 409);
    assert_eq!(
        conflict["message"],
        "API key already exists. Delete existing key before creating a new one."
    );

    // The key works where keys are accepted…
    let (status, profile) = seen
        .body(
            client()
                .get(app.url("/api/user"))
                .header("x-api-key", &key)
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, profile["email"].as_str()),
        (200, Some(user.email.as_str()))
    );
    // …but not to manage keys.
    let (status, body) = seen
        .body(
            client()
                .get(app.url("/api/apikey/"))
                .header("x-api-key", &key)
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, body["msg"].as_str()),
        (403, Some("Authentication failed"))
    );

    let (status, deleted) = seen
        .body(call(reqwest::Method::DELETE).await.unwrap())
        .await;
    assert_eq!(
        (status, deleted),
        (200, json!({"message": "API key deleted"}))
    );
    let (status, _) = seen
        .body(call(reqwest::Method::DELETE).await.unwrap())
        .await;
    assert_eq!(status, 200);
    let (status, body) = seen
        .body(
            client()
                .get(app.url("/api/user"))
                .header("x-api-key", &key)
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, body["msg"].as_str()),
        (401, Some("Invalid API key"))
    );

    assert_eq!(
        seen.mentions(&key),
        1,
        "the key appears only in its creation"
    );
}

#[tokio::test]
async fn named_keys_have_scopes_and_only_their_owner_revokes_them() {
    let app = TestApp::spawn().await;
    let ada = seed_user(&app, None).await;
    let bob = seed_user(&app, None).await;
    let mut seen = Seen::default();
    let create = |name: &str, scope: &str| {
        client()
            .post(app.url("/api/keys"))
            .header("authorization", bearer(ada.id))
            .json(&json!({"name": name, "scope": scope}))
            .send()
    };
    let (status, node) = seen.body(create("node 7", "ingest").await.unwrap()).await;
    assert_eq!(status, 201);
    assert_eq!(
        (node["name"].as_str(), node["scope"].as_str()),
        (Some("node 7"), Some("ingest"))
    );
    let node_key = node["api_key"].as_str().unwrap().to_owned();
    let (status, laptop) = seen.body(create("laptop", "full").await.unwrap()).await;
    assert_eq!(status, 201);
    let laptop_key = laptop["api_key"].as_str().unwrap().to_owned();
    assert_eq!(
        seen.body(create("laptop", "full").await.unwrap()).await.0,
        409
    );
    assert_eq!(seen.body(create("x", "admin").await.unwrap()).await.0, 400);

    let (status, listed) = seen
        .body(
            client()
                .get(app.url("/api/keys"))
                .header("authorization", bearer(ada.id))
                .send()
                .await
                .unwrap(),
        )
        .await;
    assert_eq!(status, 200);
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["node 7", "laptop"]);
    assert!(listed[0].get("api_key").is_none());

    // An ingest key uploads and nothing else: not even its owner's profile.
    let read = client()
        .get(app.url("/api/user"))
        .header("x-api-key", &node_key)
        .send()
        .await
        .unwrap();
    assert_eq!(
        msg(read).await,
        (403, "This API key may only upload measurements".to_owned())
    );
    let write = client()
        .put(app.url("/api/user"))
        .header("x-api-key", &node_key)
        .json(&json!({"first_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        msg(write).await,
        (403, "This API key may only upload measurements".to_owned())
    );
    let write = client()
        .put(app.url("/api/user"))
        .header("x-api-key", &laptop_key)
        .json(&json!({"first_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 200);

    let node_id = node["id"].as_str().unwrap();
    let revoke = |who: uuid::Uuid, id: &str| {
        client()
            .delete(app.url(&format!("/api/keys/{id}")))
            .header("authorization", bearer(who))
            .send()
    };
    assert_eq!(revoke(bob.id, node_id).await.unwrap().status(), 404);
    assert_eq!(revoke(ada.id, "not-a-uuid").await.unwrap().status(), 404);
    assert_eq!(revoke(ada.id, node_id).await.unwrap().status(), 200);
    let gone = client()
        .get(app.url("/api/user"))
        .header("x-api-key", &node_key)
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 401);

    assert_eq!(seen.mentions(&node_key), 1);
    assert_eq!(seen.mentions(&laptop_key), 1);
}

#[tokio::test]
async fn a_legacy_plaintext_key_keeps_working_and_is_not_stored() {
    let app = TestApp::spawn().await;
    let legacy = "f3a9c2e1d4b5a6978877665544332211aabbccddeeff00112233445566778899";
    let user = seed_user(&app, Some(legacy)).await;
    let response = client()
        .get(app.url("/api/user"))
        .header("x-api-key", legacy)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let hint: serde_json::Value = client()
        .get(app.url("/api/apikey/"))
        .header("authorization", bearer(user.id))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hint, json!({"api_key": "…8899"}));
}

#[tokio::test]
async fn a_jwt_only_route_without_a_token_is_403() {
    let app = TestApp::spawn().await;
    let response = client().get(app.url("/api/apikey/")).send().await.unwrap();
    assert_eq!(
        msg(response).await,
        (403, "Authentication failed".to_owned())
    );
    let response = client().get(app.url("/api/keys")).send().await.unwrap();
    assert_eq!(response.status(), 403);
}
