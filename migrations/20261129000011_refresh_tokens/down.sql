-- Restores the schema; the sessions are not copied back into oauth_token in plaintext
-- (everyone signs in again).
DROP TABLE refresh_token;
