//! `/api/alerts/…` (docs/alerts.md): the rules of a cell, managed by its owner and members,
//! and the history of alerts. Rules name members' e-mail addresses, so even reading them
//! needs an owner or member of the cell (the domain's `AlertService`).

use actix_web::{HttpResponse, delete, get, post, put, web};
use chrono::{DateTime, Utc};
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertEvent, AlertRule, Condition, CreatedRule, EventFilter, QuietHoursDraft, RULE_NOT_FOUND,
    RuleDraft, RuleId,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Authenticated;
use crate::error::ApiError;
use crate::state::AppState;

/// Quiet hours: local `HH:MM` times and the offset of local time from UTC.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct QuietHoursBody {
    start: String,
    end: String,
    #[serde(default)]
    utc_offset_minutes: Option<i32>,
}

/// A rule as sent (creation, or full replacement with `PUT`).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct RuleBody {
    cell_id: Option<i32>,
    /// Silence rules only: watch this logger's uploads to the cell.
    logger_id: Option<i32>,
    name: Option<String>,
    /// `silence` or `threshold`.
    kind: Option<String>,
    /// Silence: minutes without an upload (at least 5).
    silence_minutes: Option<i64>,
    /// Threshold: `power.voltage` (mV), `power.current` (µA), `power.power` (µW),
    /// `teros.vwc` (%), `teros.temp` (°C), `teros.ec` (µS/cm) or `sensor`.
    series: Option<String>,
    sensor_name: Option<String>,
    sensor_measurement: Option<String>,
    /// `below` or `above`.
    direction: Option<String>,
    threshold: Option<f64>,
    /// Fires once every value has been beyond the threshold this long (default 0).
    for_minutes: Option<i64>,
    /// Resolves only beyond `threshold ± clear_margin` on the good side (default 0)…
    clear_margin: Option<f64>,
    /// …for this long (default 0: the latest value).
    clear_minutes: Option<i64>,
    /// `info`, `warning` (default) or `critical`.
    severity: Option<String>,
    quiet_hours: Option<QuietHoursBody>,
    /// Owners' or members' addresses of the cell.
    emails: Option<Vec<String>>,
    webhook_url: Option<String>,
    reminder_hours: Option<i64>,
    enabled: Option<bool>,
}

impl From<RuleBody> for RuleDraft {
    fn from(b: RuleBody) -> Self {
        Self {
            cell_id: b.cell_id,
            logger_id: b.logger_id,
            name: b.name,
            kind: b.kind,
            silence_minutes: b.silence_minutes,
            series: b.series,
            sensor_name: b.sensor_name,
            sensor_measurement: b.sensor_measurement,
            direction: b.direction,
            threshold: b.threshold,
            for_minutes: b.for_minutes,
            clear_margin: b.clear_margin,
            clear_minutes: b.clear_minutes,
            severity: b.severity,
            quiet_hours: b.quiet_hours.map(|q| QuietHoursDraft {
                start: q.start,
                end: q.end,
                utc_offset_minutes: q.utc_offset_minutes,
            }),
            emails: b.emails.unwrap_or_default(),
            webhook_url: b.webhook_url,
            reminder_hours: b.reminder_hours,
            enabled: b.enabled,
        }
    }
}

/// A stored rule (never its webhook secret).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RuleJson {
    id: i64,
    cell_id: i32,
    logger_id: Option<i32>,
    name: String,
    kind: &'static str,
    silence_minutes: Option<u32>,
    series: Option<&'static str>,
    sensor_name: Option<String>,
    sensor_measurement: Option<String>,
    direction: Option<&'static str>,
    threshold: Option<f64>,
    for_minutes: Option<u32>,
    clear_margin: Option<f64>,
    clear_minutes: Option<u32>,
    severity: &'static str,
    quiet_hours: Option<QuietHoursBody>,
    emails: Vec<String>,
    webhook_url: Option<String>,
    reminder_hours: Option<u32>,
    enabled: bool,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl From<AlertRule> for RuleJson {
    fn from(rule: AlertRule) -> Self {
        let s = rule.spec;
        let mut json = Self {
            id: rule.id.0,
            cell_id: s.cell_id,
            logger_id: s.logger_id,
            name: s.name,
            kind: s.condition.kind(),
            silence_minutes: None,
            series: None,
            sensor_name: None,
            sensor_measurement: None,
            direction: None,
            threshold: None,
            for_minutes: None,
            clear_margin: None,
            clear_minutes: None,
            severity: s.severity.as_str(),
            quiet_hours: s.quiet_hours.map(|q| QuietHoursBody {
                start: q.start.format("%H:%M").to_string(),
                end: q.end.format("%H:%M").to_string(),
                utc_offset_minutes: Some(q.utc_offset_minutes),
            }),
            emails: s.recipients.emails,
            webhook_url: s.recipients.webhook_url,
            reminder_hours: s.reminder_hours,
            enabled: s.enabled,
            created_at: rule.created_at,
            updated_at: rule.updated_at,
        };
        match s.condition {
            Condition::Silence { minutes } => json.silence_minutes = Some(minutes),
            Condition::Threshold {
                series,
                direction,
                value,
                for_minutes,
                clear_margin,
                clear_minutes,
            } => {
                json.series = Some(series.kind_name());
                if let ents_domain::alerts::SeriesRef::Sensor { name, measurement } = series {
                    json.sensor_name = Some(name);
                    json.sensor_measurement = Some(measurement);
                }
                json.direction = Some(direction.as_str());
                json.threshold = Some(value);
                json.for_minutes = Some(for_minutes);
                json.clear_margin = Some(clear_margin);
                json.clear_minutes = Some(clear_minutes);
            }
        }
        json
    }
}

/// A created (or updated) rule, with its webhook secret when one was just made: shown
/// this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CreatedJson {
    rule: RuleJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    webhook_secret: Option<String>,
}

impl From<CreatedRule> for CreatedJson {
    fn from(created: CreatedRule) -> Self {
        Self {
            rule: created.rule.into(),
            webhook_secret: created.webhook_secret,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EventJson {
    id: i64,
    rule_id: i64,
    rule_name: String,
    cell_id: i32,
    severity: &'static str,
    fired_at: DateTime<Utc>,
    fired_value: Option<f64>,
    resolved_at: Option<DateTime<Utc>>,
    resolved_value: Option<f64>,
}

impl From<AlertEvent> for EventJson {
    fn from(e: AlertEvent) -> Self {
        Self {
            id: e.id.0,
            rule_id: e.rule_id.0,
            rule_name: e.rule_name,
            cell_id: e.cell_id,
            severity: e.severity.as_str(),
            fired_at: e.fired_at,
            fired_value: e.fired_value,
            resolved_at: e.resolved_at,
            resolved_value: e.resolved_value,
        }
    }
}

fn rule_id(raw: &str) -> Result<RuleId, ApiError> {
    raw.parse::<i64>()
        .map(RuleId)
        .map_err(|_| DomainError::NotFound(RULE_NOT_FOUND.to_owned()).into())
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct RulesQuery {
    /// Only this cell's rules (its owner or members); default: every cell of the caller.
    cell_id: Option<i32>,
}

/// The rules of a cell, or of every cell the caller owns or is a member of.
#[utoipa::path(
    tag = "alerts",
    params(RulesQuery),
    responses(
        (status = 200, body = [RuleJson]),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not an owner or member of the cell; an ingest key"),
        (status = 404, description = "`Cell not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/alerts/rules")]
pub(crate) async fn list_rules(
    state: web::Data<AppState>,
    caller: Authenticated,
    query: web::Query<RulesQuery>,
) -> Result<HttpResponse, ApiError> {
    let rules = state.alerts.list(Some(&caller.0), query.cell_id).await?;
    let json: Vec<RuleJson> = rules.into_iter().map(RuleJson::from).collect();
    Ok(HttpResponse::Ok().json(json))
}

/// Creates a rule on a cell the caller owns or is a member of. Every bad field is named.
#[utoipa::path(
    tag = "alerts",
    request_body = RuleBody,
    responses(
        (status = 201, body = CreatedJson, description = "The rule; `webhook_secret` is shown this once"),
        (status = 400, description = "`{\"message\": \"Invalid input\", \"errors\": {field: [problem]}}`"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not an owner or member of the cell; an ingest key"),
        (status = 404, description = "`Cell not found`, `Logger not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[post("/alerts/rules")]
pub(crate) async fn create_rule(
    state: web::Data<AppState>,
    caller: Authenticated,
    body: web::Json<RuleBody>,
) -> Result<HttpResponse, ApiError> {
    let created = state
        .alerts
        .create(Some(&caller.0), body.into_inner().into())
        .await?;
    Ok(HttpResponse::Created().json(CreatedJson::from(created)))
}

/// One rule (its cell's owner or members; anyone else is told it does not exist).
#[utoipa::path(
    tag = "alerts",
    params(("rule_id" = i64, Path)),
    responses(
        (status = 200, body = RuleJson),
        (status = 401, description = "No credentials"),
        (status = 404, description = "`Alert rule not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/alerts/rules/{rule_id}")]
pub(crate) async fn get_rule(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let rule = state.alerts.get(Some(&caller.0), rule_id(&path)?).await?;
    Ok(HttpResponse::Ok().json(RuleJson::from(rule)))
}

/// Replaces a rule's settings (state and history are kept). A rule that gains a webhook
/// gets a secret, answered this once.
#[utoipa::path(
    tag = "alerts",
    params(("rule_id" = i64, Path)),
    request_body = RuleBody,
    responses(
        (status = 200, body = CreatedJson),
        (status = 400, description = "Invalid fields, each named"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not an owner or member of the target cell"),
        (status = 404, description = "`Alert rule not found`, `Cell not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[put("/alerts/rules/{rule_id}")]
pub(crate) async fn update_rule(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
    body: web::Json<RuleBody>,
) -> Result<HttpResponse, ApiError> {
    let updated = state
        .alerts
        .update(Some(&caller.0), rule_id(&path)?, body.into_inner().into())
        .await?;
    Ok(HttpResponse::Ok().json(CreatedJson::from(updated)))
}

/// Deletes a rule with its history.
#[utoipa::path(
    tag = "alerts",
    params(("rule_id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "No credentials"),
        (status = 403, description = "May not write on the cell"),
        (status = 404, description = "`Alert rule not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[delete("/alerts/rules/{rule_id}")]
pub(crate) async fn delete_rule(
    state: web::Data<AppState>,
    caller: Authenticated,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    state
        .alerts
        .delete(Some(&caller.0), rule_id(&path)?)
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
pub(crate) struct EventsQuery {
    /// Only this cell's alerts (its owner or members); default: every cell of the caller.
    cell_id: Option<i32>,
    rule_id: Option<i64>,
    /// Alerts still firing at or after this instant (RFC 3339).
    from: Option<DateTime<Utc>>,
    /// Alerts fired before this instant (RFC 3339).
    to: Option<DateTime<Utc>>,
    /// At most this many, newest first (default 100, at most 1000).
    limit: Option<i64>,
}

/// The history: when each alert fired and resolved, and the values, newest first.
#[utoipa::path(
    tag = "alerts",
    params(EventsQuery),
    responses(
        (status = 200, body = [EventJson]),
        (status = 401, description = "No credentials"),
        (status = 403, description = "Not an owner or member of the cell; an ingest key"),
        (status = 404, description = "`Cell not found`")
    ),
    security(("bearer" = []), ("api_key" = []), ("cookie" = []))
)]
#[get("/alerts/events")]
pub(crate) async fn list_events(
    state: web::Data<AppState>,
    caller: Authenticated,
    query: web::Query<EventsQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let events = state
        .alerts
        .events(
            Some(&caller.0),
            EventFilter {
                cell_id: q.cell_id,
                rule_id: q.rule_id.map(RuleId),
                member: None,
                from: q.from,
                to: q.to,
                limit: q.limit.unwrap_or(0),
            },
        )
        .await?;
    let json: Vec<EventJson> = events.into_iter().map(EventJson::from).collect();
    Ok(HttpResponse::Ok().json(json))
}
