//! [`AlertStateStore`]: claiming due rules once per tick, and saving what they became.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use diesel::sql_types::{BigInt, Double, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::alerts::{AlertEvent, AlertStateStore, ClaimedRule, EventChange, Step};

use super::PgAlertRepository;
use super::rows::{ClaimRow, EVENT_COLUMNS, EventRow, RULE_COLUMNS, state_from};

/// Locks up to `$3` due rules, skipping those another evaluator holds, and moves them to
/// the next tick in the same statement: once this commits, no evaluator sees them as due
/// until `$2`. A rule whose evaluation is in flight elsewhere is locked only for the
/// instant of that claim, so the two never take it for the same tick.
fn claim_sql() -> String {
    format!(
        "WITH due AS ( \
            SELECT id FROM alert_rule \
             WHERE enabled AND next_eval_at <= $1 \
             ORDER BY next_eval_at, id LIMIT $3 \
             FOR UPDATE SKIP LOCKED) \
         UPDATE alert_rule r SET next_eval_at = $2, claim = r.claim + 1 \
           FROM due, cell c \
          WHERE r.id = due.id AND c.id = r.cell_id \
         RETURNING {RULE_COLUMNS}, c.name AS cell_name, r.state, r.claim"
    )
}

#[derive(diesel::QueryableByName)]
struct Saved {
    #[diesel(sql_type = Nullable<BigInt>)]
    last_event_id: Option<i64>,
}

#[async_trait]
impl AlertStateStore for PgAlertRepository {
    async fn claim_due(
        &self,
        now: DateTime<Utc>,
        next_at: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<ClaimedRule>, DomainError> {
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(claim_sql())
                    .bind::<Timestamptz, _>(now)
                    .bind::<Timestamptz, _>(next_at)
                    .bind::<BigInt, _>(limit)
                    .load::<ClaimRow>(conn)
                    .await?)
            })
            .await?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let rule_id = row.rule.id;
            let decoded = state_from(row.state).and_then(|state| {
                Ok(ClaimedRule {
                    state,
                    cell_name: row.cell_name,
                    claim: row.claim,
                    rule: row.rule.try_into()?,
                })
            });
            match decoded {
                Ok(rule) => claimed.push(rule),
                // One unreadable row must not silence every other rule of the tick: it is
                // skipped (and reported at every tick) until it is repaired or deleted.
                Err(error) => tracing::error!(rule_id, %error, "alert rule skipped"),
            }
        }
        claimed.sort_by_key(|c| c.rule.id);
        Ok(claimed)
    }

    async fn save(
        &self,
        claimed: &ClaimedRule,
        step: &Step,
    ) -> Result<Option<AlertEvent>, DomainError> {
        let state = serde_json::to_value(&step.state).map_err(DomainError::internal)?;
        let status = step.state.status.as_str();
        let rule_id = claimed.rule.id.0;
        let claim = claimed.claim;
        let change = step.event;
        self.db
            .transaction(async |conn| {
                let saved = diesel::sql_query(
                    "UPDATE alert_rule SET state = $3, status = $4 \
                     WHERE id = $1 AND claim = $2 RETURNING last_event_id",
                )
                .bind::<BigInt, _>(rule_id)
                .bind::<BigInt, _>(claim)
                .bind::<Jsonb, _>(&state)
                .bind::<Text, _>(status)
                .get_result::<Saved>(conn)
                .await
                .optional()?;
                let Some(saved) = saved else {
                    return Ok(None);
                };
                let event = match change {
                    Some(EventChange::Opened { at, value }) => {
                        let event = diesel::sql_query(format!(
                            "INSERT INTO alert_event AS e (rule_id, cell_id, rule_name, severity, \
                                fired_at, fired_value) \
                             SELECT id, cell_id, name, spec->>'severity', $2, $3 \
                               FROM alert_rule WHERE id = $1 \
                             RETURNING {EVENT_COLUMNS}"
                        ))
                        .bind::<BigInt, _>(rule_id)
                        .bind::<Timestamptz, _>(at)
                        .bind::<Nullable<Double>, _>(value)
                        .get_result::<EventRow>(conn)
                        .await?;
                        diesel::sql_query("UPDATE alert_rule SET last_event_id = $2 WHERE id = $1")
                            .bind::<BigInt, _>(rule_id)
                            .bind::<BigInt, _>(event.id)
                            .execute(conn)
                            .await?;
                        Some(event)
                    }
                    Some(EventChange::Closed { at, value }) => diesel::sql_query(format!(
                        "UPDATE alert_event e SET resolved_at = $2, resolved_value = $3 \
                         WHERE e.id = $1 AND e.resolved_at IS NULL RETURNING {EVENT_COLUMNS}"
                    ))
                    .bind::<Nullable<BigInt>, _>(saved.last_event_id)
                    .bind::<Timestamptz, _>(at)
                    .bind::<Nullable<Double>, _>(value)
                    .get_result::<EventRow>(conn)
                    .await
                    .optional()?,
                    None => diesel::sql_query(format!(
                        "SELECT {EVENT_COLUMNS} FROM alert_event e WHERE e.id = $1"
                    ))
                    .bind::<Nullable<BigInt>, _>(saved.last_event_id)
                    .get_result::<EventRow>(conn)
                    .await
                    .optional()?,
                };
                Ok(event.map(AlertEvent::from))
            })
            .await
    }
}
