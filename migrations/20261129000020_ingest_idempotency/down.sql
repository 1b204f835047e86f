-- Back to the upstream indexes, and every archived row back in place (same ids).
CREATE INDEX idx_data_sensor_id_ts ON data (sensor_id, ts);
CREATE INDEX idx_power_data_cell_id_ts ON power_data (cell_id, ts);
CREATE INDEX idx_teros_data_cell_id_ts ON teros_data (cell_id, ts);
DROP INDEX uq_teros_data_cell_id_ts;
DROP INDEX uq_power_data_cell_id_ts_logger_id;
DROP INDEX uq_data_sensor_id_ts;
DROP INDEX uq_sensor_cell_id_name_measurement;

INSERT INTO sensor
SELECT (jsonb_populate_record(NULL::sensor, row_data)).*
  FROM ingest_dedup_archive WHERE reason = 'merged_sensor';

INSERT INTO data
SELECT (jsonb_populate_record(NULL::data, row_data)).*
  FROM ingest_dedup_archive
 WHERE source_table = 'data' AND reason IN ('exact_duplicate', 'conflicting_value');

INSERT INTO power_data
SELECT (jsonb_populate_record(NULL::power_data, row_data)).*
  FROM ingest_dedup_archive
 WHERE source_table = 'power_data' AND reason IN ('exact_duplicate', 'conflicting_value');

INSERT INTO teros_data
SELECT (jsonb_populate_record(NULL::teros_data, row_data)).*
  FROM ingest_dedup_archive
 WHERE source_table = 'teros_data' AND reason IN ('exact_duplicate', 'conflicting_value');

UPDATE data d SET sensor_id = (a.row_data ->> 'sensor_id')::integer
  FROM ingest_dedup_archive a
 WHERE a.reason = 'repointed' AND a.source_id = d.id;

DROP TABLE ingest_dedup_archive;
