-- Brute-force budgets shared by every instance of a deployment (ents_domain::auth::FailureLimiter):
-- failed attempts per kind and client address in a fixed window. Upstream had no limit; the
-- first Rust release kept the counts in each process's memory, so N instances multiplied the
-- budget by N. Rows of ended windows are purged periodically.
CREATE TABLE auth_failure (
    kind text NOT NULL,
    client text NOT NULL,
    failures integer NOT NULL,
    window_end timestamptz NOT NULL,
    CONSTRAINT auth_failure_pkey PRIMARY KEY (kind, client)
);
CREATE INDEX idx_auth_failure_window_end ON auth_failure (window_end);
