#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The registry's public contract (docs/compatibility.md#registry, as the dashboard uses it):
//! shapes and key order, messages, validation, and one transaction per write.

use crate::common;

use common::registry::*;
use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_cell_is_created_by_the_dashboard_and_listed_in_upstream_shape() {
    let app = TestApp::spawn().await;
    let (ada, ada_email) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    // The dashboard's AddCellModal: strings for coordinates, userEmail in the body.
    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/cell/",
        Some(
            json!({"name": "cell_a", "location": "UCSC", "latitude": "37.0",
                    "longitude": "-122.06", "archive": false, "userEmail": ada_email}),
        ),
    )
    .await;
    assert_eq!(status, 200);
    let id = body["id"].as_i64().unwrap();
    assert_eq!(
        body,
        json!({"message": "Successfully added cell", "id": id, "name": "cell_a"})
    );

    let listing = common::identity::client()
        .get(app.url("/api/cell/id"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        listing,
        format!(
            r#"[{{"id":{id},"name":"cell_a","location":"UCSC","latitude":37.0,"longitude":-122.06,"archive":false}}]"#
        )
    );
    let (status, body) = call(
        &app,
        &Auth::None,
        Method::GET,
        &format!("/api/cell/{id}"),
        None,
    )
    .await;
    assert_eq!((status, body["name"].as_str()), (200, Some("cell_a")));

    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/cell/",
        Some(json!({"name": "cell_a", "location": "x", "latitude": 1, "longitude": 1, "archive": false})),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"message": "Duplicate cell name"}))
    );
}

#[tokio::test]
async fn bad_cell_input_is_a_400_naming_every_bad_field() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/cell/",
        Some(
            json!({"name": "", "latitude": 91, "longitude": "east", "archive": "yes", "colour": 1}),
        ),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    for field in ["longitude", "archive", "colour"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/cell/",
        Some(json!({"name": "   ", "latitude": 91, "longitude": 200})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    for field in ["name", "latitude", "longitude"] {
        assert!(body["errors"][field].is_array(), "{field}: {body}");
    }
    let (status, _) = call(&app, &ada, Method::POST, "/api/cell/", Some(json!([1, 2]))).await;
    assert_eq!(status, 400);
    assert_eq!(snapshot_cells(&app).await, "[]");
}

async fn snapshot_cells(app: &TestApp) -> String {
    let db = pg(app).await;
    db.query_one("SELECT coalesce(json_agg(c), '[]')::text FROM cell c", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn a_cell_with_an_unknown_tag_is_not_created_at_all() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/cell/",
        Some(json!({"name": "c", "tag_ids": [424242]})),
    )
    .await;
    assert_eq!(
        (status, body),
        (404, json!({"message": "Tag with ID 424242 not found"}))
    );
    assert_eq!(snapshot_cells(&app).await, "[]");
}

#[tokio::test]
async fn the_edit_modal_uses_lat_and_long_and_replaces_tags() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    let cell = create_cell(&app, &ada, "edit-me").await;
    let soil = create_tag(&app, &ada, "soil").await;
    let (status, body) = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/cell/{cell}"),
        Some(
            json!({"id": cell, "name": "edited", "location": "B", "lat": "37.2",
                    "long": -122.2, "archive": true, "tag_ids": [soil]}),
        ),
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"message": "Successfully updated cell"}))
    );
    let (_, got) = call(
        &app,
        &Auth::None,
        Method::GET,
        &format!("/api/cell/{cell}"),
        None,
    )
    .await;
    assert_eq!(
        got,
        json!({"id": cell, "name": "edited", "location": "B", "latitude": 37.2,
               "longitude": -122.2, "archive": true})
    );
    let (_, tags) = call(
        &app,
        &Auth::None,
        Method::GET,
        &format!("/api/cell/{cell}/tags"),
        None,
    )
    .await;
    assert_eq!(tags[0]["name"], "soil");
    assert_eq!(tags[0]["cell_count"], 1);

    let (status, body) = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/cell/{cell}"),
        Some(json!({"tag_ids": 3})),
    )
    .await;
    assert_eq!(
        (status, body),
        (400, json!({"message": "tag_ids must be a list"}))
    );
    let (status, body) = call(
        &app,
        &ada,
        Method::PUT,
        "/api/cell/999999",
        Some(json!({"archive": false})),
    )
    .await;
    assert_eq!((status, body), (404, json!({"message": "Cell not found"})));
    let (status, _) = call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/cell/{cell}"),
        Some(json!({"lat": 100})),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn filters_by_name_member_and_tags() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let (bob, _) = seeded(&app).await;
    let (ada, bob) = (Auth::Bearer(ada), Auth::Bearer(bob));
    let a1 = create_cell(&app, &ada, "Alpha_one").await;
    let a2 = create_cell(&app, &ada, "alphaXtwo").await;
    let b1 = create_cell(&app, &bob, "beta").await;
    let tag = create_tag(&app, &bob, "wet").await;
    call(
        &app,
        &bob,
        Method::PUT,
        &format!("/api/cell/{b1}/tags/{tag}"),
        None,
    )
    .await;

    let names = |body: serde_json::Value| -> Vec<i64> {
        body.as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    let (_, body) = call(&app, &ada, Method::GET, "/api/cell/?name=ALPHA", None).await;
    assert_eq!(names(body), vec![i64::from(a1), i64::from(a2)]);
    // `_` is a literal underscore, not a wildcard.
    let (_, body) = call(&app, &ada, Method::GET, "/api/cell/?name=alpha_", None).await;
    assert_eq!(names(body), vec![i64::from(a1)]);
    let (_, body) = call(&app, &bob, Method::GET, "/api/cell/?user=True", None).await;
    assert_eq!(names(body), vec![i64::from(b1)]);
    let (_, body) = call(
        &app,
        &ada,
        Method::GET,
        &format!("/api/cell/?tags={tag},%20999"),
        None,
    )
    .await;
    assert_eq!(names(body), vec![i64::from(b1)]);
    let (status, body) = call(&app, &ada, Method::GET, "/api/cell/?tags=1,,2", None).await;
    assert_eq!(
        (status, body),
        (400, json!({"message": "Invalid tag IDs format"}))
    );
    let (status, _) = call(&app, &Auth::None, Method::GET, "/api/cell/?user=True", None).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn sharing_follows_upstreams_checks_and_never_shows_keys() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let legacy_key = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    let bob = common::identity::seed_user(&app, Some(legacy_key)).await;
    let ada = Auth::Bearer(ada);
    let cell = create_cell(&app, &ada, "shared").await;
    let share_path = format!("/api/cell/{cell}/share");
    let share = |body: serde_json::Value| call(&app, &ada, Method::POST, &share_path, Some(body));
    assert_eq!(
        share(json!({})).await,
        (400, json!({"message": "email is required"}))
    );
    assert_eq!(
        share(json!({"email": ""})).await,
        (400, json!({"message": "email cannot be empty"}))
    );
    assert_eq!(
        share(json!({"email": "nobody@example.com"})).await,
        (
            404,
            json!({"message": "User with email nobody@example.com not found"})
        )
    );
    let (status, body) = share(json!({"email": bob.email})).await;
    assert_eq!(status, 200);
    assert_eq!(body["message"], "Cell shared successfully");
    assert_eq!(body["user"]["id"], bob.id.to_string());
    assert!(body["user"].get("api_key").is_none(), "{body}");
    assert_eq!(
        share(json!({"email": bob.email})).await,
        (
            400,
            json!({"message": "User already has access to this cell"})
        )
    );
    // The member now edits, and sees the members (without anyone's key).
    let bob_auth = Auth::Bearer(bob.id);
    let (status, _) = call(
        &app,
        &bob_auth,
        Method::PUT,
        &format!("/api/cell/{cell}"),
        Some(json!({"archive": true})),
    )
    .await;
    assert_eq!(status, 200);
    let (status, members) = call(
        &app,
        &bob_auth,
        Method::GET,
        &format!("/api/cell/{cell}/users"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(members.as_array().unwrap().len(), 2);
    assert!(!members.to_string().contains(legacy_key));
    // Anonymous callers do not see who the members are.
    let (status, _) = call(
        &app,
        &Auth::None,
        Method::GET,
        &format!("/api/cell/{cell}/users"),
        None,
    )
    .await;
    assert_eq!(status, 401);
    let (_, mine) = call(
        &app,
        &bob_auth,
        Method::GET,
        &format!("/api/users/{}/cells", bob.id),
        None,
    )
    .await;
    assert_eq!(mine["cells"][0]["id"], cell);
}

#[tokio::test]
async fn deleting_a_cell_removes_its_data_memberships_and_tag_links() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    let cell = create_cell(&app, &ada, "doomed").await;
    let tag = create_tag(&app, &ada, "t").await;
    call(
        &app,
        &ada,
        Method::PUT,
        &format!("/api/cell/{cell}/tags/{tag}"),
        None,
    )
    .await;
    let db = pg(&app).await;
    db.batch_execute(&format!(
        "INSERT INTO power_data (cell_id, ts, current, voltage) VALUES ({cell}, '2024-11-01', 1, 2);
         INSERT INTO teros_data (cell_id, ts, vwc, temp, ec) VALUES ({cell}, '2024-11-01', 0.3, 20, 100);
         WITH s AS (INSERT INTO sensor (cell_id, measurement, data_type, name) VALUES ({cell}, 'pressure', 'float', 'bme280') RETURNING id)
         INSERT INTO data (sensor_id, ts, float_val) SELECT id, '2024-11-01', 1.5 FROM s;"
    ))
    .await
    .unwrap();
    let (status, body) = call(
        &app,
        &ada,
        Method::DELETE,
        &format!("/api/cell/{cell}"),
        None,
    )
    .await;
    assert_eq!(
        (status, body),
        (200, json!({"message": "Cell deleted successfully"}))
    );
    for table in [
        "power_data",
        "teros_data",
        "sensor",
        "data",
        "cell_user",
        "cell_tag",
        "cell",
    ] {
        let count: i64 = db
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(count, 0, "{table}");
    }
    let (status, body) = call(
        &app,
        &ada,
        Method::DELETE,
        &format!("/api/cell/{cell}"),
        None,
    )
    .await;
    assert_eq!((status, body), (404, json!({"message": "Cell not found"})));
    // The tag survives, with no cells.
    let (_, tag) = call(
        &app,
        &Auth::None,
        Method::GET,
        &format!("/api/tag/{tag}"),
        None,
    )
    .await;
    assert_eq!(tag["cell_count"], 0);
}

#[tokio::test]
async fn tags_keep_upstreams_contract_with_trimmed_names() {
    let app = TestApp::spawn().await;
    let (ada, _) = seeded(&app).await;
    let ada = Auth::Bearer(ada);
    let (status, body) = call(
        &app,
        &ada,
        Method::POST,
        "/api/tag/",
        Some(json!({"name": "  soil ", "description": null})),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["message"], "Tag created successfully");
    let tag = &body["tag"];
    let keys: Vec<&String> = tag.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 5);
    assert_eq!(tag["name"], "soil");
    assert!(tag["created_at"].as_str().unwrap().contains('T'));
    assert_eq!(
        call(&app, &ada, Method::POST, "/api/tag/", Some(json!({}))).await,
        (400, json!({"message": "No data provided"}))
    );
    let (status, _) = call(
        &app,
        &ada,
        Method::POST,
        "/api/tag/",
        Some(json!({"name": "   "})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        call(
            &app,
            &ada,
            Method::POST,
            "/api/tag/",
            Some(json!({"name": "soil"}))
        )
        .await,
        (400, json!({"message": "Tag with this name already exists"}))
    );
    let (_, found) = call(&app, &Auth::None, Method::GET, "/api/tag/?search=OI", None).await;
    assert_eq!(found.as_array().unwrap().len(), 1);
    assert_eq!(
        call(&app, &Auth::None, Method::GET, "/api/tag/999", None).await,
        (404, json!({"message": "Tag not found"}))
    );
    assert_eq!(
        call(&app, &Auth::None, Method::GET, "/api/tags/999/cells", None).await,
        (404, json!({"message": "Tag not found"}))
    );
}
