-- Refresh tokens, stored only as SHA-256 digests (decisions §3; upstream stored them in
-- plaintext in oauth_token, one per user, D-3/D-22). Each login starts a family; every
-- refresh marks the presented token rotated and stores its successor in the same family;
-- reuse of a rotated token after the grace revokes the family
-- (see ents_domain::auth::SessionService).
CREATE TABLE refresh_token (
    id uuid NOT NULL,
    family_id uuid NOT NULL,
    -- The token this one replaced (informational; no foreign key, so expired parents can be
    -- purged independently).
    parent_id uuid,
    user_id uuid NOT NULL,
    token_digest text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    rotated_at timestamptz,
    revoked_at timestamptz,
    CONSTRAINT refresh_token_pkey PRIMARY KEY (id),
    CONSTRAINT uq_refresh_token_digest UNIQUE (token_digest),
    CONSTRAINT fk_refresh_token_user_id FOREIGN KEY (user_id)
        REFERENCES "user" (id) ON DELETE CASCADE
);
CREATE INDEX idx_refresh_token_user_id ON refresh_token (user_id);
-- Revoking a family (logout, reuse).
CREATE INDEX idx_refresh_token_family_id ON refresh_token (family_id);
-- Purging expired tokens.
CREATE INDEX idx_refresh_token_expires_at ON refresh_token (expires_at);

-- Sessions of an adopted upstream database keep working: each stored refresh token (a JWT
-- signed with the same REFRESH_TOKEN_SECRET, valid for a day from its last update) becomes
-- the first token of a family. Then the plaintext copies go.
INSERT INTO refresh_token (id, family_id, user_id, token_digest, created_at, expires_at)
SELECT gen_random_uuid(), gen_random_uuid(), user_id,
       encode(sha256(convert_to(refresh_token, 'UTF8')), 'hex'),
       COALESCE(updated_at AT TIME ZONE 'UTC', now()),
       COALESCE(updated_at AT TIME ZONE 'UTC', now()) + interval '1 day'
  FROM oauth_token
 WHERE refresh_token IS NOT NULL AND refresh_token <> '' AND user_id IS NOT NULL
ON CONFLICT (token_digest) DO NOTHING;
DELETE FROM oauth_token;
