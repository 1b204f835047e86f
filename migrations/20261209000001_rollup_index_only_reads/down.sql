ALTER TABLE data_rollup DROP CONSTRAINT data_rollup_pkey,
    ADD CONSTRAINT data_rollup_pkey PRIMARY KEY (sensor_id, width, bucket);
ALTER TABLE teros_rollup DROP CONSTRAINT teros_rollup_pkey,
    ADD CONSTRAINT teros_rollup_pkey PRIMARY KEY (cell_id, width, bucket);
ALTER TABLE power_rollup DROP CONSTRAINT power_rollup_pkey,
    ADD CONSTRAINT power_rollup_pkey PRIMARY KEY (cell_id, width, bucket);
