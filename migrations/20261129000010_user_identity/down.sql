ALTER TABLE "user"
    DROP CONSTRAINT uq_user_google_sub,
    DROP COLUMN updated_at,
    DROP COLUMN created_at,
    DROP COLUMN password_hash,
    DROP COLUMN google_sub;
