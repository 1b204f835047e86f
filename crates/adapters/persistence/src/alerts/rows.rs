//! The rows of the alert tables, and their conversion to domain values.

use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{
    BigInt, Double, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use ents_domain::DomainError;
use ents_domain::alerts::{AlertEvent, AlertRule, EventId, RuleId, RuleSpec, RuleState, Severity};
use ents_domain::users::UserId;
use uuid::Uuid;

/// The columns every rule query selects.
pub(crate) const RULE_COLUMNS: &str =
    "r.id, r.cell_id, r.logger_id, r.spec, r.enabled, r.created_by, r.created_at, r.updated_at";

#[derive(QueryableByName)]
pub(crate) struct RuleRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = Integer)]
    pub cell_id: i32,
    #[diesel(sql_type = Nullable<Integer>)]
    pub logger_id: Option<i32>,
    #[diesel(sql_type = Jsonb)]
    pub spec: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Bool)]
    pub enabled: bool,
    #[diesel(sql_type = SqlUuid)]
    pub created_by: Uuid,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Timestamptz)]
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<RuleRow> for AlertRule {
    type Error = DomainError;

    fn try_from(row: RuleRow) -> Result<Self, DomainError> {
        let mut spec: RuleSpec = serde_json::from_value(row.spec).map_err(|e| {
            DomainError::internal(format!("alert rule {} has an unreadable spec: {e}", row.id))
        })?;
        // The columns are the truth for what SQL filters on.
        spec.cell_id = row.cell_id;
        spec.logger_id = row.logger_id;
        spec.enabled = row.enabled;
        Ok(Self {
            id: RuleId(row.id),
            spec,
            created_by: UserId(row.created_by),
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// A claimed rule: its row, its cell's name and its state.
#[derive(QueryableByName)]
pub(crate) struct ClaimRow {
    #[diesel(embed)]
    pub rule: RuleRow,
    #[diesel(sql_type = Text)]
    pub cell_name: String,
    #[diesel(sql_type = Jsonb)]
    pub state: serde_json::Value,
    #[diesel(sql_type = BigInt)]
    pub claim: i64,
}

/// The state as stored; `{}` (a rule never evaluated) is the default.
pub(crate) fn state_from(value: serde_json::Value) -> Result<RuleState, DomainError> {
    if value.as_object().is_some_and(serde_json::Map::is_empty) {
        return Ok(RuleState::default());
    }
    serde_json::from_value(value).map_err(DomainError::internal)
}

pub(crate) const EVENT_COLUMNS: &str = "e.id, e.rule_id, e.rule_name, e.cell_id, e.severity, \
    e.fired_at, e.fired_value, e.resolved_at, e.resolved_value";

#[derive(QueryableByName)]
pub(crate) struct EventRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub rule_id: i64,
    #[diesel(sql_type = Text)]
    pub rule_name: String,
    #[diesel(sql_type = Integer)]
    pub cell_id: i32,
    #[diesel(sql_type = Text)]
    pub severity: String,
    #[diesel(sql_type = Timestamptz)]
    pub fired_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Double>)]
    pub fired_value: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub resolved_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Double>)]
    pub resolved_value: Option<f64>,
}

impl From<EventRow> for AlertEvent {
    fn from(row: EventRow) -> Self {
        Self {
            id: EventId(row.id),
            rule_id: RuleId(row.rule_id),
            rule_name: row.rule_name,
            cell_id: row.cell_id,
            severity: Severity::parse(&row.severity).unwrap_or(Severity::Warning),
            fired_at: row.fired_at,
            fired_value: row.fired_value,
            resolved_at: row.resolved_at,
            resolved_value: row.resolved_value,
        }
    }
}
