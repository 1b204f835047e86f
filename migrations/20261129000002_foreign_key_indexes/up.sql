-- An index for every foreign key whose columns are not already the leading columns of an
-- index. Without one, deleting or re-keying a referenced row scans the whole referencing
-- table (deleting a logger scans power_data), and "rows of this user/tag" lookups do too.
-- Already covered upstream: power_data.cell_id, teros_data.cell_id (idx_*_cell_id_ts),
-- sensor.cell_id (idx_sensor_cell_id), data.sensor_id (idx_data_sensor_id_ts),
-- cell_tag.cell_id and cell_user.cell_id (leading column of their primary keys).
-- The test `every_foreign_key_has_an_index` keeps this true for later migrations.
--
-- Plain CREATE INDEX (not CONCURRENTLY): migrations run in a transaction before the server
-- starts serving, so the brief write lock on power_data while its index builds is harmless.
CREATE INDEX idx_power_data_logger_id ON power_data (logger_id);
CREATE INDEX idx_cell_user_id ON cell (user_id);
CREATE INDEX idx_logger_user_id ON logger (user_id);
CREATE INDEX idx_tag_created_by ON tag (created_by);
CREATE INDEX idx_cell_tag_tag_id ON cell_tag (tag_id);
CREATE INDEX idx_cell_user_user_id ON cell_user (user_id);
CREATE INDEX idx_oauth_token_user_id ON oauth_token (user_id);
