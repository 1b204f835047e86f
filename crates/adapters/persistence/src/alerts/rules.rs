//! [`AlertRuleRepository`] and the webhook delivery log.

use async_trait::async_trait;
use diesel::OptionalExtension;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel::sql_types::{
    BigInt, Bool, Integer, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::alerts::{
    AlertRule, AlertRuleRepository, RULE_NOT_FOUND, RuleFilter, RuleId, RuleSpec, WebhookAttempt,
    WebhookDeliveryLog,
};
use ents_domain::users::UserId;

use super::PgAlertRepository;
use super::rows::{RULE_COLUMNS, RuleRow};
use crate::error::StoreError;

fn not_found() -> DomainError {
    DomainError::NotFound(RULE_NOT_FOUND.to_owned())
}

fn spec_json(spec: &RuleSpec) -> Result<serde_json::Value, DomainError> {
    serde_json::to_value(spec).map_err(DomainError::internal)
}

/// A foreign key names an unknown cell or logger (the service checked the cell already, so
/// it is the logger, or a cell deleted meanwhile).
fn missing_reference(error: DieselError) -> StoreError {
    match error {
        DieselError::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, info) => {
            let message = if info.constraint_name() == Some("alert_rule_logger_id_fkey") {
                "Logger not found"
            } else {
                "Cell not found"
            };
            StoreError::Domain(DomainError::NotFound(message.to_owned()))
        }
        other => StoreError::Query(other),
    }
}

#[async_trait]
impl AlertRuleRepository for PgAlertRepository {
    async fn create(
        &self,
        spec: RuleSpec,
        created_by: UserId,
        webhook_secret: Option<String>,
    ) -> Result<AlertRule, DomainError> {
        let json = spec_json(&spec)?;
        let row = self
            .db
            .with_conn(async |conn| {
                diesel::sql_query(format!(
                    "INSERT INTO alert_rule AS r (cell_id, logger_id, name, spec, enabled, \
                        webhook_secret, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                     RETURNING {RULE_COLUMNS}"
                ))
                .bind::<Integer, _>(spec.cell_id)
                .bind::<Nullable<Integer>, _>(spec.logger_id)
                .bind::<Text, _>(&spec.name)
                .bind::<Jsonb, _>(&json)
                .bind::<Bool, _>(spec.enabled)
                .bind::<Nullable<Text>, _>(webhook_secret.as_deref())
                .bind::<SqlUuid, _>(created_by.0)
                .get_result::<RuleRow>(conn)
                .await
                .map_err(missing_reference)
            })
            .await?;
        row.try_into()
    }

    async fn get(&self, id: RuleId) -> Result<AlertRule, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(format!(
                    "SELECT {RULE_COLUMNS} FROM alert_rule r WHERE r.id = $1"
                ))
                .bind::<BigInt, _>(id.0)
                .get_result::<RuleRow>(conn)
                .await
                .optional()?)
            })
            .await?;
        row.ok_or_else(not_found)?.try_into()
    }

    async fn list(&self, filter: RuleFilter) -> Result<Vec<AlertRule>, DomainError> {
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(format!(
                    "SELECT {RULE_COLUMNS} FROM alert_rule r \
                     WHERE ($1::integer IS NULL OR r.cell_id = $1) \
                       AND ($2::uuid IS NULL \
                            OR r.cell_id IN (SELECT cell_id FROM cell_user WHERE user_id = $2) \
                            OR r.cell_id IN (SELECT id FROM cell WHERE user_id = $2)) \
                     ORDER BY r.id"
                ))
                .bind::<Nullable<Integer>, _>(filter.cell_id)
                .bind::<Nullable<SqlUuid>, _>(filter.member.map(|u| u.0))
                .load::<RuleRow>(conn)
                .await?)
            })
            .await?;
        rows.into_iter().map(TryInto::try_into).collect()
    }

    async fn update(
        &self,
        id: RuleId,
        spec: RuleSpec,
        webhook_secret: Option<String>,
    ) -> Result<AlertRule, DomainError> {
        let json = spec_json(&spec)?;
        let has_webhook = spec.recipients.webhook_url.is_some();
        // `claim + 1` makes an evaluation in flight stale: it read the old settings.
        let row = self
            .db
            .with_conn(async |conn| {
                diesel::sql_query(format!(
                    "UPDATE alert_rule r SET cell_id = $2, logger_id = $3, name = $4, spec = $5, \
                        enabled = $6, \
                        webhook_secret = CASE WHEN NOT $8 THEN NULL ELSE coalesce($7, webhook_secret) END, \
                        updated_at = now(), claim = claim + 1 \
                     WHERE r.id = $1 RETURNING {RULE_COLUMNS}"
                ))
                .bind::<BigInt, _>(id.0)
                .bind::<Integer, _>(spec.cell_id)
                .bind::<Nullable<Integer>, _>(spec.logger_id)
                .bind::<Text, _>(&spec.name)
                .bind::<Jsonb, _>(&json)
                .bind::<Bool, _>(spec.enabled)
                .bind::<Nullable<Text>, _>(webhook_secret.as_deref())
                .bind::<Bool, _>(has_webhook)
                .get_result::<RuleRow>(conn)
                .await
                .optional()
                .map_err(missing_reference)
            })
            .await?;
        row.ok_or_else(not_found)?.try_into()
    }

    async fn delete(&self, id: RuleId) -> Result<(), DomainError> {
        let deleted = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query("DELETE FROM alert_rule WHERE id = $1")
                    .bind::<BigInt, _>(id.0)
                    .execute(conn)
                    .await?)
            })
            .await?;
        if deleted == 0 {
            return Err(not_found());
        }
        Ok(())
    }

    async fn webhook_secret(&self, id: RuleId) -> Result<Option<String>, DomainError> {
        #[derive(diesel::QueryableByName)]
        struct SecretRow {
            #[diesel(sql_type = Nullable<Text>)]
            webhook_secret: Option<String>,
        }
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(
                    diesel::sql_query("SELECT webhook_secret FROM alert_rule WHERE id = $1")
                        .bind::<BigInt, _>(id.0)
                        .get_result::<SecretRow>(conn)
                        .await
                        .optional()?,
                )
            })
            .await?;
        Ok(row.ok_or_else(not_found)?.webhook_secret)
    }
}

#[async_trait]
impl WebhookDeliveryLog for PgAlertRepository {
    async fn record(&self, attempt: &WebhookAttempt) -> Result<(), DomainError> {
        self.db
            .with_conn(async |conn| {
                diesel::sql_query(
                    "INSERT INTO alert_webhook_delivery \
                        (rule_id, delivery_id, url, attempted_at, status, elapsed_ms, error) \
                     SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS \
                        (SELECT 1 FROM alert_rule WHERE id = $1)",
                )
                .bind::<BigInt, _>(attempt.rule_id.0)
                .bind::<Text, _>(&attempt.delivery_id)
                .bind::<Text, _>(&attempt.url)
                .bind::<Timestamptz, _>(attempt.attempted_at)
                .bind::<Nullable<Integer>, _>(attempt.status.map(i32::from))
                .bind::<Nullable<BigInt>, _>(
                    attempt
                        .elapsed_ms
                        .map(|ms| i64::try_from(ms).unwrap_or(i64::MAX)),
                )
                .bind::<Nullable<Text>, _>(attempt.error.as_deref())
                .execute(conn)
                .await?;
                Ok(())
            })
            .await
    }
}
