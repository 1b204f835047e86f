#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The authorization matrix (docs/compatibility.md#authorization): every registry write route
//! (cells, memberships, tags, loggers) × every kind of caller → the expected status, and nothing
//! changed where the write was refused.

use crate::common;

use common::callers::{Callers, EVERYONE, Who};
use common::registry::*;
use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};

/// Who may take a route.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Needs {
    /// Any identified caller (not an ingest-only key).
    Caller,
    /// The owner or a member of the cell.
    Member,
    /// The owner of the cell (or of the tag).
    Owner,
}

/// The status `who` gets on a route that `needs` and answers `ok` on success.
fn expected(who: Who, needs: Needs, ok: u16) -> u16 {
    match who {
        Who::Anonymous | Who::CookieForeignOrigin => 401,
        Who::OwnerIngestKey => 403,
        Who::Owner | Who::OwnerKey | Who::CookieAllowedOrigin => ok,
        Who::Member => {
            if needs == Needs::Owner {
                403
            } else {
                ok
            }
        }
        Who::Stranger | Who::StrangerKey => {
            if needs == Needs::Caller {
                ok
            } else {
                403
            }
        }
    }
}

/// What one case works on: a fresh cell of the owner with a member, an assigned tag and
/// an unassigned one, both created by the owner.
struct Fixture {
    cell: i32,
    assigned_tag: i32,
    free_tag: i32,
    member: uuid::Uuid,
    outsider_email: String,
    outsider: uuid::Uuid,
    logger: i64,
}

struct Route {
    name: &'static str,
    needs: Needs,
    ok: u16,
    request: fn(&Fixture, usize) -> (Method, String, Option<Value>),
}

fn routes() -> Vec<Route> {
    vec![
        Route {
            name: "POST /cell/",
            needs: Needs::Caller,
            ok: 200,
            request: |_, n| {
                (
                    Method::POST,
                    "/api/cell/".into(),
                    Some(json!({"name": format!("new-{n}")})),
                )
            },
        },
        Route {
            name: "PUT /cell/<id>",
            needs: Needs::Member,
            ok: 200,
            request: |f, _| {
                (
                    Method::PUT,
                    format!("/api/cell/{}", f.cell),
                    Some(json!({"archive": true, "lat": "12.5"})),
                )
            },
        },
        Route {
            name: "DELETE /cell/<id>",
            needs: Needs::Member,
            ok: 200,
            request: |f, _| (Method::DELETE, format!("/api/cell/{}", f.cell), None),
        },
        Route {
            name: "POST /cell/<id>/tags",
            needs: Needs::Member,
            ok: 200,
            request: |f, _| {
                (
                    Method::POST,
                    format!("/api/cell/{}/tags", f.cell),
                    Some(json!({"tag_ids": [f.free_tag]})),
                )
            },
        },
        Route {
            name: "PUT /cell/<id>/tags/<tag>",
            needs: Needs::Member,
            ok: 200,
            request: |f, _| {
                (
                    Method::PUT,
                    format!("/api/cell/{}/tags/{}", f.cell, f.free_tag),
                    None,
                )
            },
        },
        Route {
            name: "DELETE /cell/<id>/tags/<tag>",
            needs: Needs::Member,
            ok: 200,
            request: |f, _| {
                (
                    Method::DELETE,
                    format!("/api/cell/{}/tags/{}", f.cell, f.assigned_tag),
                    None,
                )
            },
        },
        Route {
            name: "POST /cell/<id>/users",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| {
                (
                    Method::POST,
                    format!("/api/cell/{}/users", f.cell),
                    Some(json!({"user_ids": [f.outsider.to_string()]})),
                )
            },
        },
        Route {
            name: "PUT /cell/<id>/users/<uid>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| {
                (
                    Method::PUT,
                    format!("/api/cell/{}/users/{}", f.cell, f.outsider),
                    None,
                )
            },
        },
        Route {
            name: "DELETE /cell/<id>/users/<uid>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| {
                (
                    Method::DELETE,
                    format!("/api/cell/{}/users/{}", f.cell, f.member),
                    None,
                )
            },
        },
        Route {
            name: "POST /cell/<id>/share",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| {
                (
                    Method::POST,
                    format!("/api/cell/{}/share", f.cell),
                    Some(json!({"email": f.outsider_email})),
                )
            },
        },
        Route {
            name: "POST /logger/",
            needs: Needs::Caller,
            ok: 201,
            request: |_, n| {
                (
                    Method::POST,
                    "/api/logger/".into(),
                    Some(json!({"name": format!("logger-new-{n}"), "type": "other"})),
                )
            },
        },
        Route {
            name: "PUT /logger/<id>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, n| {
                (
                    Method::PUT,
                    format!("/api/logger/{}", f.logger),
                    Some(json!({"description": format!("changed {n}")})),
                )
            },
        },
        Route {
            name: "DELETE /logger/<id>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| (Method::DELETE, format!("/api/logger/{}", f.logger), None),
        },
        Route {
            name: "POST /tag/",
            needs: Needs::Caller,
            ok: 201,
            request: |_, n| {
                (
                    Method::POST,
                    "/api/tag/".into(),
                    Some(json!({"name": format!("tag-new-{n}")})),
                )
            },
        },
        Route {
            name: "PUT /tag/<id>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, n| {
                (
                    Method::PUT,
                    format!("/api/tag/{}", f.free_tag),
                    Some(json!({"description": format!("changed {n}")})),
                )
            },
        },
        Route {
            name: "DELETE /tag/<id>",
            needs: Needs::Owner,
            ok: 200,
            request: |f, _| (Method::DELETE, format!("/api/tag/{}", f.free_tag), None),
        },
    ]
}

#[tokio::test]
async fn every_write_route_against_every_kind_of_caller() {
    let app = TestApp::spawn_with(|s| s.http.cors_allowed_origins = vec![DASHBOARD.into()]).await;
    let callers = Callers::new(&app).await;
    let owner_auth = Auth::Bearer(callers.owner.id);

    let mut failures = Vec::new();
    let mut n = 0;
    for route in routes() {
        for who in EVERYONE {
            n += 1;
            let fixture =
                fixture(&app, &owner_auth, n, &callers.member_email, callers.member).await;
            let (method, path, body) = (route.request)(&fixture, n);
            let before = snapshot(&app).await;
            let (status, response) = call(&app, &callers.auth(who), method, &path, body).await;
            let want = expected(who, route.needs, route.ok);
            if status != want {
                failures.push(format!(
                    "{} as {who:?}: {status} {response}, expected {want}",
                    route.name
                ));
            }
            if status >= 400 && snapshot(&app).await != before {
                failures.push(format!(
                    "{} as {who:?}: refused ({status}) but changed data",
                    route.name
                ));
            }
            if status >= 400 {
                let key = if status == 401 || status == 403 {
                    "msg"
                } else {
                    "message"
                };
                if response[key].as_str().is_none() {
                    failures.push(format!(
                        "{} as {who:?}: {status} without a JSON {key}: {response}",
                        route.name
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

async fn fixture(
    app: &TestApp,
    owner: &Auth,
    n: usize,
    member_email: &str,
    member: uuid::Uuid,
) -> Fixture {
    let cell = create_cell(app, owner, &format!("cell-{n}")).await;
    let assigned_tag = create_tag(app, owner, &format!("assigned-{n}")).await;
    let free_tag = create_tag(app, owner, &format!("free-{n}")).await;
    let (status, _) = call(
        app,
        owner,
        Method::PUT,
        &format!("/api/cell/{cell}/tags/{assigned_tag}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let (status, body) = call(
        app,
        owner,
        Method::POST,
        &format!("/api/cell/{cell}/share"),
        Some(json!({"email": member_email})),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (outsider, outsider_email) = seeded(app).await;
    let (status, created) = call(
        app,
        owner,
        Method::POST,
        "/api/logger/",
        Some(json!({"name": format!("logger-{n}"), "type": "other"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let logger = created["logger_id"].as_i64().unwrap();
    Fixture {
        logger,
        cell,
        assigned_tag,
        free_tag,
        member,
        outsider_email,
        outsider,
    }
}
