//! A read-only OGC SensorThings API v1.1 under a configurable prefix (`sta.prefix`,
//! docs/sensorthings.md). One catch-all route: STA paths (`Things(1)/Datastreams`) are not
//! route patterns, so `path` parses them; every error answers in STA's shape
//! (`ApiError::Sta`).

pub(crate) mod doc;
mod path;
mod render;
mod root;

use actix_web::{HttpRequest, HttpResponse, web};
use ents_domain::DomainError;
use ents_domain::sta::{DEFAULT_TOP, Entity, NextPage, QueryOptions, View};
use serde_json::{Map, Value, json};

use self::path::Resource;
use crate::auth::MaybeCaller;
use crate::error::ApiError;
use crate::state::AppState;

/// Mounts the API under `prefix` (e.g. `/sta/v1.1`).
pub(crate) fn configure(prefix: String) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::scope(&prefix).service(web::resource("{tail:.*}").route(web::get().to(handle))),
        );
    }
}

/// `scheme://host/prefix`, what every link starts with.
fn base_url(req: &HttpRequest) -> String {
    let info = req.connection_info();
    let path = req.path();
    let tail = req.match_info().query("tail");
    let prefix = path
        .strip_suffix(tail)
        .unwrap_or(path)
        .trim_end_matches('/');
    format!("{}://{}{prefix}", info.scheme(), info.host())
}

async fn handle(
    req: HttpRequest,
    state: web::Data<AppState>,
    caller: MaybeCaller,
) -> Result<HttpResponse, ApiError> {
    answer(&req, &state, caller).await.map_err(ApiError::Sta)
}

fn query_pairs(req: &HttpRequest) -> Result<Vec<(String, String)>, DomainError> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(req.query_string())
        .map_err(|e| DomainError::BadRequest(format!("Invalid query string: {e}")))
}

async fn answer(
    req: &HttpRequest,
    state: &AppState,
    caller: MaybeCaller,
) -> Result<HttpResponse, DomainError> {
    let base = base_url(req);
    let resource = path::parse(req.match_info().query("tail"))?;
    if resource == Resource::Root {
        return Ok(HttpResponse::Ok().json(root::document(&base)));
    }
    let pairs = query_pairs(req)?;
    let view = state.sta.view(caller.0.as_ref()).await?;
    let body = match resource {
        Resource::Root => root::document(&base),
        Resource::Collection(set) => {
            let options = QueryOptions::parse(&pairs, set)?;
            let page = view.collection(set, None, &options).await?;
            collection(&view, &base, req, &pairs, page, &options).await?
        }
        Resource::Entity(set, id) => {
            let options = QueryOptions::parse(&pairs, set)?;
            let e = view.entity(set, id).await?;
            Value::Object(expanded(&view, &base, &e, &options).await?)
        }
        Resource::Related {
            set,
            id,
            target,
            many,
        } => {
            let options = QueryOptions::parse(&pairs, target)?;
            let from = view.entity(set, id).await?;
            if many {
                let page = view.collection(target, Some(&from), &options).await?;
                collection(&view, &base, req, &pairs, page, &options).await?
            } else {
                let e = view.single(&from, target)?;
                Value::Object(expanded(&view, &base, &e, &options).await?)
            }
        }
        Resource::Property { set, id, name, raw } => {
            let e = view.entity(set, id).await?;
            let value = render::property(&base, &e, &name).unwrap_or(Value::Null);
            if raw {
                let text = match value {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                return Ok(HttpResponse::Ok().content_type("text/plain").body(text));
            }
            json!({ name: value })
        }
    };
    Ok(HttpResponse::Ok().json(body))
}

/// The entity with `$select` applied and each `$expand`ed navigation property inline (a
/// collection's first page, with its own nextLink).
async fn expanded(
    view: &View,
    base: &str,
    e: &Entity,
    options: &QueryOptions,
) -> Result<Map<String, Value>, DomainError> {
    let mut out = render::entity(base, e, options.select.as_deref());
    for expand in &options.expand {
        if expand.many {
            let inner = QueryOptions::default();
            let page = view.collection(expand.target, Some(e), &inner).await?;
            let values: Vec<Value> = page
                .entities
                .iter()
                .map(|x| Value::Object(render::entity(base, x, None)))
                .collect();
            if let Some(next) = &page.next {
                let link = format!(
                    "{}/{}?{}",
                    render::self_link(base, e.set(), e.id()),
                    expand.name,
                    next_query(&[], next)
                );
                out.insert(format!("{}@iot.nextLink", expand.name), json!(link));
            }
            out.insert(expand.name.clone(), Value::Array(values));
        } else {
            let value = view
                .single(e, expand.target)
                .map(|x| Value::Object(render::entity(base, &x, None)))
                .unwrap_or(Value::Null);
            out.insert(expand.name.clone(), value);
        }
    }
    Ok(out)
}

/// The query of the next page: the request's options, with `$skip`/`$skiptoken` replaced.
fn next_query(pairs: &[(String, String)], next: &NextPage) -> String {
    let mut kept: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| k != "$skip" && k != "$skiptoken")
        .cloned()
        .collect();
    if !kept.iter().any(|(k, _)| k == "$top") {
        kept.push(("$top".into(), DEFAULT_TOP.to_string()));
    }
    match next {
        NextPage::Skip(n) => kept.push(("$skip".into(), n.to_string())),
        NextPage::Token(t) => kept.push(("$skiptoken".into(), t.clone())),
    }
    // Encoding a list of string pairs cannot fail.
    serde_urlencoded::to_string(&kept).unwrap_or_default()
}

async fn collection(
    view: &View,
    base: &str,
    req: &HttpRequest,
    pairs: &[(String, String)],
    page: ents_domain::sta::Page,
    options: &QueryOptions,
) -> Result<Value, DomainError> {
    let mut out = Map::new();
    if let Some(count) = page.count {
        out.insert("@iot.count".into(), json!(count));
    }
    let mut values = Vec::with_capacity(page.entities.len());
    for e in &page.entities {
        values.push(Value::Object(expanded(view, base, e, options).await?));
    }
    out.insert("value".into(), Value::Array(values));
    if let Some(next) = &page.next {
        let info = req.connection_info();
        let link = format!(
            "{}://{}{}?{}",
            info.scheme(),
            info.host(),
            req.path(),
            next_query(pairs, next)
        );
        out.insert("@iot.nextLink".into(), json!(link));
    }
    Ok(Value::Object(out))
}
