DROP INDEX idx_oauth_token_user_id;
DROP INDEX idx_cell_user_user_id;
DROP INDEX idx_cell_tag_tag_id;
DROP INDEX idx_tag_created_by;
DROP INDEX idx_logger_user_id;
DROP INDEX idx_cell_user_id;
DROP INDEX idx_power_data_logger_id;
