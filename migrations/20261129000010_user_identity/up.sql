-- What sign-in needs on the upstream "user" row (decisions §3). The upstream columns stay as
-- they are: `password` (varchar(72), always '' upstream) is kept for upstream tooling and for
-- seeding scripts that insert users with SQL; an Argon2id PHC string is longer than 72
-- characters, so local passwords get their own column.
ALTER TABLE "user"
    ADD COLUMN google_sub varchar(255),
    ADD COLUMN password_hash text,
    ADD COLUMN created_at timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now(),
    -- A Google account signs in as one user only.
    ADD CONSTRAINT uq_user_google_sub UNIQUE (google_sub);
