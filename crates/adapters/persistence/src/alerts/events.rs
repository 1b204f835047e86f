//! [`AlertEventRepository`]: the history, newest first.

use async_trait::async_trait;
use diesel::sql_types::{BigInt, Integer, Nullable, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use ents_domain::DomainError;
use ents_domain::alerts::{AlertEvent, AlertEventRepository, EventFilter, MAX_EVENTS};

use super::PgAlertRepository;
use super::rows::{EVENT_COLUMNS, EventRow};

#[async_trait]
impl AlertEventRepository for PgAlertRepository {
    async fn list(&self, filter: EventFilter) -> Result<Vec<AlertEvent>, DomainError> {
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(format!(
                    "SELECT {EVENT_COLUMNS} FROM alert_event e \
                     WHERE ($1::integer IS NULL OR e.cell_id = $1) \
                       AND ($2::bigint IS NULL OR e.rule_id = $2) \
                       AND ($3::uuid IS NULL \
                            OR e.cell_id IN (SELECT cell_id FROM cell_user WHERE user_id = $3) \
                            OR e.cell_id IN (SELECT id FROM cell WHERE user_id = $3)) \
                       AND ($4::timestamptz IS NULL OR coalesce(e.resolved_at, 'infinity') >= $4) \
                       AND ($5::timestamptz IS NULL OR e.fired_at < $5) \
                     ORDER BY e.fired_at DESC, e.id DESC LIMIT $6"
                ))
                .bind::<Nullable<Integer>, _>(filter.cell_id)
                .bind::<Nullable<BigInt>, _>(filter.rule_id.map(|r| r.0))
                .bind::<Nullable<SqlUuid>, _>(filter.member.map(|u| u.0))
                .bind::<Nullable<Timestamptz>, _>(filter.from)
                .bind::<Nullable<Timestamptz>, _>(filter.to)
                .bind::<BigInt, _>(filter.limit.clamp(1, MAX_EVENTS))
                .load::<EventRow>(conn)
                .await?)
            })
            .await?;
        Ok(rows.into_iter().map(AlertEvent::from).collect())
    }
}
