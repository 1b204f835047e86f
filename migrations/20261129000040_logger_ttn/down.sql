ALTER TABLE logger
    DROP CONSTRAINT ck_logger_ttn_state,
    DROP COLUMN ttn_app_key,
    DROP COLUMN ttn_join_eui,
    DROP COLUMN ttn_dev_eui,
    DROP COLUMN ttn_error,
    DROP COLUMN ttn_state;
