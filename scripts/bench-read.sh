#!/usr/bin/env bash
# Reading and export benchmarks (issue 6; never asserted in tests; figures in
# docs/performance.md).
#
# 1. Resample: BENCH_SERIES_ROWS (1,000,000) power rows in one series over 30 days. The same
#    hourly request, GET /api/power/1?resample=hour over the 30 days, is timed against two
#    release servers on the same database — one with the rollups (the default), one with
#    `series.use_rollups = false` (every bucket computed from the raw rows) — and, in the
#    same run, pgbench times the bare SQL of that query (the plain GROUP BY date_trunc an
#    engineer would write; and the exact statement the server sends, to separate the SQL's
#    cost from the HTTP stack's). Means over BENCH_READS requests each, after a warm-up.
# 2. Export: BENCH_EXPORT_ROWS (10,000,000) power rows in another cell, exported raw as CSV by
#    `ents-worker` through RabbitMQ; the worker's resident memory is sampled while it runs
#    (at each tenth of the progress) to show it stays flat.
#
#   BENCH_SERIES_ROWS=1000000 BENCH_EXPORT_ROWS=10000000 BENCH_READS=20 scripts/bench-read.sh
set -euo pipefail
cd "$(dirname "$0")/.."
series_rows="${BENCH_SERIES_ROWS:-1000000}"
export_rows="${BENCH_EXPORT_ROWS:-10000000}"
reads="${BENCH_READS:-20}"
bench=bench-read
source scripts/bench-lib.sh
build_release -p ents-server --bin ents -p ents-worker --bin ents-worker

rollup_port=$(free_port)
raw_port=$(free_port)
# Jobs go to RabbitMQ on a queue of this run only, so the worker below is the one exporting.
export ENTS_AMQP__URL="$amqp" ENTS_AMQP__QUEUE="ents_bench_jobs_$$" \
  ENTS_INGEST__QUEUE="ents_bench_ingest_$$" ENTS_EXPORTS__DIRECTORY="$scratch/exports"

start_server "$rollup_port" bench-read-rollups   # creates and migrates the database
start_server "$raw_port" bench-read-raw ENTS_SERIES__USE_ROLLUPS=false

# The series: one row every 2.592 s over 30 days from 2024-01-01 (1,000,000 rows by
# default), inserted in one statement so the rollup triggers run once per statement.
say "inserting $series_rows rows into one series"
q "INSERT INTO cell (id, name) VALUES (1, 'bench-series'), (2, 'bench-export');
   INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'bench', gen_random_uuid(), now());
   INSERT INTO power_data (cell_id, logger_id, ts, voltage, current)
   SELECT 1, 1, timestamp '2024-01-01' + i * (interval '30 days' / $series_rows),
          1.5 + (i % 1000) / 1000.0, 0.0002 + (i % 7) / 1e5
     FROM generate_series(0, $series_rows - 1) i;" >/dev/null
q "VACUUM ANALYZE power_data" >/dev/null
q "VACUUM ANALYZE power_rollup" >/dev/null

range="startTime=2024-01-01T00:00:00Z&endTime=2024-01-31T00:00:00Z&resample=hour"
say "hourly resample over 30 days: $reads requests per variant"
with_rollups=$(python3 scripts/bench_probe.py get "http://127.0.0.1:$rollup_port/api/power/1?$range" "$reads")
raw=$(python3 scripts/bench_probe.py get "http://127.0.0.1:$raw_port/api/power/1?$range" "$reads")

pgbench_ms() { # the mean latency of a one-statement script, one client, $reads runs
  local script
  script=$(mktemp)
  printf '%s\n' "$1" >"$script"
  pgbench -h 127.0.0.1 -U postgres -n -c 1 -t 3 -f "$script" "$db" >/dev/null 2>&1
  pgbench -h 127.0.0.1 -U postgres -n -c 1 -t "$reads" -f "$script" "$db" 2>/dev/null \
    | awk '/^latency average = / {print $4; exit}'
  rm -f "$script"
}
bare_sql="SELECT date_trunc('hour', ts) AS bucket, avg(voltage * 1e3), avg(current * 1e6), avg(voltage * current * 1e6) FROM power_data WHERE cell_id = 1 AND ts BETWEEN '2024-01-01' AND '2024-01-31' GROUP BY 1 ORDER BY 1;"
# The statement the raw server sends (series/query.rs bucket_sql, rollup range empty).
server_sql="WITH parts AS (
  SELECT date_trunc('hour', bucket) AS b, n_v AS n0, sum_v AS s0, min_v AS lo0, max_v AS hi0, n_i AS n1, sum_i AS s1, min_i AS lo1, max_i AS hi1, n_p AS n2, sum_p AS s2, min_p AS lo2, max_p AS hi2, 0::bigint AS n3, 0::double precision AS s3, NULL::double precision AS lo3, NULL::double precision AS hi3
    FROM power_rollup WHERE cell_id = 1 AND width = 'hour' AND bucket >= '2024-01-31 00:00:00.000001' AND bucket < '2024-01-31 00:00:00.000001'
  UNION ALL
  SELECT date_trunc('hour', ts), count(voltage * 1e3), coalesce(sum(voltage * 1e3), 0), min(voltage * 1e3), max(voltage * 1e3), count(current * 1e6), coalesce(sum(current * 1e6), 0), min(current * 1e6), max(current * 1e6), count(voltage * current * 1e6), coalesce(sum(voltage * current * 1e6), 0), min(voltage * current * 1e6), max(voltage * current * 1e6), 0::bigint, 0::double precision, NULL::double precision, NULL::double precision
    FROM power_data WHERE cell_id = 1 AND ts >= '2024-01-01' AND ts < '2024-01-31 00:00:00.000001' GROUP BY 1
  UNION ALL
  SELECT date_trunc('hour', ts), count(voltage * 1e3), coalesce(sum(voltage * 1e3), 0), min(voltage * 1e3), max(voltage * 1e3), count(current * 1e6), coalesce(sum(current * 1e6), 0), min(current * 1e6), max(current * 1e6), count(voltage * current * 1e6), coalesce(sum(voltage * current * 1e6), 0), min(voltage * current * 1e6), max(voltage * current * 1e6), 0::bigint, 0::double precision, NULL::double precision, NULL::double precision
    FROM power_data WHERE cell_id = 1 AND ts >= '2024-01-31 00:00:00.000001' AND ts <= '2024-01-31' GROUP BY 1)
SELECT b AS bucket, sum(n0)::bigint AS n0, sum(s0) AS s0, min(lo0) AS lo0, max(hi0) AS hi0, sum(n1)::bigint AS n1, sum(s1) AS s1, min(lo1) AS lo1, max(hi1) AS hi1, sum(n2)::bigint AS n2, sum(s2) AS s2, min(lo2) AS lo2, max(hi2) AS hi2, sum(n3)::bigint AS n3, sum(s3) AS s3, min(lo3) AS lo3, max(hi3) AS hi3 FROM parts GROUP BY b ORDER BY b;"
bare_ms=$(pgbench_ms "$bare_sql")
server_sql_ms=$(pgbench_ms "$(tr '\n' ' ' <<<"$server_sql")")
stop_last   # the raw server

# The export: cell 2, raw rows (the rollup and foreign-key triggers are not needed to read
# them back, so the load skips them).
say "inserting $export_rows rows to export"
q "SET session_replication_role = replica;
   INSERT INTO power_data (cell_id, logger_id, ts, voltage, current)
   SELECT 2, 1, timestamp '2020-01-01' + i * interval '1 second', 1.25, 0.0003
     FROM generate_series(0, $export_rows - 1) i;" >/dev/null
q "VACUUM ANALYZE power_data;" >/dev/null
start_worker bench-read-worker
worker_pid=${pids[-1]}
sleep 2   # connected and consuming
end=$(q "SELECT to_char(max(ts), 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM power_data WHERE cell_id = 2")
say "exporting $export_rows rows (every value: $((export_rows * 3)) CSV lines)"
exported=$(python3 scripts/bench_probe.py export "http://127.0.0.1:$rollup_port" \
  "{\"cell_ids\": [2], \"start\": \"2020-01-01T00:00:00Z\", \"end\": \"$end\", \"resample\": \"none\"}" \
  "$worker_pid")

python3 - "$with_rollups" "$raw" "$bare_ms" "$server_sql_ms" "$series_rows" "$exported" <<'PY'
import json, sys
rolled, raw, bare_ms, server_sql_ms, rows, exported = sys.argv[1:]
rolled, raw, e = json.loads(rolled), json.loads(raw), json.loads(exported)
bare_ms, server_sql_ms = float(bare_ms), float(server_sql_ms)
print(f"resample: {int(rows):,} rows in one series, hourly over 30 days ({raw['points']} buckets, "
      f"{raw['response_bytes']:,} bytes), means of {raw['requests']} requests")
print(f"  bare SQL (GROUP BY date_trunc, avg)   {bare_ms:8.1f} ms")
print(f"  the server's SQL, rollups off         {server_sql_ms:8.1f} ms")
print(f"  API, rollups off                      {raw['mean_ms']:8.1f} ms  = {raw['mean_ms'] / bare_ms:.2f}x the bare SQL")
print(f"  API, rollups on                       {rolled['mean_ms']:8.1f} ms  = {rolled['mean_ms'] / bare_ms:.2f}x the bare SQL")
if rolled["points"] != raw["points"]:
    print(f"  !! bucket counts differ: rollups {rolled['points']}, raw {raw['points']}")
print(f"export: {e['rows']:,} CSV rows, {e['bytes'] / 2**20:,.0f} MiB in {e['seconds']:.0f} s "
      f"({e['rows_per_s']:,.0f} rows/s)")
print(f"  worker RSS before {e['rss_before_mib']} MiB, highest while exporting {e['rss_max_sampled_mib']} MiB "
      f"({e['samples']} samples, every 0.25 s)")
print(f"  RSS at each tenth of the progress (MiB): {e['rss_by_tenth_mib']}")
PY
