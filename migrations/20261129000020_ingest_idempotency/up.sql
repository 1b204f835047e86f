-- Idempotent ingestion (decisions.md §1): a node that retries an upload gets 200 again and no
-- row is stored twice. "The same measurement" is, per table (first write wins, see
-- crates/domain/src/ingest/mod.rs):
--   sensor      (cell_id, name, measurement)      -- upstream's application-level key, now enforced
--   data        (sensor_id, ts)                   -- sensor = cell + name + measurement
--   power_data  (cell_id, ts, logger_id)          -- NULL loggers compare equal
--   teros_data  (cell_id, ts)
-- The writers use INSERT … ON CONFLICT DO NOTHING on these indexes.
--
-- An adopted upstream database may already hold rows that break these keys (upstream had no
-- de-duplication: every retry stored again, and racing first uploads could create a sensor
-- twice). Nothing is lost: every row removed here is copied first into
-- ingest_dedup_archive (whole row as jsonb, with the id of the row kept in its place and
-- why), and down.sql puts them all back.
--   * duplicate sensors are merged into the lowest id: their data rows are re-pointed to it
--     (reason 'repointed', original row archived) and the extra sensor rows archived
--     ('merged_sensor');
--   * then, per key, the row with the lowest id stays; the others are archived as
--     'exact_duplicate' (same measured values as the kept row; ts_server is ignored) or
--     'conflicting_value' (another value for the same key: an operator may want to look).
--
-- The unique indexes replace the upstream (sensor_id, ts) and (cell_id, ts) indexes of data,
-- teros_data and power_data, whose columns they lead with, so every insert maintains one
-- index fewer than it would with both. Building them reads the whole tables (minutes on a
-- large adopted database); migrations run before the server serves.

CREATE TABLE ingest_dedup_archive (
    source_table text NOT NULL,
    source_id integer NOT NULL,
    reason text NOT NULL,
    kept_id integer NOT NULL,
    row_data jsonb NOT NULL,
    archived_at timestamp with time zone NOT NULL DEFAULT now(),
    -- A data row can be archived twice: re-pointed, then found a duplicate.
    CONSTRAINT ingest_dedup_archive_pkey PRIMARY KEY (source_table, source_id, reason),
    CONSTRAINT ck_ingest_dedup_archive_reason CHECK (
        reason IN ('merged_sensor', 'repointed', 'exact_duplicate', 'conflicting_value'))
);

-- 1. Sensors: re-point the data of duplicate sensors to the lowest id, then archive them.
INSERT INTO ingest_dedup_archive (source_table, source_id, reason, kept_id, row_data)
SELECT 'data', d.id, 'repointed', m.keep, to_jsonb(d)
  FROM data d
  JOIN (SELECT id, min(id) OVER (PARTITION BY cell_id, name, measurement) AS keep
          FROM sensor) m ON m.id = d.sensor_id
 WHERE m.id <> m.keep;

UPDATE data d SET sensor_id = m.keep
  FROM (SELECT id, min(id) OVER (PARTITION BY cell_id, name, measurement) AS keep
          FROM sensor) m
 WHERE m.id = d.sensor_id AND m.id <> m.keep;

WITH m AS (SELECT id, min(id) OVER (PARTITION BY cell_id, name, measurement) AS keep
             FROM sensor),
archived AS (
    INSERT INTO ingest_dedup_archive (source_table, source_id, reason, kept_id, row_data)
    SELECT 'sensor', s.id, 'merged_sensor', m.keep, to_jsonb(s)
      FROM sensor s JOIN m ON m.id = s.id
     WHERE m.id <> m.keep
    RETURNING source_id)
DELETE FROM sensor WHERE id IN (SELECT source_id FROM archived);

-- 2. data: one row per (sensor_id, ts).
WITH m AS (SELECT id, min(id) OVER (PARTITION BY sensor_id, ts) AS keep FROM data),
archived AS (
    INSERT INTO ingest_dedup_archive (source_table, source_id, reason, kept_id, row_data)
    SELECT 'data', d.id,
           CASE WHEN (d.float_val, d.int_val, d.text_val)
                     IS NOT DISTINCT FROM (k.float_val, k.int_val, k.text_val)
                THEN 'exact_duplicate' ELSE 'conflicting_value' END,
           m.keep, to_jsonb(d)
      FROM m JOIN data d ON d.id = m.id JOIN data k ON k.id = m.keep
     WHERE m.id <> m.keep
    RETURNING source_id)
DELETE FROM data WHERE id IN (SELECT source_id FROM archived);

-- 3. power_data: one row per (cell_id, ts, logger_id).
WITH m AS (SELECT id, min(id) OVER (PARTITION BY cell_id, ts, logger_id) AS keep
             FROM power_data),
archived AS (
    INSERT INTO ingest_dedup_archive (source_table, source_id, reason, kept_id, row_data)
    SELECT 'power_data', p.id,
           CASE WHEN (p.voltage, p.current) IS NOT DISTINCT FROM (k.voltage, k.current)
                THEN 'exact_duplicate' ELSE 'conflicting_value' END,
           m.keep, to_jsonb(p)
      FROM m JOIN power_data p ON p.id = m.id JOIN power_data k ON k.id = m.keep
     WHERE m.id <> m.keep
    RETURNING source_id)
DELETE FROM power_data WHERE id IN (SELECT source_id FROM archived);

-- 4. teros_data: one row per (cell_id, ts).
WITH m AS (SELECT id, min(id) OVER (PARTITION BY cell_id, ts) AS keep FROM teros_data),
archived AS (
    INSERT INTO ingest_dedup_archive (source_table, source_id, reason, kept_id, row_data)
    SELECT 'teros_data', t.id,
           CASE WHEN (t.vwc, t.temp, t.ec, t.raw_vwc, t.water_pot)
                     IS NOT DISTINCT FROM (k.vwc, k.temp, k.ec, k.raw_vwc, k.water_pot)
                THEN 'exact_duplicate' ELSE 'conflicting_value' END,
           m.keep, to_jsonb(t)
      FROM m JOIN teros_data t ON t.id = m.id JOIN teros_data k ON k.id = m.keep
     WHERE m.id <> m.keep
    RETURNING source_id)
DELETE FROM teros_data WHERE id IN (SELECT source_id FROM archived);

-- 5. The keys.
CREATE UNIQUE INDEX uq_sensor_cell_id_name_measurement ON sensor (cell_id, name, measurement);
CREATE UNIQUE INDEX uq_data_sensor_id_ts ON data (sensor_id, ts);
CREATE UNIQUE INDEX uq_power_data_cell_id_ts_logger_id ON power_data (cell_id, ts, logger_id)
    NULLS NOT DISTINCT;
CREATE UNIQUE INDEX uq_teros_data_cell_id_ts ON teros_data (cell_id, ts);
DROP INDEX idx_data_sensor_id_ts;
DROP INDEX idx_power_data_cell_id_ts;
DROP INDEX idx_teros_data_cell_id_ts;
