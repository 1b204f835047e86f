-- Job records for long-running work (decisions.md §5): the source of truth a client polls
-- and the guard that keeps a redelivered message from running a finished job again
-- (see ents_domain::jobs::JobRepository). Times are `timestamptz`; the claim, the lease and
-- the back-off are all computed with the database clock (`now()`), so the clocks of the
-- API and worker hosts never matter.
CREATE TABLE job (
    id uuid NOT NULL,
    kind text NOT NULL,
    state text NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    max_attempts integer NOT NULL,
    progress real NOT NULL DEFAULT 0,
    payload jsonb NOT NULL,
    result jsonb,
    error text,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    started_at timestamptz,
    finished_at timestamptz,
    run_after timestamptz NOT NULL DEFAULT now(),
    lease_until timestamptz,
    CONSTRAINT job_pkey PRIMARY KEY (id),
    CONSTRAINT ck_job_state CHECK (state IN ('queued', 'running', 'succeeded', 'failed')),
    CONSTRAINT ck_job_attempts CHECK (attempts >= 0),
    CONSTRAINT ck_job_max_attempts CHECK (max_attempts >= 1),
    CONSTRAINT ck_job_progress CHECK (progress >= 0 AND progress <= 1)
);

-- The stale-job sweep: queued jobs whose back-off has passed…
CREATE INDEX ix_job_state_run_after ON job (state, run_after);
-- …and running jobs whose lease expired (only running jobs have a meaningful lease).
CREATE INDEX ix_job_running_lease_until ON job (lease_until) WHERE state = 'running';
-- Listing a kind's jobs newest first (operators, the export API).
CREATE INDEX ix_job_kind_created_at ON job (kind, created_at);
