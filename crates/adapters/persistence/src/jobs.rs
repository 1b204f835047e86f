//! Job records in PostgreSQL: the [`JobRepository`] port.
//!
//! Every state change is one statement whose `WHERE` clause states the transition it allows,
//! so two consumers racing for the same job cannot both win: PostgreSQL re-checks the
//! condition on the row version the first one committed. All instants come from the
//! database clock (`now()`), never from the caller's host.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::pg::Pg;
use diesel::pg::data_types::PgInterval;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Float4, Interval, Jsonb, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use ents_domain::jobs::{Claim, Job, JobCounts, JobId, JobRepository, JobState, NewJob};
use ents_domain::{ConflictKind, DomainError};
use uuid::Uuid;

use crate::pool::Db;
use crate::schema::job;

/// The message of `NotFound` for an unknown job id (the port's contract).
const NOT_FOUND: &str = "Job not found";

/// [`JobRepository`] on the `job` table.
#[derive(Debug, Clone)]
pub struct PgJobRepository {
    db: Db,
}

impl PgJobRepository {
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    /// Tells apart, after an update matched nothing, an unknown id (`NotFound`) from a job
    /// in a state that does not allow the transition (`Conflict(State)` with `message`).
    async fn explain_no_match(&self, id: JobId, message: &str) -> Result<(), DomainError> {
        let job = self.get(id).await?;
        Err(DomainError::conflict(
            ConflictKind::State,
            format!("{message} (job is {})", job.state.as_str()),
        ))
    }
}

#[derive(Debug, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = job, check_for_backend(Pg))]
struct JobRow {
    id: Uuid,
    kind: String,
    state: String,
    attempts: i32,
    max_attempts: i32,
    progress: f32,
    payload: serde_json::Value,
    result: Option<serde_json::Value>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    started_at: Option<DateTime<Utc>>,
    finished_at: Option<DateTime<Utc>>,
    run_after: DateTime<Utc>,
    lease_until: Option<DateTime<Utc>>,
}

impl TryFrom<JobRow> for Job {
    type Error = DomainError;

    fn try_from(row: JobRow) -> Result<Self, DomainError> {
        // The check constraint ck_job_state makes this unreachable short of manual edits.
        let state = JobState::parse(&row.state).ok_or_else(|| {
            DomainError::internal(format!("job {} has unknown state '{}'", row.id, row.state))
        })?;
        Ok(Job {
            id: JobId(row.id),
            kind: row.kind,
            state,
            attempts: row.attempts,
            max_attempts: row.max_attempts,
            progress: row.progress,
            payload: row.payload,
            result: row.result,
            error: row.error,
            created_at: row.created_at,
            updated_at: row.updated_at,
            started_at: row.started_at,
            finished_at: row.finished_at,
            run_after: row.run_after,
            lease_until: row.lease_until,
        })
    }
}

#[derive(Insertable)]
#[diesel(table_name = job)]
struct NewJobRow<'a> {
    id: Uuid,
    kind: &'a str,
    state: &'a str,
    max_attempts: i32,
    payload: &'a serde_json::Value,
}

/// A `Duration` as a PostgreSQL interval, capped at ten years: a longer lease or back-off
/// is a bug, and the cap keeps `now() + interval` far from timestamp overflow.
fn interval(duration: Duration) -> PgInterval {
    const TEN_YEARS_MICROS: i64 = 10 * 366 * 24 * 3600 * 1_000_000;
    let micros = i64::try_from(duration.as_micros())
        .unwrap_or(i64::MAX)
        .min(TEN_YEARS_MICROS);
    PgInterval::from_microseconds(micros)
}

/// Progress as stored: within 0..=1 (the check constraint ck_job_progress); NaN counts as 0.
fn clamp_progress(progress: f32) -> f32 {
    if progress.is_nan() {
        0.0
    } else {
        progress.clamp(0.0, 1.0)
    }
}

/// Takes one attempt: the only transitions into `running`.
const CLAIM: &str = "\
    UPDATE job SET state = 'running', attempts = attempts + 1, started_at = now(), \
        lease_until = now() + $2, updated_at = now() \
    WHERE id = $1 \
      AND ((state = 'queued' AND run_after <= now()) \
        OR (state = 'running' AND lease_until < now())) \
    RETURNING *";

const SET_PROGRESS: &str = "\
    UPDATE job SET progress = $2, lease_until = now() + $3, updated_at = now() \
    WHERE id = $1 AND state = 'running'";

const COMPLETE: &str = "\
    UPDATE job SET state = 'succeeded', result = $2, progress = 1, finished_at = now(), \
        lease_until = NULL, updated_at = now() \
    WHERE id = $1 AND state = 'running'";

const FAIL_RETRY: &str = "\
    UPDATE job SET state = 'queued', error = $2, run_after = now() + $3, lease_until = NULL, \
        updated_at = now() \
    WHERE id = $1 AND state = 'running'";

const FAIL_FINAL: &str = "\
    UPDATE job SET state = 'failed', error = $2, finished_at = now(), lease_until = NULL, \
        updated_at = now() \
    WHERE id = $1 AND state IN ('queued', 'running')";

/// Served by ix_job_state_run_after and ix_job_running_lease_until.
const LIST_STALE: &str = "\
    SELECT * FROM job \
    WHERE (state = 'queued' AND run_after < now() - $1) \
       OR (state = 'running' AND lease_until < now() - $1) \
    ORDER BY created_at, id \
    LIMIT $2";

/// The finished `succeeded` jobs are left out: they only grow, and no one waits for them.
/// `ix_job_state_run_after` serves the `state IN (…)` part.
const COUNT_BY_STATE: &str = "\
    SELECT \
      count(*) FILTER (WHERE state = 'queued' AND run_after <= now()) AS runnable, \
      count(*) FILTER (WHERE state = 'queued' AND run_after > now()) AS delayed, \
      count(*) FILTER (WHERE state = 'running') AS running, \
      count(*) FILTER (WHERE state = 'failed') AS failed \
    FROM job WHERE state IN ('queued', 'running', 'failed')";

#[derive(QueryableByName)]
struct CountsRow {
    #[diesel(sql_type = BigInt)]
    runnable: i64,
    #[diesel(sql_type = BigInt)]
    delayed: i64,
    #[diesel(sql_type = BigInt)]
    running: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
}

#[async_trait]
impl JobRepository for PgJobRepository {
    async fn create(&self, new: NewJob) -> Result<Job, DomainError> {
        self.db
            .with_conn(async |conn| {
                let row = NewJobRow {
                    id: JobId::new().0,
                    kind: &new.kind,
                    state: JobState::Queued.as_str(),
                    // ck_job_max_attempts: a job always gets at least one attempt.
                    max_attempts: new.max_attempts.max(1),
                    payload: &new.payload,
                };
                let row = diesel::insert_into(job::table)
                    .values(&row)
                    .returning(JobRow::as_returning())
                    .get_result::<JobRow>(conn)
                    .await?;
                Ok(Job::try_from(row)?)
            })
            .await
    }

    async fn get(&self, id: JobId) -> Result<Job, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(job::table
                    .find(id.0)
                    .select(JobRow::as_select())
                    .first::<JobRow>(conn)
                    .await
                    .optional()?)
            })
            .await?;
        row.ok_or_else(|| DomainError::NotFound(NOT_FOUND.to_owned()))?
            .try_into()
    }

    /// One atomic `UPDATE … RETURNING`; when it matches nothing, the row is read to tell
    /// `Finished` (duplicate delivery), `NotYet` (leased elsewhere or backing off) and
    /// `NotFound` apart. `started_at` is the start of the latest attempt.
    async fn claim(&self, id: JobId, lease: Duration) -> Result<Claim, DomainError> {
        let claimed = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(CLAIM)
                    .bind::<SqlUuid, _>(id.0)
                    .bind::<Interval, _>(interval(lease))
                    .get_result::<JobRow>(conn)
                    .await
                    .optional()?)
            })
            .await?;
        if let Some(row) = claimed {
            return Ok(Claim::Run(row.try_into()?));
        }
        let job = self.get(id).await?;
        Ok(if job.state.is_finished() {
            Claim::Finished(job)
        } else {
            Claim::NotYet(job)
        })
    }

    /// Only a `running` job is updated; for a job in another state this is a no-op (a
    /// late report from a consumer that lost its lease must not resurrect anything).
    /// Errors: `NotFound` for an unknown id.
    async fn set_progress(
        &self,
        id: JobId,
        progress: f32,
        lease: Duration,
    ) -> Result<(), DomainError> {
        let updated = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(SET_PROGRESS)
                    .bind::<SqlUuid, _>(id.0)
                    .bind::<Float4, _>(clamp_progress(progress))
                    .bind::<Interval, _>(interval(lease))
                    .execute(conn)
                    .await?)
            })
            .await?;
        if updated == 0 {
            self.get(id).await?;
        }
        Ok(())
    }

    /// Errors: `NotFound` for an unknown id; `Conflict` when the job is not `running`
    /// (already finished, or requeued after its lease expired).
    async fn complete(&self, id: JobId, result: serde_json::Value) -> Result<(), DomainError> {
        let updated = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(COMPLETE)
                    .bind::<SqlUuid, _>(id.0)
                    .bind::<Jsonb, _>(&result)
                    .execute(conn)
                    .await?)
            })
            .await?;
        if updated == 0 {
            return self.explain_no_match(id, "Job is not running").await;
        }
        Ok(())
    }

    /// A retry needs a `running` job; a final failure is also accepted for a `queued` one
    /// (abandoning a job that cannot run). Errors: `NotFound` for an unknown id;
    /// `Conflict` when the state does not allow it (e.g. already finished).
    async fn fail(
        &self,
        id: JobId,
        error: &str,
        retry_after: Option<Duration>,
    ) -> Result<(), DomainError> {
        let updated = self
            .db
            .with_conn(async |conn| {
                let updated = match retry_after {
                    Some(delay) => {
                        diesel::sql_query(FAIL_RETRY)
                            .bind::<SqlUuid, _>(id.0)
                            .bind::<Text, _>(error)
                            .bind::<Interval, _>(interval(delay))
                            .execute(conn)
                            .await?
                    }
                    None => {
                        diesel::sql_query(FAIL_FINAL)
                            .bind::<SqlUuid, _>(id.0)
                            .bind::<Text, _>(error)
                            .execute(conn)
                            .await?
                    }
                };
                Ok(updated)
            })
            .await?;
        if updated == 0 {
            let message = if retry_after.is_some() {
                "Job is not running"
            } else {
                "Job is already finished"
            };
            return self.explain_no_match(id, message).await;
        }
        Ok(())
    }

    async fn list_stale(&self, grace: Duration, limit: i64) -> Result<Vec<Job>, DomainError> {
        let rows = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(LIST_STALE)
                    .bind::<Interval, _>(interval(grace))
                    .bind::<BigInt, _>(limit.max(0))
                    .load::<JobRow>(conn)
                    .await?)
            })
            .await?;
        rows.into_iter().map(Job::try_from).collect()
    }

    async fn count_by_state(&self) -> Result<JobCounts, DomainError> {
        let row = self
            .db
            .with_conn(async |conn| {
                Ok(diesel::sql_query(COUNT_BY_STATE)
                    .get_result::<CountsRow>(conn)
                    .await?)
            })
            .await?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        Ok(JobCounts {
            runnable: count(row.runnable),
            delayed: count(row.delayed),
            running: count(row.running),
            failed: count(row.failed),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_clamped_and_nan_is_zero() {
        assert_eq!(clamp_progress(-0.5), 0.0);
        assert_eq!(clamp_progress(0.25), 0.25);
        assert_eq!(clamp_progress(7.0), 1.0);
        assert_eq!(clamp_progress(f32::INFINITY), 1.0);
        assert_eq!(clamp_progress(f32::NAN), 0.0);
    }

    #[test]
    fn intervals_are_exact_and_capped() {
        assert_eq!(
            interval(Duration::from_millis(1500)),
            PgInterval::from_microseconds(1_500_000)
        );
        assert_eq!(
            interval(Duration::MAX),
            interval(Duration::from_secs(10 * 366 * 24 * 3600))
        );
    }
}
