-- Restores the schema only: hashed keys cannot be turned back into plaintext (they stay in
-- api_key until that table is dropped by the previous migration's down).
DROP TRIGGER trg_user_hash_legacy_api_key ON "user";
DROP FUNCTION ents_hash_legacy_api_key();
