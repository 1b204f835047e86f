#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Loggers end to end against PostgreSQL (docs/compatibility.md#loggers): every route and message,
//! who may do what, races on names, EUI normalisation, deletion with measurements. The TTN
//! registration jobs, against a fake TTN, are in `loggers/ttn.rs`.

use crate::common;
mod support;
mod ttn;

use ents_runtime::testing::TestApp;
use serde_json::json;
use support::*;

#[tokio::test]
async fn every_route_answers_with_upstreams_messages() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;

    let (status, created) = api
        .post(
            &owner,
            "/api/logger/",
            json!({"name": "wifi-1", "type": "wifi", "description": "d", "userEmail": "x@y"}),
        )
        .await;
    assert_eq!(status, 201);
    let id = created["logger_id"].as_i64().unwrap();
    assert_eq!(
        created,
        json!({"message": "Successfully added logger", "logger_id": id})
    );

    // Upstream's keys, in upstream's order; date_created is naive ISO 8601.
    let text = api.get_text(&owner, &format!("/api/logger/{id}")).await;
    let keys = [
        "\"id\"",
        "\"name\"",
        "\"type\"",
        "\"device_eui\"",
        "\"description\"",
        "\"date_created\"",
    ];
    let at: Vec<usize> = keys.iter().map(|k| text.find(k).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{text}");
    let got: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(got["name"], "wifi-1");
    assert_eq!(got["type"], "wifi");
    assert_eq!(got["device_eui"], "");
    assert_eq!(got["description"], "d");
    assert!(got.get("ttn_registration").is_none());
    let date = got["date_created"].as_str().unwrap();
    assert!(
        chrono::NaiveDateTime::parse_from_str(date, "%Y-%m-%dT%H:%M:%S%.f").is_ok(),
        "{date}"
    );
    assert!(!date.ends_with('Z') && !date.contains('+'), "{date}");

    let (status, list) = api.get(&owner, "/api/logger/?user=True").await;
    assert_eq!(status, 200);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0].as_object().unwrap().len(), 6);

    api.create(&owner, json!({"name": "wifi-2", "type": "wifi"}))
        .await;
    let path = format!("/api/logger/{id}");
    assert_eq!(
        api.put(&owner, &path, json!({"name": "wifi-2"})).await,
        (400, json!({"message": "Duplicate logger name"}))
    );
    assert_eq!(
        api.put(&owner, &path, json!({"type": "other"})).await,
        (400, json!({"message": "No valid fields to update"}))
    );
    assert_eq!(
        api.put(
            &owner,
            &path,
            json!({"name": "renamed", "description": "new"})
        )
        .await,
        (200, json!({"message": "Successfully updated logger"}))
    );
    let (_, got) = api.get(&owner, &path).await;
    assert_eq!(
        (
            got["name"].clone(),
            got["description"].clone(),
            got["type"].clone()
        ),
        (json!("renamed"), json!("new"), json!("wifi"))
    );

    let missing = json!({"message": "Logger not found"});
    assert_eq!(
        api.get(&owner, "/api/logger/999999").await,
        (404, missing.clone())
    );
    assert_eq!(
        api.put(&owner, "/api/logger/999999", json!({"name": "n"}))
            .await,
        (404, missing.clone())
    );
    assert_eq!(
        api.delete(&owner, "/api/logger/999999").await,
        (404, missing.clone())
    );
    assert_eq!(
        api.get(&owner, "/api/logger/99999999999").await,
        (404, missing.clone())
    );

    assert_eq!(
        api.delete(&owner, &path).await,
        (200, json!({"message": "Logger deleted successfully"}))
    );
    assert_eq!(api.get(&owner, &path).await, (404, missing));
}

/// A method a known path does not serve: 405 with `Allow` (upstream: 403/500).
#[tokio::test]
async fn upstreams_broken_method_and_path_pairs_are_405() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, json!({"name": "n"})).await;
    assert_eq!(
        api.put(&owner, "/api/logger/", json!({"name": "x"}))
            .await
            .0,
        405
    );
    assert_eq!(api.delete(&owner, "/api/logger/").await.0, 405);
    assert_eq!(
        api.post(&owner, &format!("/api/logger/{id}"), json!({"name": "x"}))
            .await
            .0,
        405
    );
    assert_eq!(api.get(&owner, "/api/logger/abc").await.0, 404);
    let (_, list) = api.get(&owner, "/api/logger/").await;
    assert_eq!(list[0]["name"], "n");
}

#[tokio::test]
async fn bad_bodies_are_400_naming_the_field() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    assert_eq!(
        api.post(&owner, "/api/logger/", json!({"type": "wifi"}))
            .await,
        (400, json!({"message": "Missing required field: name"}))
    );
    for name in [String::new(), "x".repeat(256)] {
        let (status, body) = api
            .post(&owner, "/api/logger/", json!({"name": name}))
            .await;
        assert_eq!(status, 400, "{body}");
        assert!(body["errors"]["name"].is_array(), "{body}");
    }
    let id = api
        .create(&owner, json!({"name": "ok", "type": "wifi"}))
        .await;
    let (status, body) = api
        .put(&owner, &format!("/api/logger/{id}"), json!({"name": ""}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"]["name"].is_array(), "{body}");
    let (_, list) = api.get(&owner, "/api/logger/").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    // The longest name allowed is 255 characters.
    api.create(&owner, json!({"name": "y".repeat(255)})).await;
}

#[tokio::test]
async fn only_the_owner_changes_or_deletes_and_refusals_change_nothing() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let (stranger, _) = user(&app).await;
    let owner_ingest = api_key(&api, &owner, "ingest").await;
    let owner_full = api_key(&api, &owner, "full").await;
    let stranger_full = api_key(&api, &stranger, "full").await;
    let id = api
        .create(
            &owner,
            json!({"name": "mine", "type": "wifi", "description": "d"}),
        )
        .await;
    let path = format!("/api/logger/{id}");

    let anonymous = Who::Anonymous;
    for (who, expected) in [
        (&anonymous, 401),
        (&stranger, 403),
        (&stranger_full, 403),
        (&owner_ingest, 403),
    ] {
        assert_eq!(
            api.put(who, &path, json!({"name": "taken over"})).await.0,
            expected
        );
        assert_eq!(api.delete(who, &path).await.0, expected);
        let (_, got) = api.get(&owner, &path).await;
        assert_eq!(
            (got["name"].as_str(), got["description"].as_str()),
            (Some("mine"), Some("d"))
        );
    }
    // Creating: any identified caller but an ingest-only key.
    assert_eq!(
        api.post(&anonymous, "/api/logger/", json!({"name": "a"}))
            .await
            .0,
        401
    );
    assert_eq!(
        api.post(&owner_ingest, "/api/logger/", json!({"name": "b"}))
            .await
            .0,
        403
    );
    assert_eq!(
        api.post(&owner_full, "/api/logger/", json!({"name": "c"}))
            .await
            .0,
        201
    );
    assert_eq!(
        api.post(&stranger, "/api/logger/", json!({"name": "d"}))
            .await
            .0,
        201
    );
    // Reading needs a caller (upstream J|K); with public reads any caller sees everything.
    assert_eq!(api.get(&anonymous, &path).await.0, 401);
    assert_eq!(api.get(&anonymous, "/api/logger/").await.0, 401);
    assert_eq!(api.get(&stranger, &path).await.0, 200);
    // An ingest key uploads and nothing else.
    assert_eq!(api.get(&owner_ingest, &path).await.0, 403);
    let (_, all) = api.get(&stranger, "/api/logger/").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, stranger_own) = api.get(&stranger, "/api/logger/?user=True").await;
    assert_eq!(stranger_own.as_array().unwrap().len(), 1);
    assert_eq!(stranger_own[0]["name"], "d");
    // The owner's full key acts for the owner.
    assert_eq!(
        api.put(&owner_full, &path, json!({"name": "still mine"}))
            .await
            .0,
        200
    );
    assert_eq!(api.delete(&owner_full, &path).await.0, 200);
}

#[tokio::test]
async fn user_email_never_chooses_the_owner() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (caller, _) = user(&app).await;
    let (other, other_email) = user(&app).await;
    let id = api
        .create(
            &caller,
            json!({"name": "n", "type": "wifi", "userEmail": other_email}),
        )
        .await;
    let (_, mine) = api.get(&caller, "/api/logger/?user=True").await;
    assert_eq!(mine[0]["id"], id);
    let (_, theirs) = api.get(&other, "/api/logger/?user=True").await;
    assert_eq!(theirs, json!([]));
    assert_eq!(
        api.delete(&other, &format!("/api/logger/{id}")).await.0,
        403
    );
}

#[tokio::test]
async fn without_public_reads_a_caller_sees_only_its_loggers() {
    let app = TestApp::spawn_with(|s| s.access.public_read = false).await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let (stranger, _) = user(&app).await;
    let id = api.create(&owner, json!({"name": "private"})).await;
    assert_eq!(api.get(&stranger, "/api/logger/").await, (200, json!([])));
    assert_eq!(
        api.get(&stranger, &format!("/api/logger/{id}")).await.0,
        403
    );
    let (_, all) = api.get(&owner, "/api/logger/").await;
    assert_eq!(all.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_creates_with_one_name_give_one_201_and_400s() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let body = json!({"name": "race", "type": "ents", "device_eui": "0080E1150546D093"});
    let results = futures_util::future::join_all(
        (0..8).map(|_| api.post(&owner, "/api/logger/", body.clone())),
    )
    .await;
    assert_eq!(
        results.iter().filter(|(s, _)| *s == 201).count(),
        1,
        "{results:?}"
    );
    for (status, body) in results.iter().filter(|(s, _)| *s != 201) {
        assert_eq!(
            (*status, body),
            (400, &json!({"message": "Duplicate logger name"}))
        );
    }
}

#[tokio::test]
async fn device_euis_are_normalised_and_may_repeat() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let a = api
        .create(
            &owner,
            json!({"name": "a", "type": "ents", "device_eui": " 0080e1150546d093 "}),
        )
        .await;
    let b = api
        .create(
            &owner,
            json!({"name": "b", "type": "ents", "device_eui": "0080E1150546D093"}),
        )
        .await;
    for id in [a, b] {
        let (_, got) = api.get(&owner, &format!("/api/logger/{id}")).await;
        assert_eq!(got["device_eui"], "0080E1150546D093");
    }
}

#[tokio::test]
async fn ents_loggers_without_ttn_are_created_and_registration_is_skipped() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let (status, body) = api
        .post(&owner, "/api/logger/", json!({"name": "bare", "type": "ents", "device_eui": "INVALID", "dev_eui": "ZZZZ", "join_eui": "short", "app_key": "bad"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(
        body["message"],
        "Successfully added logger (TTN registration skipped: missing or invalid LoRaWAN credentials)"
    );
    assert_eq!(body["ttn_registered"], false);
    let (status, body) = api
        .post(&owner, "/api/logger/", ents_body("full", KEY_A))
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["ttn_registered"], false);
    assert!(
        body["message"].as_str().unwrap().contains("not configured"),
        "{body}"
    );
    let id = body["logger_id"].as_i64().unwrap();
    let (_, got) = api.get(&owner, &format!("/api/logger/{id}")).await;
    assert!(got.get("ttn_registration").is_none(), "{got}");
    assert_eq!(
        api.delete(&owner, &format!("/api/logger/{id}")).await.0,
        200
    );
    api.never_showed(KEY_A);
    assert_eq!(texts(&app, "SELECT count(*)::text FROM job").await, ["0"]);
}

#[tokio::test]
async fn deleting_a_logger_keeps_its_measurements_for_the_cell() {
    let app = TestApp::spawn().await;
    let api = Api::new(&app);
    let (owner, _) = user(&app).await;
    let id = api.create(&owner, json!({"name": "with-data"})).await;
    common::identity::sql(
        &app,
        &format!(
            "INSERT INTO cell (id, name, archive) VALUES (500, 'c', false); \
             INSERT INTO power_data (logger_id, cell_id, ts, current, voltage) VALUES \
               ({id}, 500, '2024-01-01 00:00:00', 1, 2), \
               ({id}, 500, '2024-01-01 00:01:00', 3, 4), \
               (NULL, 500, '2024-01-01 00:01:00', 5, 6);"
        ),
    )
    .await;
    assert_eq!(
        api.delete(&owner, &format!("/api/logger/{id}")).await.0,
        200
    );
    assert_eq!(
        texts(
            &app,
            "SELECT format('%s %s %s', ts, current, coalesce(logger_id::text, '-')) \
             FROM power_data ORDER BY ts, current"
        )
        .await,
        ["2024-01-01 00:00:00 1 -", "2024-01-01 00:01:00 5 -"]
    );
}
