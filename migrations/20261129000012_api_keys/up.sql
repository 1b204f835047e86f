-- API keys (decisions §3): several named keys per user, each with a scope, stored only as the
-- SHA-256 digest of the key; `hint` (prefix and last four characters) is what may be shown.
-- Revoked keys are kept for the record and never match. The key named 'default' is the
-- single key of upstream's /api/apikey/ contract.
CREATE TABLE api_key (
    id uuid NOT NULL,
    user_id uuid NOT NULL,
    name text NOT NULL,
    scope text NOT NULL,
    digest text NOT NULL,
    hint text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT api_key_pkey PRIMARY KEY (id),
    CONSTRAINT uq_api_key_digest UNIQUE (digest),
    CONSTRAINT fk_api_key_user_id FOREIGN KEY (user_id)
        REFERENCES "user" (id) ON DELETE CASCADE,
    CONSTRAINT ck_api_key_scope CHECK (scope IN ('ingest', 'full'))
);
CREATE INDEX idx_api_key_user_id ON api_key (user_id);
-- One active key per name and user.
CREATE UNIQUE INDEX uq_api_key_active_name ON api_key (user_id, name) WHERE revoked_at IS NULL;
