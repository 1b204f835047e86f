-- Hourly and daily aggregates of every series, kept current by triggers on the raw tables.
--
-- Why triggers: they keep the rollups right whatever code inserts (the API, the worker's
-- batch writer, an import, psql), including late and back-filled rows, which simply add to
-- the bucket they fall in. They are STATEMENT-level with transition tables: one upsert per
-- (series, bucket) touched by a statement instead of one per row, and an
-- `INSERT … ON CONFLICT DO NOTHING` only lists the rows it really inserted, so a retried
-- upload never counts twice.
--
-- Each bucket stores count, sum, min and max per value, so means compose (hour → day →
-- week → month) and the opt-in `stats` answer is exact. Values are stored in the units the
-- API serves (mV, µA, µW; VWC normalised to %), computed by the same expressions as the raw
-- queries in crates/persistence/src/series/.
--
-- `width` is 'hour' or 'day'; `bucket` is date_trunc(width, ts) of the naive-UTC device time.
-- No foreign keys: rows of a deleted cell or sensor are removed by the DELETE triggers of
-- the raw tables (the cascade deletes fire them), and the rollups never need to be joined.
-- UPDATE and DELETE recompute the touched buckets from the raw rows (min/max cannot be
-- "subtracted"). TRUNCATE of a raw table is not tracked: truncate the rollup table too.

CREATE TABLE power_rollup (
    cell_id integer NOT NULL,
    width text NOT NULL,
    bucket timestamp without time zone NOT NULL,
    n_rows bigint NOT NULL,
    n_v bigint NOT NULL,
    sum_v double precision NOT NULL,
    min_v double precision,
    max_v double precision,
    n_i bigint NOT NULL,
    sum_i double precision NOT NULL,
    min_i double precision,
    max_i double precision,
    n_p bigint NOT NULL,
    sum_p double precision NOT NULL,
    min_p double precision,
    max_p double precision,
    CONSTRAINT power_rollup_pkey PRIMARY KEY (cell_id, width, bucket),
    CONSTRAINT ck_power_rollup_width CHECK (width IN ('hour', 'day'))
);

CREATE TABLE teros_rollup (
    cell_id integer NOT NULL,
    width text NOT NULL,
    bucket timestamp without time zone NOT NULL,
    n_rows bigint NOT NULL,
    n_vwc bigint NOT NULL,
    sum_vwc double precision NOT NULL,
    min_vwc double precision,
    max_vwc double precision,
    n_temp bigint NOT NULL,
    sum_temp double precision NOT NULL,
    min_temp double precision,
    max_temp double precision,
    n_ec bigint NOT NULL,
    sum_ec double precision NOT NULL,
    min_ec double precision,
    max_ec double precision,
    n_raw_vwc bigint NOT NULL,
    sum_raw_vwc double precision NOT NULL,
    min_raw_vwc double precision,
    max_raw_vwc double precision,
    CONSTRAINT teros_rollup_pkey PRIMARY KEY (cell_id, width, bucket),
    CONSTRAINT ck_teros_rollup_width CHECK (width IN ('hour', 'day'))
);

-- float_val and int_val are aggregated apart: the read side picks the column from
-- sensor.data_type, as upstream does.
CREATE TABLE data_rollup (
    sensor_id integer NOT NULL,
    width text NOT NULL,
    bucket timestamp without time zone NOT NULL,
    n_rows bigint NOT NULL,
    n_float bigint NOT NULL,
    sum_float double precision NOT NULL,
    min_float double precision,
    max_float double precision,
    n_int bigint NOT NULL,
    sum_int double precision NOT NULL,
    min_int double precision,
    max_int double precision,
    CONSTRAINT data_rollup_pkey PRIMARY KEY (sensor_id, width, bucket),
    CONSTRAINT ck_data_rollup_width CHECK (width IN ('hour', 'day'))
);

-- The aggregate of a set of raw rows per (series, width, bucket). `src` is a relation with
-- the raw table's columns; the views below apply it to the whole table (back-fill and
-- recomputation) and the trigger functions to their transition tables.

CREATE FUNCTION rollup_widths() RETURNS TABLE (width text) LANGUAGE sql IMMUTABLE AS
$$ VALUES ('hour'), ('day') $$;

-- ---------------------------------------------------------------- power_data

CREATE FUNCTION power_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO power_rollup AS r
    SELECT s.cell_id, w.width, date_trunc(w.width, s.ts), count(*),
           count(s.voltage), coalesce(sum(s.voltage * 1e3), 0), min(s.voltage * 1e3), max(s.voltage * 1e3),
           count(s.current), coalesce(sum(s.current * 1e6), 0), min(s.current * 1e6), max(s.current * 1e6),
           count(s.voltage * s.current), coalesce(sum(s.voltage * s.current * 1e6), 0),
           min(s.voltage * s.current * 1e6), max(s.voltage * s.current * 1e6)
      FROM inserted s CROSS JOIN rollup_widths() w
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (cell_id, width, bucket) DO UPDATE SET
        n_rows = r.n_rows + excluded.n_rows,
        n_v = r.n_v + excluded.n_v, sum_v = r.sum_v + excluded.sum_v,
        min_v = least(r.min_v, excluded.min_v), max_v = greatest(r.max_v, excluded.max_v),
        n_i = r.n_i + excluded.n_i, sum_i = r.sum_i + excluded.sum_i,
        min_i = least(r.min_i, excluded.min_i), max_i = greatest(r.max_i, excluded.max_i),
        n_p = r.n_p + excluded.n_p, sum_p = r.sum_p + excluded.sum_p,
        min_p = least(r.min_p, excluded.min_p), max_p = greatest(r.max_p, excluded.max_p);
    RETURN NULL;
END $$;

-- Recomputes the buckets of (cells[k], stamps[k]) from power_data.
CREATE FUNCTION power_rollup_rebuild(cells integer[], stamps timestamp without time zone[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS power_rollup_touched
        (cell_id integer, width text, bucket timestamp without time zone) ON COMMIT DROP;
    DELETE FROM power_rollup_touched;
    INSERT INTO power_rollup_touched
    SELECT DISTINCT u.c, w.width, date_trunc(w.width, u.t)
      FROM unnest(cells, stamps) AS u(c, t) CROSS JOIN rollup_widths() w;
    DELETE FROM power_rollup r USING power_rollup_touched k
     WHERE r.cell_id = k.cell_id AND r.width = k.width AND r.bucket = k.bucket;
    INSERT INTO power_rollup
    SELECT k.cell_id, k.width, k.bucket, count(*),
           count(s.voltage), coalesce(sum(s.voltage * 1e3), 0), min(s.voltage * 1e3), max(s.voltage * 1e3),
           count(s.current), coalesce(sum(s.current * 1e6), 0), min(s.current * 1e6), max(s.current * 1e6),
           count(s.voltage * s.current), coalesce(sum(s.voltage * s.current * 1e6), 0),
           min(s.voltage * s.current * 1e6), max(s.voltage * s.current * 1e6)
      FROM power_rollup_touched k
      JOIN power_data s ON s.cell_id = k.cell_id AND s.ts >= k.bucket
                       AND s.ts < k.bucket + ('1 ' || k.width)::interval
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3;
END $$;

CREATE FUNCTION power_rollup_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM power_rollup_rebuild(array_agg(cell_id), array_agg(date_trunc('hour', ts)))
       FROM (SELECT DISTINCT cell_id, date_trunc('hour', ts) AS ts FROM deleted) d;
    RETURN NULL;
END $$;

CREATE FUNCTION power_rollup_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM power_rollup_rebuild(array_agg(cell_id), array_agg(ts))
       FROM (SELECT cell_id, date_trunc('hour', ts) AS ts FROM before_rows
             UNION SELECT cell_id, date_trunc('hour', ts) FROM after_rows) d;
    RETURN NULL;
END $$;

CREATE TRIGGER power_rollup_insert AFTER INSERT ON power_data
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION power_rollup_add();
CREATE TRIGGER power_rollup_delete AFTER DELETE ON power_data
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION power_rollup_on_delete();
CREATE TRIGGER power_rollup_update AFTER UPDATE ON power_data
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION power_rollup_on_update();

-- ---------------------------------------------------------------- teros_data
-- VWC is normalised once, per row, before aggregation (fix of D-49): a value in (0, 1] is a
-- fraction → ×100; anything else is already a percentage (or nonsense kept as sent).

CREATE FUNCTION teros_vwc_percent(vwc double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN vwc > 0 AND vwc <= 1 THEN vwc * 100 ELSE vwc END $$;

CREATE FUNCTION teros_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO teros_rollup AS r
    SELECT s.cell_id, w.width, date_trunc(w.width, s.ts), count(*),
           count(s.vwc), coalesce(sum(teros_vwc_percent(s.vwc)), 0),
           min(teros_vwc_percent(s.vwc)), max(teros_vwc_percent(s.vwc)),
           count(s.temp), coalesce(sum(s.temp), 0), min(s.temp), max(s.temp),
           count(s.ec), coalesce(sum(s.ec), 0), min(s.ec), max(s.ec),
           count(s.raw_vwc), coalesce(sum(s.raw_vwc), 0), min(s.raw_vwc), max(s.raw_vwc)
      FROM inserted s CROSS JOIN rollup_widths() w
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (cell_id, width, bucket) DO UPDATE SET
        n_rows = r.n_rows + excluded.n_rows,
        n_vwc = r.n_vwc + excluded.n_vwc, sum_vwc = r.sum_vwc + excluded.sum_vwc,
        min_vwc = least(r.min_vwc, excluded.min_vwc), max_vwc = greatest(r.max_vwc, excluded.max_vwc),
        n_temp = r.n_temp + excluded.n_temp, sum_temp = r.sum_temp + excluded.sum_temp,
        min_temp = least(r.min_temp, excluded.min_temp), max_temp = greatest(r.max_temp, excluded.max_temp),
        n_ec = r.n_ec + excluded.n_ec, sum_ec = r.sum_ec + excluded.sum_ec,
        min_ec = least(r.min_ec, excluded.min_ec), max_ec = greatest(r.max_ec, excluded.max_ec),
        n_raw_vwc = r.n_raw_vwc + excluded.n_raw_vwc, sum_raw_vwc = r.sum_raw_vwc + excluded.sum_raw_vwc,
        min_raw_vwc = least(r.min_raw_vwc, excluded.min_raw_vwc),
        max_raw_vwc = greatest(r.max_raw_vwc, excluded.max_raw_vwc);
    RETURN NULL;
END $$;

CREATE FUNCTION teros_rollup_rebuild(cells integer[], stamps timestamp without time zone[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS teros_rollup_touched
        (cell_id integer, width text, bucket timestamp without time zone) ON COMMIT DROP;
    DELETE FROM teros_rollup_touched;
    INSERT INTO teros_rollup_touched
    SELECT DISTINCT u.c, w.width, date_trunc(w.width, u.t)
      FROM unnest(cells, stamps) AS u(c, t) CROSS JOIN rollup_widths() w;
    DELETE FROM teros_rollup r USING teros_rollup_touched k
     WHERE r.cell_id = k.cell_id AND r.width = k.width AND r.bucket = k.bucket;
    INSERT INTO teros_rollup
    SELECT k.cell_id, k.width, k.bucket, count(*),
           count(s.vwc), coalesce(sum(teros_vwc_percent(s.vwc)), 0),
           min(teros_vwc_percent(s.vwc)), max(teros_vwc_percent(s.vwc)),
           count(s.temp), coalesce(sum(s.temp), 0), min(s.temp), max(s.temp),
           count(s.ec), coalesce(sum(s.ec), 0), min(s.ec), max(s.ec),
           count(s.raw_vwc), coalesce(sum(s.raw_vwc), 0), min(s.raw_vwc), max(s.raw_vwc)
      FROM teros_rollup_touched k
      JOIN teros_data s ON s.cell_id = k.cell_id AND s.ts >= k.bucket
                       AND s.ts < k.bucket + ('1 ' || k.width)::interval
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3;
END $$;

CREATE FUNCTION teros_rollup_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM teros_rollup_rebuild(array_agg(cell_id), array_agg(ts))
       FROM (SELECT DISTINCT cell_id, date_trunc('hour', ts) AS ts FROM deleted) d;
    RETURN NULL;
END $$;

CREATE FUNCTION teros_rollup_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM teros_rollup_rebuild(array_agg(cell_id), array_agg(ts))
       FROM (SELECT cell_id, date_trunc('hour', ts) AS ts FROM before_rows
             UNION SELECT cell_id, date_trunc('hour', ts) FROM after_rows) d;
    RETURN NULL;
END $$;

CREATE TRIGGER teros_rollup_insert AFTER INSERT ON teros_data
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION teros_rollup_add();
CREATE TRIGGER teros_rollup_delete AFTER DELETE ON teros_data
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION teros_rollup_on_delete();
CREATE TRIGGER teros_rollup_update AFTER UPDATE ON teros_data
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION teros_rollup_on_update();

-- ---------------------------------------------------------------- data

CREATE FUNCTION data_rollup_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO data_rollup AS r
    SELECT s.sensor_id, w.width, date_trunc(w.width, s.ts), count(*),
           count(s.float_val), coalesce(sum(s.float_val), 0), min(s.float_val), max(s.float_val),
           count(s.int_val), coalesce(sum(s.int_val::double precision), 0), min(s.int_val), max(s.int_val)
      FROM inserted s CROSS JOIN rollup_widths() w
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (sensor_id, width, bucket) DO UPDATE SET
        n_rows = r.n_rows + excluded.n_rows,
        n_float = r.n_float + excluded.n_float, sum_float = r.sum_float + excluded.sum_float,
        min_float = least(r.min_float, excluded.min_float),
        max_float = greatest(r.max_float, excluded.max_float),
        n_int = r.n_int + excluded.n_int, sum_int = r.sum_int + excluded.sum_int,
        min_int = least(r.min_int, excluded.min_int), max_int = greatest(r.max_int, excluded.max_int);
    RETURN NULL;
END $$;

CREATE FUNCTION data_rollup_rebuild(sensors integer[], stamps timestamp without time zone[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    CREATE TEMP TABLE IF NOT EXISTS data_rollup_touched
        (sensor_id integer, width text, bucket timestamp without time zone) ON COMMIT DROP;
    DELETE FROM data_rollup_touched;
    INSERT INTO data_rollup_touched
    SELECT DISTINCT u.c, w.width, date_trunc(w.width, u.t)
      FROM unnest(sensors, stamps) AS u(c, t) CROSS JOIN rollup_widths() w;
    DELETE FROM data_rollup r USING data_rollup_touched k
     WHERE r.sensor_id = k.sensor_id AND r.width = k.width AND r.bucket = k.bucket;
    INSERT INTO data_rollup
    SELECT k.sensor_id, k.width, k.bucket, count(*),
           count(s.float_val), coalesce(sum(s.float_val), 0), min(s.float_val), max(s.float_val),
           count(s.int_val), coalesce(sum(s.int_val::double precision), 0), min(s.int_val), max(s.int_val)
      FROM data_rollup_touched k
      JOIN data s ON s.sensor_id = k.sensor_id AND s.ts >= k.bucket
                 AND s.ts < k.bucket + ('1 ' || k.width)::interval
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3;
END $$;

CREATE FUNCTION data_rollup_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_rollup_rebuild(array_agg(sensor_id), array_agg(ts))
       FROM (SELECT DISTINCT sensor_id, date_trunc('hour', ts) AS ts FROM deleted) d;
    RETURN NULL;
END $$;

CREATE FUNCTION data_rollup_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM data_rollup_rebuild(array_agg(sensor_id), array_agg(ts))
       FROM (SELECT sensor_id, date_trunc('hour', ts) AS ts FROM before_rows
             UNION SELECT sensor_id, date_trunc('hour', ts) FROM after_rows) d;
    RETURN NULL;
END $$;

CREATE TRIGGER data_rollup_insert AFTER INSERT ON data
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION data_rollup_add();
CREATE TRIGGER data_rollup_delete AFTER DELETE ON data
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION data_rollup_on_delete();
CREATE TRIGGER data_rollup_update AFTER UPDATE ON data
    REFERENCING OLD TABLE AS before_rows NEW TABLE AS after_rows
    FOR EACH STATEMENT EXECUTE FUNCTION data_rollup_on_update();

-- ---------------------------------------------------------------- back-fill
-- An adopted upstream database (or one migrated before this) already has rows: aggregate
-- them once. The triggers exist already, so rows inserted concurrently are not lost (the
-- migration runs in one transaction before the server serves).

SELECT power_rollup_rebuild(array_agg(cell_id), array_agg(ts))
  FROM (SELECT DISTINCT cell_id, date_trunc('hour', ts) AS ts FROM power_data) d;
SELECT teros_rollup_rebuild(array_agg(cell_id), array_agg(ts))
  FROM (SELECT DISTINCT cell_id, date_trunc('hour', ts) AS ts FROM teros_data) d;
SELECT data_rollup_rebuild(array_agg(sensor_id), array_agg(ts))
  FROM (SELECT DISTINCT sensor_id, date_trunc('hour', ts) AS ts FROM data) d;
