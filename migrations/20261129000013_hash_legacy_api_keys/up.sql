-- Legacy plaintext API keys (upstream "user".api_key, D-2) become digests and keep working
-- (decisions §3). A trigger does it, so the rule holds for every writer of the legacy
-- column, not only for the rows present now: an upstream server still running during a
-- switch-over, or a seeding script that inserts users with their key. The plaintext never
-- outlives the statement that wrote it: the key moves into api_key as the user's 'default'
-- key (replacing an earlier default) and the column is set back to NULL.
CREATE FUNCTION ents_hash_legacy_api_key() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    key_digest text := encode(sha256(convert_to(NEW.api_key, 'UTF8')), 'hex');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM api_key
                    WHERE digest = key_digest AND user_id = NEW.id AND revoked_at IS NULL) THEN
        UPDATE api_key SET revoked_at = now()
         WHERE user_id = NEW.id AND name = 'default' AND revoked_at IS NULL;
        INSERT INTO api_key (id, user_id, name, scope, digest, hint, created_at)
        VALUES (gen_random_uuid(), NEW.id, 'default', 'full', key_digest,
                '…' || right(NEW.api_key, 4), now())
        ON CONFLICT (digest) DO NOTHING;
    END IF;
    -- Fires this trigger again, but its WHEN clause stops there.
    UPDATE "user" SET api_key = NULL WHERE id = NEW.id;
    RETURN NULL;
END
$$;

CREATE TRIGGER trg_user_hash_legacy_api_key
    AFTER INSERT OR UPDATE OF api_key ON "user"
    FOR EACH ROW WHEN (NEW.api_key IS NOT NULL)
    EXECUTE FUNCTION ents_hash_legacy_api_key();

-- The keys already there.
UPDATE "user" SET api_key = api_key WHERE api_key IS NOT NULL;
