-- Drops the whole upstream schema, data included. On an adopted upstream database this
-- destroys the production data: it exists for the migration round-trip test and for
-- development databases only.
DROP TABLE cell_user, cell_tag, tag, data, sensor, teros_data, power_data, logger, cell,
    oauth_token, "user";
