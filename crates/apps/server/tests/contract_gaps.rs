#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The contract's last gaps (issue 11): small, visible differences from what clients rely on.

use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

use crate::common::identity::{access_token, client, seed_user};
use crate::common::registry::{Auth, call, create_tag};

/// A known path asked with a method it does not serve: 405 naming what it serves.
#[tokio::test]
async fn a_known_path_with_another_method_is_405_with_allow() {
    let app = TestApp::spawn().await;
    let cases = [
        (Method::POST, "/api/", "GET"),
        (Method::GET, "/api/equations/validate", "POST"),
        (Method::DELETE, "/api/catalog/sensors", "GET"),
        (Method::PUT, "/api/data-availability/", "GET"),
        (Method::DELETE, "/api/tag/", "GET, POST"),
        (Method::POST, "/api/cell/7/sensors", "GET"),
        (Method::POST, "/api/cell/7", "GET, PUT, DELETE"),
        (Method::TRACE, "/api/sensor/", "GET, POST"),
        (Method::PATCH, "/readyz", "GET"),
        // Literal paths beside a parameter route are not handed to it.
        (Method::PUT, "/api/cell/datas", "GET"),
        (Method::DELETE, "/api/cell/id", "GET"),
    ];
    for (method, path, allow) in cases {
        let response = client()
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["message"], "Method Not Allowed");
    }
    // Unknown paths stay 404, and the missing slash still redirects.
    let response = client()
        .post(app.url("/api/nothing-here/"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(app.get("/api/tag").await.status(), 308);
}

/// `GET /api/auth/logged_in` takes the access token with or without `Bearer `, as upstream.
#[tokio::test]
async fn logged_in_accepts_the_bare_token_too() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let token = access_token(user.id);
    for header in [format!("Bearer {token}"), token.clone()] {
        let response = client()
            .get(app.url("/api/auth/logged_in"))
            .header("authorization", header)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let response = client()
        .get(app.url("/api/auth/logged_in"))
        .header("authorization", "not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

/// Tags have no category: a category filter is refused, naming it, never all cells.
#[tokio::test]
async fn a_cell_category_filter_is_a_400_naming_it() {
    let app = TestApp::spawn().await;
    let (status, body) = call(
        &app,
        &Auth::None,
        Method::GET,
        "/api/cell/?category=soil",
        None,
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"]["category"].is_array(), "{body}");
}

/// Tag validation keeps upstream's message beside the named fields.
#[tokio::test]
async fn tag_validation_says_invalid_data() {
    let app = TestApp::spawn().await;
    let user = seed_user(&app, None).await;
    let auth = Auth::Bearer(user.id);
    let (status, body) = call(
        &app,
        &auth,
        Method::POST,
        "/api/tag/",
        Some(json!({"description": "no name"})),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["message"], "Invalid data");
    assert!(body["errors"]["name"].is_array(), "{body}");
    let tag = create_tag(&app, &auth, "soil").await;
    let (status, body) = call(
        &app,
        &auth,
        Method::PUT,
        &format!("/api/tag/{tag}"),
        Some(json!({"name": 5})),
    )
    .await;
    assert_eq!((status, &body["message"]), (400, &json!("Invalid data")));
}
