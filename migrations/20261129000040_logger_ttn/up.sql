-- The Things Network registration of `ents` loggers runs as a job (decisions §5); the logger
-- records where it stands. `ttn_state` is NULL when registration was never asked for.
-- The credentials wait here for the job (so that no job record ever holds an AppKey) and are
-- set back to NULL when the job finishes, whatever its outcome.
ALTER TABLE logger
    ADD COLUMN ttn_state text,
    ADD COLUMN ttn_error text,
    ADD COLUMN ttn_dev_eui text,
    ADD COLUMN ttn_join_eui text,
    ADD COLUMN ttn_app_key text,
    ADD CONSTRAINT ck_logger_ttn_state
        CHECK (ttn_state IN ('pending', 'registered', 'failed'));
