#!/usr/bin/env bash
# Benchmarks (never asserted in tests; method and figures in docs/performance.md).
#
# Ingestion: a release `ents serve` on a fresh database, `ents-load` posting protobuf uploads
# over many concurrent connections (each with a distinct device timestamp, so every success is
# new rows), then the rows in the database are counted and compared with the successes. In
# the same run, pgbench measures PostgreSQL's own single-row insert ceiling on the same table
# (same indexes and triggers, one INSERT … ON CONFLICT DO NOTHING per transaction, same
# number of connections), and the ratio is printed. Then the same load in queued mode
# (RabbitMQ + `ents-worker`), measured at the API and until the worker has written every row.
#
#   BENCH_CONNECTIONS=64 BENCH_REQUESTS=20000 BENCH_KIND=power|generic BENCH_ITEMS=4 \
#   BENCH_CELLS=1000 BENCH_POOL=16 BENCH_QUEUED=1 BENCH_QUEUED_WORKER=after|during scripts/bench.sh
#
# Queued mode measures what it is for: how fast the API accepts (durably, after the broker's
# confirm) uploads. With BENCH_QUEUED_WORKER=after (default) the worker starts once the load
# is over and the end-to-end figure includes its drain; `during` runs it alongside, sharing
# this host's CPUs with the API, the broker and the load generator.
#
# Uploads are spread over BENCH_CELLS cells (pgbench too): the series rollup triggers update
# one row per (cell, hour), so a single hot cell would measure that row's lock, not ingestion.
set -euo pipefail
cd "$(dirname "$0")/.."
connections="${BENCH_CONNECTIONS:-64}"
requests="${BENCH_REQUESTS:-20000}"
kind="${BENCH_KIND:-power}"
items="${BENCH_ITEMS:-4}"
queued="${BENCH_QUEUED:-1}"
cells="${BENCH_CELLS:-1000}"
queued_worker="${BENCH_QUEUED_WORKER:-after}"
bench=bench
source scripts/bench-lib.sh
build_release -p ents-server --bin ents -p ents-worker --bin ents-worker -p ents-bench --bin ents-load

port=$(free_port)
export ENTS_DATABASE__POOL_MAX_SIZE="${BENCH_POOL:-16}" ENTS_INGEST__QUEUE="ents_bench_ingest_$$"
reset_rows() { q "TRUNCATE power_data, data, sensor RESTART IDENTITY CASCADE" >/dev/null; q "TRUNCATE power_rollup, data_rollup" >/dev/null 2>&1 || true; }
rows() { q "SELECT (SELECT count(*) FROM power_data) + (SELECT count(*) FROM data)"; }
load() {
  "$bin_dir/ents-load" --url "http://127.0.0.1:$port/api/sensor/" --connections "$connections" \
    --requests "$requests" --kind "$kind" --items "$items" --cells "$cells"
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

start_server "$port" bench-server   # creates and migrates the database
q "INSERT INTO cell (id, name) SELECT i, 'bench-' || i FROM generate_series(1, $cells) i ON CONFLICT DO NOTHING;
   INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'bench', gen_random_uuid(), now()) ON CONFLICT DO NOTHING;" >/dev/null

# Warm-up (connections, prepared statements, sensor cache), not measured.
"$bin_dir/ents-load" --url "http://127.0.0.1:$port/api/sensor/" --connections 8 --requests 500 \
  --kind "$kind" --items "$items" --cells "$cells" --ts0 1000000000 >/dev/null
reset_rows

say "direct mode: $requests $kind uploads over $connections connections"
direct=$(load)
direct_rows=$(rows)
stop_last

# PostgreSQL's own ceiling: single-row inserts into the same table, one per transaction.
reset_rows
script=$(mktemp)
if [[ "$kind" == power ]]; then
  cat >"$script" <<'SQL'
\set n random(1, 2000000000)
\set c random(1, :cells)
INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) VALUES (:c, 1, to_timestamp(:n) AT TIME ZONE 'UTC', 1.5, 0.0002) ON CONFLICT (cell_id, ts, logger_id) DO NOTHING;
SQL
else
  q "INSERT INTO sensor (cell_id, name, measurement, unit, data_type) SELECT i, 'POWER_VOLTAGE', 'Voltage', 'mV', 'float' FROM generate_series(1, $cells) i" >/dev/null
  cat >"$script" <<'SQL'
\set n random(1, 2000000000)
\set c random(1, :cells)
INSERT INTO data (sensor_id, ts, float_val) VALUES (:c, to_timestamp(:n) AT TIME ZONE 'UTC', 1.5) ON CONFLICT (sensor_id, ts) DO NOTHING;
SQL
fi
say "pgbench: single-row inserts over $cells cells, $connections connections, 15 s"
pgbench_tps=$(pgbench -h 127.0.0.1 -U postgres -n -c "$connections" -j 2 -T 15 -D cells="$cells" -f "$script" "$db" 2>/dev/null \
  | awk '/^tps = / {print $3; exit}')
rm -f "$script"
reset_rows

queued_line=""
if [[ "$queued" == 1 ]]; then
  export ENTS_AMQP__URL="$amqp" ENTS_INGEST__MODE=queued
  # `during`: the worker drains while the load runs (on this host it then competes with the
  # API for the same CPUs); `after` (default): the burst is absorbed by the broker first, as
  # when the database is the bottleneck, and the worker drains it afterwards.
  [[ "$queued_worker" == during ]] && start_worker bench-worker
  start_server "$port" bench-server
  say "queued mode: same load (worker $queued_worker), then until the worker has written every row"
  started=$(date +%s.%N)
  queued_line=$(load)
  [[ "$queued_worker" == during ]] || start_worker bench-worker
  expected=$(field "$queued_line" rows_expected | cut -d. -f1)
  for _ in $(seq 1 600); do
    [[ "$(rows)" -ge "$expected" ]] && break
    sleep 0.2
  done
  finished=$(date +%s.%N)
  queued_rows=$(rows)
fi

python3 - "$direct" "$direct_rows" "$pgbench_tps" "$kind" "$queued_line" "${queued_rows:-0}" "${started:-0}" "${finished:-0}" "$queued_worker" <<'PY'
import json, sys
direct, direct_rows, tps, kind, queued, queued_rows, started, finished, worker = sys.argv[1:]
d = json.loads(direct)
tps = float(tps or 0)
rows_per_req = d["rows_expected"] / max(d["successes"], 1)
print(f"direct:  {d['requests_per_s']:.0f} req/s, {d['rows_per_s']:.0f} rows/s, p50 {d['p50_ms']:.1f} ms, "
      f"p99 {d['p99_ms']:.1f} ms, failures {d['failures']}, rows in DB {direct_rows} "
      f"{'==' if int(direct_rows) == int(d['rows_expected']) else '!='} successes x rows/request {d['rows_expected']:.0f}")
print(f"pgbench: {tps:.0f} single-row inserts/s ({kind} table shape)")
if tps:
    print(f"ratio:   direct {d['rows_per_s'] / tps:.0%} of the single-row insert ceiling (rows/s), "
          f"{d['requests_per_s'] / tps:.0%} in requests/s")
if queued:
    qd = json.loads(queued)
    end_to_end = float(queued_rows) / (float(finished) - float(started))
    print(f"queued:  (worker {worker}) {qd['requests_per_s']:.0f} req/s accepted ({qd['rows_per_s']:.0f} rows/s), p50 {qd['p50_ms']:.1f} ms, "
          f"p99 {qd['p99_ms']:.1f} ms, failures {qd['failures']}; written end to end {end_to_end:.0f} rows/s, "
          f"rows in DB {queued_rows} {'==' if int(queued_rows) == int(qd['rows_expected']) else '!='} {qd['rows_expected']:.0f}")
    if tps:
        print(f"ratio:   queued {qd['rows_per_s'] / tps:.0%} of the ceiling at the API, {end_to_end / tps:.0%} end to end")
PY
