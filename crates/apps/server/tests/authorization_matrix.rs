#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The whole authorization matrix (docs/compatibility.md#authorization): every route of the
//! OpenAPI document × every kind of caller, with `access.public_read` on and off, against the
//! expected status in one table. A route missing from the table fails the test, so a new route
//! cannot escape it. (`registry_matrix.rs` adds, for the registry writes, that a refused write
//! changes nothing.)

use std::collections::BTreeSet;
use std::time::Duration;

use ents_runtime::testing::TestApp;
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::common::callers::{Callers, EVERYONE, Who};
use crate::common::identity::client;
use crate::common::registry::{Auth, DASHBOARD, call, create_cell, create_tag, seeded};
use crate::ingest::support::power_bytes;

/// Who a route lets through, and what the others get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Rule {
    /// No caller is identified: everyone gets the same answer.
    Open,
    /// A read of one cell's data or metadata: anyone with public reads (but an ingest key),
    /// else its owner or members.
    CellRead,
    /// A listing filtered to what the caller may see: anyone with public reads (but an
    /// ingest key), else any identified caller.
    List,
    /// Tag names and descriptions: anyone but an ingest key, in both modes.
    NotIngest,
    /// The loggers: any identified caller (upstream's JWT-or-key), but an ingest key.
    LoggerList,
    /// A logger: any identified caller with public reads (but an ingest key), else its owner.
    LoggerRead,
    /// Any identified caller within the account scope (own profile, creating things).
    Caller,
    /// The cell's owner or a member.
    Member,
    /// The owner of the cell, tag or logger (or the user themself).
    Owner,
    /// The export's creator (others, anonymous included: 404, as if it did not exist).
    Creator,
    /// An access token only (API keys).
    Token,
    /// `logged_in`: any valid token or key.
    LoggedIn,
    /// The refresh cookie (from any origin: refreshing is not a cross-site write); without
    /// one, 403 `Invalid refresh token` as upstream.
    Cookie,
    /// A device upload: anonymous allowed; a key must belong to an owner or member.
    Upload,
    /// A SensorThings entity of one cell: anyone with public reads (but an ingest key), else
    /// its owner or members; the others get 404, as STA answers for an entity it does not show.
    StaEntity,
}

fn expected(who: Who, rule: Rule, public_read: bool, ok: u16) -> u16 {
    use Who::*;
    let anonymous = matches!(who, Anonymous | CookieForeignOrigin);
    let as_owner = matches!(who, Owner | OwnerKey | CookieAllowedOrigin);
    let stranger = matches!(who, Stranger | StrangerKey);
    match rule {
        Rule::Open => ok,
        Rule::LoggedIn => {
            if anonymous || who == CookieAllowedOrigin {
                401
            } else {
                ok
            }
        }
        Rule::Cookie => {
            if matches!(who, CookieAllowedOrigin | CookieForeignOrigin) {
                ok
            } else {
                403
            }
        }
        Rule::Token => {
            if matches!(who, Owner | Member | Stranger) {
                ok
            } else {
                403
            }
        }
        Rule::Upload => {
            if who == StrangerKey {
                403
            } else {
                ok
            }
        }
        _ if who == OwnerIngestKey => 403,
        Rule::NotIngest => ok,
        Rule::CellRead | Rule::List | Rule::StaEntity if public_read => ok,
        Rule::StaEntity => {
            if as_owner || who == Member {
                ok
            } else {
                404
            }
        }
        Rule::Creator => {
            if as_owner {
                ok
            } else {
                404
            }
        }
        _ if anonymous => 401,
        Rule::LoggerList => ok,
        Rule::LoggerRead if public_read => ok,
        Rule::Caller | Rule::List => ok,
        Rule::CellRead | Rule::Member => {
            if stranger {
                403
            } else {
                ok
            }
        }
        Rule::LoggerRead | Rule::Owner => {
            if as_owner {
                ok
            } else {
                403
            }
        }
    }
}

/// What one case works on. Routes that change something get a fresh one per case.
struct Fixture {
    owner: Uuid,
    owner_email: String,
    cell: i32,
    cell_name: String,
    assigned_tag: i32,
    free_tag: i32,
    member: Uuid,
    outsider: Uuid,
    outsider_email: String,
    logger: i64,
    logger_name: String,
    export: String,
    legacy_export: String,
    import: String,
    alert_rule: i64,
}

enum Body {
    Json(Value),
    Bytes(&'static str, Vec<u8>),
}

struct Route {
    method: Method,
    /// The OpenAPI path template.
    template: &'static str,
    rule: Rule,
    ok: u16,
    /// The concrete path (and query) and body of case `n`.
    request: fn(&Fixture, usize) -> (String, Option<Body>),
}

fn route(
    method: Method,
    template: &'static str,
    rule: Rule,
    ok: u16,
    request: fn(&Fixture, usize) -> (String, Option<Body>),
) -> Route {
    Route {
        method,
        template,
        rule,
        ok,
        request,
    }
}

fn at(path: impl Into<String>) -> (String, Option<Body>) {
    (path.into(), None)
}

fn with(path: impl Into<String>, body: Value) -> (String, Option<Body>) {
    (path.into(), Some(Body::Json(body)))
}

const RANGE: &str = "startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z";

/// Every documented route. Order matters only at the end: key management, then the session
/// routes (a refresh rotates the owner's cookie, a logout revokes it).
fn routes() -> Vec<Route> {
    use Method as M;
    use Rule::*;
    vec![
        route(M::GET, "/api/", Open, 200, |_, _| at("/api/")),
        route(M::GET, "/healthz", Open, 200, |_, _| at("/healthz")),
        route(M::GET, "/readyz", Open, 200, |_, _| at("/readyz")),
        // Google is not configured in the tests.
        route(M::GET, "/api/oauth/url", Open, 503, |_, _| {
            at("/api/oauth/url")
        }),
        route(M::GET, "/api/session", Open, 401, |_, _| at("/api/session")),
        route(M::POST, "/api/auth/register", Open, 201, |_, n| {
            with(
                "/api/auth/register",
                json!({"email": format!("new-{n}-{}@example.com", Uuid::new_v4().simple()),
                       "password": "correct horse battery"}),
            )
        }),
        route(M::POST, "/api/auth/login", Open, 201, |f, _| {
            with(
                "/api/auth/login",
                json!({"email": f.owner_email, "password": "correct horse battery"}),
            )
        }),
        // After the login: its failures count towards the client's sign-in limit.
        route(M::GET, "/api/auth/token", Open, 400, |_, _| {
            at("/api/auth/token")
        }),
        route(M::POST, "/api/equations/validate", Open, 200, |_, _| {
            with("/api/equations/validate", json!({"expression": "1:vwc"}))
        }),
        // The caller's account.
        route(M::GET, "/api/user", Caller, 200, |_, _| at("/api/user")),
        route(M::PUT, "/api/user", Caller, 200, |_, _| {
            with("/api/user", json!({"first_name": "Renamed"}))
        }),
        route(M::GET, "/api/users/{user_id}/cells", Owner, 200, |f, _| {
            at(format!("/api/users/{}/cells", f.owner))
        }),
        // Cells and their metadata.
        route(M::GET, "/api/cell/", List, 200, |_, _| at("/api/cell/")),
        route(M::GET, "/api/cell/id", List, 200, |_, _| at("/api/cell/id")),
        route(M::GET, "/api/cell/{cell_id}", CellRead, 200, |f, _| {
            at(format!("/api/cell/{}", f.cell))
        }),
        route(M::GET, "/api/cell/{cell_id}/tags", CellRead, 200, |f, _| {
            at(format!("/api/cell/{}/tags", f.cell))
        }),
        route(
            M::GET,
            "/api/cell/{cell_id}/sensors",
            CellRead,
            200,
            |f, _| at(format!("/api/cell/{}/sensors", f.cell)),
        ),
        route(M::GET, "/api/cell/{cell_id}/users", Member, 200, |f, _| {
            at(format!("/api/cell/{}/users", f.cell))
        }),
        route(M::GET, "/api/tags/{tag_id}/cells", List, 200, |f, _| {
            at(format!("/api/tags/{}/cells", f.assigned_tag))
        }),
        route(M::GET, "/api/tag/", NotIngest, 200, |_, _| at("/api/tag/")),
        route(M::GET, "/api/tag/{tag_id}", NotIngest, 200, |f, _| {
            at(format!("/api/tag/{}", f.assigned_tag))
        }),
        route(M::GET, "/api/logger/", LoggerList, 200, |_, _| {
            at("/api/logger/")
        }),
        route(
            M::GET,
            "/api/logger/{logger_id}",
            LoggerRead,
            200,
            |f, _| at(format!("/api/logger/{}", f.logger)),
        ),
        // A cell's data.
        route(M::GET, "/api/power/{cell_id}", CellRead, 200, |f, _| {
            at(format!("/api/power/{}?{RANGE}", f.cell))
        }),
        route(M::GET, "/api/power/", CellRead, 200, |f, _| {
            at(format!("/api/power/?cellId={}&{RANGE}", f.cell))
        }),
        route(M::GET, "/api/teros/{cell_id}", CellRead, 200, |f, _| {
            at(format!("/api/teros/{}?{RANGE}", f.cell))
        }),
        route(M::GET, "/api/teros/", CellRead, 200, |f, _| {
            at(format!("/api/teros/?cellId={}&{RANGE}", f.cell))
        }),
        route(M::GET, "/api/sensor/", CellRead, 200, |f, _| {
            at(format!(
                "/api/sensor/?cellId={}&name=bme280&measurement=pressure&{RANGE}",
                f.cell
            ))
        }),
        route(M::GET, "/api/sensor_json/", CellRead, 200, |f, _| {
            at(format!(
                "/api/sensor_json/?cellId={}&name=bme280&measurement=pressure&{RANGE}",
                f.cell
            ))
        }),
        route(M::GET, "/api/data-availability/", CellRead, 200, |f, _| {
            at(format!("/api/data-availability/?cell_ids={}", f.cell))
        }),
        route(M::GET, "/api/catalog/sensors", CellRead, 200, |f, _| {
            at(format!("/api/catalog/sensors?cell_id={}", f.cell))
        }),
        // Exports.
        route(M::POST, "/api/exports", CellRead, 202, |f, _| {
            with(
                "/api/exports",
                json!({"cell_ids": [f.cell], "start": "2024-01-01T00:00:00Z",
                       "end": "2024-01-02T00:00:00Z"}),
            )
        }),
        route(M::GET, "/api/exports/{id}", Creator, 200, |f, _| {
            at(format!("/api/exports/{}", f.export))
        }),
        route(
            M::GET,
            "/api/exports/{id}/download",
            Creator,
            200,
            |f, _| at(format!("/api/exports/{}/download", f.export)),
        ),
        route(M::GET, "/api/cell/datas", CellRead, 200, |f, _| {
            at(format!("/api/cell/datas?cellIds={}&{RANGE}", f.cell))
        }),
        // Imports (as any write on the cell).
        route(
            M::POST,
            "/api/cells/{cell_id}/imports",
            Member,
            202,
            |f, n| {
                (
                    format!("/api/cells/{}/imports", f.cell),
                    Some(Body::Bytes("text/csv", import_csv(n))),
                )
            },
        ),
        route(
            M::GET,
            "/api/cells/{cell_id}/imports/{import_id}",
            Member,
            200,
            |f, _| at(format!("/api/cells/{}/imports/{}", f.cell, f.import)),
        ),
        route(
            M::GET,
            "/api/cells/{cell_id}/imports/{import_id}/errors",
            Member,
            200,
            |f, _| at(format!("/api/cells/{}/imports/{}/errors", f.cell, f.import)),
        ),
        // Someone else's (or an unknown) id reads as pending, as upstream.
        route(M::GET, "/api/status/{id}", NotIngest, 200, |f, _| {
            at(format!("/api/status/{}", f.legacy_export))
        }),
        // Uploads.
        route(M::POST, "/api/sensor/", Upload, 200, |f, n| {
            let bytes = power_bytes(
                u32::try_from(f.cell).unwrap(),
                u32::try_from(f.logger).unwrap(),
                1_700_000_000 + u32::try_from(n).unwrap(),
                1.0,
                0.5,
            );
            (
                "/api/sensor/".into(),
                Some(Body::Bytes("application/octet-stream", bytes)),
            )
        }),
        route(M::POST, "/api/sensor_json/", Upload, 200, |f, n| {
            with(
                "/api/sensor_json/",
                json!({"type": "teros12", "cellId": f.cell, "ts": 1_700_000_000 + n,
                       "data": {"vwcRaw": 2500, "vwcAdj": 0.25, "temp": 21.5, "ec": 15}}),
            )
        }),
        route(M::POST, "/api/power/", Upload, 200, |f, n| {
            with(
                "/api/power/",
                json!({"logger": f.logger_name, "cell": f.cell_name, "ts": 1_700_000_000 + n,
                       "v": 1.0, "i": 0.5}),
            )
        }),
        route(M::POST, "/api/teros/", Upload, 200, |f, n| {
            with(
                "/api/teros/",
                json!({"cell": f.cell_name, "ts": 1_700_000_000 + n, "vwc": 0.25,
                       "raw_vwc": 2500, "temp": 21.5, "ec": 15, "water_pot": 1.0}),
            )
        }),
        // Registry writes.
        route(M::POST, "/api/cell/", Caller, 200, |_, n| {
            with("/api/cell/", json!({"name": format!("new-{n}")}))
        }),
        route(M::PUT, "/api/cell/{cell_id}", Member, 200, |f, _| {
            with(
                format!("/api/cell/{}", f.cell),
                json!({"archive": true, "lat": "12.5"}),
            )
        }),
        route(M::DELETE, "/api/cell/{cell_id}", Member, 200, |f, _| {
            at(format!("/api/cell/{}", f.cell))
        }),
        route(M::POST, "/api/cell/{cell_id}/tags", Member, 200, |f, _| {
            with(
                format!("/api/cell/{}/tags", f.cell),
                json!({"tag_ids": [f.free_tag]}),
            )
        }),
        route(
            M::PUT,
            "/api/cell/{cell_id}/tags/{tag_id}",
            Member,
            200,
            |f, _| at(format!("/api/cell/{}/tags/{}", f.cell, f.free_tag)),
        ),
        route(
            M::DELETE,
            "/api/cell/{cell_id}/tags/{tag_id}",
            Member,
            200,
            |f, _| at(format!("/api/cell/{}/tags/{}", f.cell, f.assigned_tag)),
        ),
        route(M::POST, "/api/cell/{cell_id}/users", Owner, 200, |f, _| {
            with(
                format!("/api/cell/{}/users", f.cell),
                json!({"user_ids": [f.outsider.to_string()]}),
            )
        }),
        route(
            M::PUT,
            "/api/cell/{cell_id}/users/{user_id}",
            Owner,
            200,
            |f, _| at(format!("/api/cell/{}/users/{}", f.cell, f.outsider)),
        ),
        route(
            M::DELETE,
            "/api/cell/{cell_id}/users/{user_id}",
            Owner,
            200,
            |f, _| at(format!("/api/cell/{}/users/{}", f.cell, f.member)),
        ),
        route(M::POST, "/api/cell/{cell_id}/share", Owner, 200, |f, _| {
            with(
                format!("/api/cell/{}/share", f.cell),
                json!({"email": f.outsider_email}),
            )
        }),
        route(M::POST, "/api/logger/", Caller, 201, |_, n| {
            with(
                "/api/logger/",
                json!({"name": format!("logger-new-{n}"), "type": "other"}),
            )
        }),
        route(M::PUT, "/api/logger/{logger_id}", Owner, 200, |f, n| {
            with(
                format!("/api/logger/{}", f.logger),
                json!({"description": format!("changed {n}")}),
            )
        }),
        route(M::DELETE, "/api/logger/{logger_id}", Owner, 200, |f, _| {
            at(format!("/api/logger/{}", f.logger))
        }),
        // Alerts: rules name members' addresses, so even reading needs a member.
        route(M::GET, "/api/alerts/rules", Caller, 200, |_, _| {
            at("/api/alerts/rules")
        }),
        route(M::POST, "/api/alerts/rules", Member, 201, |f, n| {
            with(
                "/api/alerts/rules",
                json!({"cell_id": f.cell, "name": format!("low {n}"), "kind": "threshold",
                       "series": "power.voltage", "direction": "below", "threshold": 3300}),
            )
        }),
        route(
            M::GET,
            "/api/alerts/rules/{rule_id}",
            Member,
            200,
            |f, _| at(format!("/api/alerts/rules/{}", f.alert_rule)),
        ),
        route(
            M::PUT,
            "/api/alerts/rules/{rule_id}",
            Member,
            200,
            |f, n| {
                with(
                    format!("/api/alerts/rules/{}", f.alert_rule),
                    json!({"cell_id": f.cell, "name": format!("renamed {n}"), "kind": "silence",
                       "silence_minutes": 60}),
                )
            },
        ),
        route(
            M::DELETE,
            "/api/alerts/rules/{rule_id}",
            Member,
            204,
            |f, _| at(format!("/api/alerts/rules/{}", f.alert_rule)),
        ),
        route(M::GET, "/api/alerts/events", Member, 200, |f, _| {
            at(format!("/api/alerts/events?cell_id={}", f.cell))
        }),
        route(M::POST, "/api/tag/", Caller, 201, |_, n| {
            with("/api/tag/", json!({"name": format!("tag-new-{n}")}))
        }),
        route(M::PUT, "/api/tag/{tag_id}", Owner, 200, |f, n| {
            with(
                format!("/api/tag/{}", f.free_tag),
                json!({"description": format!("changed {n}")}),
            )
        }),
        route(M::DELETE, "/api/tag/{tag_id}", Owner, 200, |f, _| {
            at(format!("/api/tag/{}", f.free_tag))
        }),
        // The SensorThings API (docs/sensorthings.md): lists are filtered, not refused.
        route(M::GET, "/sta/v1.1/", NotIngest, 200, |_, _| {
            at("/sta/v1.1/")
        }),
        route(M::GET, "/sta/v1.1/{entitySet}", NotIngest, 200, |_, _| {
            at("/sta/v1.1/Things")
        }),
        route(
            M::GET,
            "/sta/v1.1/{entitySet}({id})",
            StaEntity,
            200,
            |f, _| at(format!("/sta/v1.1/Things({})", f.cell)),
        ),
        route(
            M::GET,
            "/sta/v1.1/{entitySet}({id})/{property}",
            StaEntity,
            200,
            |f, _| at(format!("/sta/v1.1/Things({})/name", f.cell)),
        ),
        // API keys (the owner's own keys change here: after everything that uses them).
        route(M::GET, "/api/keys", Token, 200, |_, _| at("/api/keys")),
        route(M::POST, "/api/keys", Token, 201, |_, n| {
            with(
                "/api/keys",
                json!({"name": format!("matrix-{n}"), "scope": "ingest"}),
            )
        }),
        route(M::DELETE, "/api/keys/{id}", Token, 404, |_, _| {
            at(format!("/api/keys/{}", Uuid::new_v4()))
        }),
        route(M::GET, "/api/apikey/", Token, 200, |_, _| {
            at("/api/apikey/")
        }),
        route(M::POST, "/api/apikey/", Token, 201, |_, _| {
            at("/api/apikey/")
        }),
        route(M::DELETE, "/api/apikey/", Token, 200, |_, _| {
            at("/api/apikey/")
        }),
        // Sessions, last.
        route(M::GET, "/api/auth/logged_in", LoggedIn, 200, |_, _| {
            at("/api/auth/logged_in")
        }),
        route(M::GET, "/api/auth/refresh", Cookie, 201, |_, _| {
            at("/api/auth/refresh")
        }),
        route(M::GET, "/api/auth/logout", Open, 204, |_, _| {
            at("/api/auth/logout")
        }),
    ]
}

async fn fixture(app: &TestApp, callers: &Callers, n: usize) -> Fixture {
    let owner = Auth::Bearer(callers.owner.id);
    let cell_name = format!("cell-{n}");
    let cell = create_cell(app, &owner, &cell_name).await;
    let assigned_tag = create_tag(app, &owner, &format!("assigned-{n}")).await;
    let free_tag = create_tag(app, &owner, &format!("free-{n}")).await;
    let path = format!("/api/cell/{cell}/tags/{assigned_tag}");
    assert_eq!(call(app, &owner, Method::PUT, &path, None).await.0, 200);
    let share = json!({"email": callers.member_email});
    let path = format!("/api/cell/{cell}/share");
    let (status, body) = call(app, &owner, Method::POST, &path, Some(share)).await;
    assert_eq!(status, 200, "{body}");
    let (outsider, outsider_email) = seeded(app).await;
    let logger_name = format!("logger-{n}");
    let (status, created) = call(
        app,
        &owner,
        Method::POST,
        "/api/logger/",
        Some(json!({"name": logger_name, "type": "other"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let (status, rule) = call(
        app,
        &owner,
        Method::POST,
        "/api/alerts/rules",
        Some(json!({"cell_id": cell, "name": "silent", "kind": "silence", "silence_minutes": 30})),
    )
    .await;
    assert_eq!(status, 201, "{rule}");
    Fixture {
        owner: callers.owner.id,
        owner_email: callers.owner.email.clone(),
        cell,
        cell_name,
        assigned_tag,
        free_tag,
        member: callers.member,
        outsider,
        outsider_email,
        logger: created["logger_id"].as_i64().unwrap(),
        logger_name,
        export: String::new(),
        legacy_export: String::new(),
        import: String::new(),
        alert_rule: rule["rule"]["id"].as_i64().unwrap(),
    }
}

/// A one-row export CSV for case `n`.
fn import_csv(n: usize) -> Vec<u8> {
    format!(
        "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value\n\
         1,c,sensor,probe,level,m,2024-01-01T00:00:{:02}Z,{n}\n",
        n % 60
    )
    .into_bytes()
}

/// Exports (and an import) of the owner's cell, finished, for the routes that read them.
async fn with_exports(app: &TestApp, callers: &Callers, mut fixture: Fixture) -> Fixture {
    let owner = Auth::Bearer(callers.owner.id);
    let (status, created) = call(
        app,
        &owner,
        Method::POST,
        "/api/exports",
        Some(
            json!({"cell_ids": [fixture.cell], "start": "2024-01-01T00:00:00Z",
                    "end": "2024-01-02T00:00:00Z"}),
        ),
    )
    .await;
    assert_eq!(status, 202, "{created}");
    fixture.export = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/cell/datas?cellIds={}&{RANGE}", fixture.cell);
    let (status, legacy) = call(app, &owner, Method::GET, &path, None).await;
    assert_eq!(status, 200, "{legacy}");
    fixture.legacy_export = legacy["result_id"].as_str().unwrap().to_owned();
    for id in [&fixture.export, &fixture.legacy_export] {
        let path = format!("/api/exports/{id}");
        ents_test_support::wait_until("the export finishes", || async {
            call(app, &owner, Method::GET, &path, None).await.1["state"] == "succeeded"
        })
        .await;
    }
    let path = format!("/api/cells/{}/imports", fixture.cell);
    let body = Some(Body::Bytes("text/csv", import_csv(0)));
    let (status, created) = send(app, &owner, Method::POST, &path, body).await;
    assert_eq!(status, 202, "{created}");
    let created: Value = serde_json::from_str(&created).unwrap();
    fixture.import = created["id"].as_str().unwrap().to_owned();
    let path = format!("{path}/{}", fixture.import);
    ents_test_support::wait_until("the import finishes", || async {
        call(app, &owner, Method::GET, &path, None).await.1["state"] == "succeeded"
    })
    .await;
    fixture
}

async fn send(
    app: &TestApp,
    auth: &Auth,
    method: Method,
    path: &str,
    body: Option<Body>,
) -> (u16, String) {
    let mut request = auth
        .apply(client().request(method, app.url(path)))
        .timeout(Duration::from_secs(60));
    match body {
        Some(Body::Json(json)) => request = request.json(&json),
        Some(Body::Bytes(content_type, bytes)) => {
            request = request.header("content-type", content_type).body(bytes);
        }
        None => {}
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// The documented operations, as `METHOD template`.
async fn documented(app: &TestApp) -> BTreeSet<String> {
    let doc: Value = app.get("/api/openapi.json").await.json().await.unwrap();
    let mut operations = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                operations.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    operations
}

async fn run_matrix(public_read: bool) {
    let app = TestApp::spawn_with(|s| {
        s.http.cors_allowed_origins = vec![DASHBOARD.into()];
        s.access.public_read = public_read;
        // Every case comes from one IP: the brute-force limits are not under test here.
        s.auth.max_login_failures = 10_000;
        s.auth.max_credential_failures = 10_000;
    })
    .await;
    let table = routes();
    let covered: BTreeSet<String> = table
        .iter()
        .map(|r| format!("{} {}", r.method, r.template))
        .collect();
    let documented = documented(&app).await;
    let missing: Vec<&String> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the matrix: {missing:?}"
    );
    let unknown: Vec<&String> = covered.difference(&documented).collect();
    assert!(
        unknown.is_empty(),
        "routes in the matrix but not documented: {unknown:?}"
    );

    let callers = Callers::new(&app).await;
    let shared = with_exports(&app, &callers, fixture(&app, &callers, 0).await).await;
    let mut failures = Vec::new();
    let mut n = 0;
    for route in &table {
        for who in EVERYONE {
            n += 1;
            let fresh;
            let f = if route.method == Method::GET {
                &shared
            } else {
                fresh = fixture(&app, &callers, n).await;
                &fresh
            };
            let (path, body) = (route.request)(f, n);
            let auth = callers.auth(who);
            let (status, text) = send(&app, &auth, route.method.clone(), &path, body).await;
            let want = expected(who, route.rule, public_read, route.ok);
            if status != want {
                let text: String = text.chars().take(160).collect();
                failures.push(format!(
                    "{} {} as {who:?} (public_read={public_read}): {status} {text}, expected {want}",
                    route.method, route.template
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn every_route_against_every_caller_with_public_reads() {
    run_matrix(true).await;
}

#[tokio::test]
async fn every_route_against_every_caller_in_private_mode() {
    run_matrix(false).await;
}

/// The gateway's key cannot read its owner's account, data or exports (issue 11).
#[tokio::test]
async fn an_ingest_key_uploads_and_nothing_else() {
    let app = TestApp::spawn().await;
    let callers = Callers::new(&app).await;
    let f = fixture(&app, &callers, 1).await;
    let key = Auth::Key(callers.owner_ingest.clone());
    for path in [
        "/api/user".to_owned(),
        format!("/api/cell/datas?cellIds={}&{RANGE}", f.cell),
        format!("/api/power/{}", f.cell),
    ] {
        let (status, body) = call(&app, &key, Method::GET, &path, None).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["msg"], "This API key may only upload measurements");
    }
    let (status, _) = call(
        &app,
        &key,
        Method::POST,
        "/api/exports",
        Some(json!({"cell_ids": [f.cell]})),
    )
    .await;
    assert_eq!(status, 403);
    let upload = json!({"type": "teros12", "cellId": f.cell, "ts": 1_700_000_000,
                        "data": {"vwcRaw": 2500, "vwcAdj": 0.25, "temp": 21.5, "ec": 15}});
    let response = client()
        .post(app.url("/api/sensor_json/"))
        .header("x-api-key", &callers.owner_ingest)
        .json(&upload)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}
