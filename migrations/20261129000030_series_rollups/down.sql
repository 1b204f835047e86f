DROP TRIGGER IF EXISTS power_rollup_insert ON power_data;
DROP TRIGGER IF EXISTS power_rollup_delete ON power_data;
DROP TRIGGER IF EXISTS power_rollup_update ON power_data;
DROP TRIGGER IF EXISTS teros_rollup_insert ON teros_data;
DROP TRIGGER IF EXISTS teros_rollup_delete ON teros_data;
DROP TRIGGER IF EXISTS teros_rollup_update ON teros_data;
DROP TRIGGER IF EXISTS data_rollup_insert ON data;
DROP TRIGGER IF EXISTS data_rollup_delete ON data;
DROP TRIGGER IF EXISTS data_rollup_update ON data;
DROP FUNCTION IF EXISTS power_rollup_add(), power_rollup_on_delete(), power_rollup_on_update(),
    power_rollup_rebuild(integer[], timestamp without time zone[]),
    teros_rollup_add(), teros_rollup_on_delete(), teros_rollup_on_update(),
    teros_rollup_rebuild(integer[], timestamp without time zone[]),
    data_rollup_add(), data_rollup_on_delete(), data_rollup_on_update(),
    data_rollup_rebuild(integer[], timestamp without time zone[]),
    teros_vwc_percent(double precision), rollup_widths();
DROP TABLE IF EXISTS power_rollup, teros_rollup, data_rollup;
