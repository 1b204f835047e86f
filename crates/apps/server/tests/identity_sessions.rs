#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Sessions end to end: upstream's cookie attributes, rotation on every refresh, parallel
//! refreshes within the grace, reuse after it, logout of one's own login only, and the
//! cookie identity of browser writes behind the origin guard.

use crate::common;

use common::identity::*;
use ents_runtime::testing::TestApp;
use serde_json::json;

/// Registers a local account (which logs it in): the access token and the refresh cookie.
async fn login(app: &TestApp, email: &str) -> (String, String) {
    let response = client()
        .post(app.url("/api/auth/register"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let cookie = refresh_cookie(&response).unwrap();
    let token = response.text().await.unwrap();
    (token, cookie)
}

#[tokio::test]
async fn a_login_answers_201_with_the_raw_jwt_and_upstreams_cookie() {
    let app = TestApp::spawn().await;
    let response = client()
        .post(app.url("/api/auth/register"))
        .json(&json!({"email": "ada@example.com", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let cookies = set_cookies(&response);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    let cookie = &cookies[0];
    assert!(cookie.starts_with("refresh-token="), "{cookie}");
    for attribute in [
        "; Secure",
        "; HttpOnly",
        "; Path=/",
        "; SameSite=None",
        "; Expires=",
    ] {
        assert!(cookie.contains(attribute), "{attribute} missing: {cookie}");
    }
    let expires = cookie
        .split("Expires=")
        .nth(1)
        .unwrap()
        .split(';')
        .next()
        .unwrap();
    let expires = chrono::DateTime::parse_from_rfc2822(&expires.replace("GMT", "+0000")).unwrap();
    let in_a_day = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        (in_a_day - expires.to_utc()).num_seconds().abs() < 60,
        "{expires}"
    );

    let jwt = response.text().await.unwrap();
    assert_eq!(jwt.split('.').count(), 3, "{jwt}");
    let user = client()
        .get(app.url("/api/user"))
        .header("authorization", format!("Bearer {jwt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(user.status(), 200);
}

#[tokio::test]
async fn every_refresh_rotates_the_cookie() {
    let app = TestApp::spawn().await;
    let (_, first) = login(&app, "ada@example.com").await;
    let response = refresh(&app, &first).await;
    assert_eq!(response.status(), 201);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let second = refresh_cookie(&response).unwrap();
    assert_ne!(second, first);
    let jwt = response.text().await.unwrap();
    let user = client()
        .get(app.url("/api/user"))
        .header("authorization", format!("Bearer {jwt}"))
        .send()
        .await
        .unwrap();
    assert_eq!(user.status(), 200);
    let third = refresh(&app, &second).await;
    assert_eq!(third.status(), 201);
}

#[tokio::test]
async fn three_parallel_refreshes_all_keep_the_session() {
    let app = TestApp::spawn().await;
    let (_, cookie) = login(&app, "ada@example.com").await;
    let (a, b, c) = tokio::join!(
        refresh(&app, &cookie),
        refresh(&app, &cookie),
        refresh(&app, &cookie)
    );
    for response in [a, b, c] {
        assert_eq!(response.status(), 201);
        // Whichever of the new cookies the browser keeps, the session goes on.
        let next = refresh_cookie(&response).unwrap();
        assert_eq!(refresh(&app, &next).await.status(), 201);
    }
}

#[tokio::test]
async fn reuse_of_a_rotated_cookie_after_the_grace_ends_that_login() {
    let app = TestApp::spawn_with(|s| s.auth.refresh_reuse_grace_secs = 0).await;
    let (_, stolen) = login(&app, "ada@example.com").await;
    let (_, other_login) = login(&app, "grace@example.com").await;
    let rotated = refresh_cookie(&refresh(&app, &stolen).await).unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;

    let reuse = refresh(&app, &stolen).await;
    assert_eq!(msg(reuse).await, (403, "Invalid refresh token".to_owned()));
    // The whole family is revoked: the legitimate successor too.
    assert_eq!(refresh(&app, &rotated).await.status(), 403);
    // Another login is untouched.
    assert_eq!(refresh(&app, &other_login).await.status(), 201);
}

#[tokio::test]
async fn refresh_without_or_with_a_bad_cookie_is_403() {
    let app = TestApp::spawn().await;
    let none = client()
        .get(app.url("/api/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(msg(none).await, (403, "Invalid refresh token".to_owned()));
    for bad in ["junk", "a.b.c", &access_token(uuid::Uuid::new_v4())] {
        assert_eq!(
            msg(refresh(&app, bad).await).await,
            (403, "Invalid refresh token".to_owned()),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn logout_ends_only_the_callers_own_login() {
    let app = TestApp::spawn().await;
    let (_, ada) = login(&app, "ada@example.com").await;
    let (_, bob) = login(&app, "bob@example.com").await;

    let response = client()
        .get(app.url("/api/auth/logout"))
        .header("cookie", format!("refresh-token={ada}"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        set_cookies(&response),
        vec![
            "refresh-token=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; Path=/; \
             SameSite=None"
                .to_owned()
        ]
    );
    assert!(response.text().await.unwrap().is_empty());
    assert_eq!(refresh(&app, &ada).await.status(), 403);
    assert_eq!(refresh(&app, &bob).await.status(), 201);

    // An arbitrary cookie value logs nobody out (upstream logged out a random user, D-4).
    let (_, carol) = login(&app, "carol@example.com").await;
    let junk = client()
        .get(app.url("/api/auth/logout"))
        .header("cookie", "refresh-token=junk")
        .send()
        .await
        .unwrap();
    assert_eq!(junk.status(), 204);
    assert_eq!(refresh(&app, &carol).await.status(), 201);

    let without = client()
        .get(app.url("/api/auth/logout"))
        .send()
        .await
        .unwrap();
    assert_eq!(without.status(), 204);
    assert!(set_cookies(&without).is_empty());
}

#[tokio::test]
async fn the_cookie_identifies_a_browser_write_only_from_an_allowed_origin() {
    let app = TestApp::spawn_with(|s| {
        s.http.cors_allowed_origins = vec!["https://dirtviz.example".into()];
    })
    .await;
    let (_, cookie) = login(&app, "ada@example.com").await;
    let put = |origin: Option<&str>| {
        let mut request = client()
            .put(app.url("/api/user"))
            .header("cookie", format!("refresh-token={cookie}"))
            .json(&json!({"first_name": "Augusta"}));
        if let Some(origin) = origin {
            request = request.header("origin", origin);
        }
        request.send()
    };
    assert_eq!(
        put(Some("https://dirtviz.example")).await.unwrap().status(),
        200
    );
    // Same origin (the server's own) counts as allowed.
    assert_eq!(put(Some(&app.address)).await.unwrap().status(), 200);
    for origin in [Some("https://evil.example"), None] {
        let response = put(origin).await.unwrap();
        assert_eq!(
            msg(response).await,
            (401, "No token or API key provided".to_owned()),
            "{origin:?}"
        );
    }
    // A Referer from the dashboard is as good as an Origin.
    let referer = client()
        .put(app.url("/api/user"))
        .header("cookie", format!("refresh-token={cookie}"))
        .header("referer", "https://dirtviz.example/profile/account")
        .json(&json!({"last_name": "King"}))
        .send()
        .await
        .unwrap();
    assert_eq!(referer.status(), 200);
}

#[tokio::test]
async fn refresh_tokens_are_stored_only_as_digests() {
    let app = TestApp::spawn().await;
    let (_, cookie) = login(&app, "ada@example.com").await;
    let mut conn =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(app.db.url())
            .await
            .unwrap();
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let found: Found = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM refresh_token WHERE token_digest = '{cookie}' \
         OR token_digest = encode(sha256(convert_to('{cookie}', 'UTF8')), 'hex')"
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(found.n, 1);
    let plain: Found = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM refresh_token WHERE token_digest = '{cookie}'"
    ))
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(plain.n, 0);
}
