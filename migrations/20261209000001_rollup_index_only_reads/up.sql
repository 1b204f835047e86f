-- The rollup primary keys carry every aggregate column (INCLUDE), so a chart reads its
-- buckets from the index alone (an index-only scan) instead of one heap page per bucket.
--
-- Why: the rollup rows of one series are spread over the whole table (the triggers append
-- them as uploads of every series arrive), so a one-year hourly chart (8,784 buckets) read
-- 7,759 heap pages on a 200-cell year (`just bench-scale`, docs/performance.md "A year of
-- data"): 560 ms cold, and growing with the number of series. With the aggregates in the
-- key's index the same read touches the ~170 leaf pages of that series: 4 ms cold.
-- The key columns are unchanged, so `ON CONFLICT (…)` of the triggers still infers this
-- index. Cost: the index is about as large as the table, and a bucket's update is no longer
-- HOT (its index entry changes); measured in docs/performance.md.
ALTER TABLE power_rollup DROP CONSTRAINT power_rollup_pkey,
    ADD CONSTRAINT power_rollup_pkey PRIMARY KEY (cell_id, width, bucket)
    INCLUDE (n_rows, n_v, sum_v, min_v, max_v, n_i, sum_i, min_i, max_i,
             n_p, sum_p, min_p, max_p);
ALTER TABLE teros_rollup DROP CONSTRAINT teros_rollup_pkey,
    ADD CONSTRAINT teros_rollup_pkey PRIMARY KEY (cell_id, width, bucket)
    INCLUDE (n_rows, n_vwc, sum_vwc, min_vwc, max_vwc, n_temp, sum_temp, min_temp, max_temp,
             n_ec, sum_ec, min_ec, max_ec, n_raw_vwc, sum_raw_vwc, min_raw_vwc, max_raw_vwc);
ALTER TABLE data_rollup DROP CONSTRAINT data_rollup_pkey,
    ADD CONSTRAINT data_rollup_pkey PRIMARY KEY (sensor_id, width, bucket)
    INCLUDE (n_rows, n_float, sum_float, min_float, max_float,
             n_int, sum_int, min_int, max_int);
