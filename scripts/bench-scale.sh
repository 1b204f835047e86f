#!/usr/bin/env bash
# A year of data (issue 16 §3; never asserted in tests; figures in docs/performance.md
# "A year of data").
#
# Two databases in one run, each behind its own release server:
# - big: BENCH_SCALE_CELLS (200) cells, each with power, TEROS and two generic float sensors,
#   one reading every BENCH_SCALE_STEP_MIN (10) minutes over BENCH_SCALE_DAYS (365) days of
#   2024 — 200 × 4 × 52,560 ≈ 42 million rows by default (step 1 = one a minute ≈ 420
#   million, the real size). Loaded time-major (as uploads arrive) with INSERT … SELECT
#   generate_series and the triggers off, then the rollups built in one statement per table
#   (timed: that is a rollup rebuild), then VACUUM ANALYZE (timed);
# - small: the same cells and sensors with one day of data.
# Against both, the same reads (p50/p99 over BENCH_READS, server CPU per request): a one-year
# hourly and daily power chart of one cell, a raw day at the end of the year (with the bare
# SQL's p50 from pgbench beside it), /api/data-availability/, the sensor catalog,
# /api/cell/<id>/sensors and the cell list. Around every read the script counts the
# sequential scans of the measurement tables (pg_stat_user_tables, after waiting
# BENCH_SCALE_STATS_WAIT = 11 s for the servers' statistics): a read that scans a whole
# table shows there. Then ingestion (`ents-load`, BENCH_INGEST_REQUESTS power uploads over 16
# connections, device times after the year) into both; an export of cell 1's year, all its
# series (CSV lines/s, through `ents-worker`); and the storage per reading.
# BENCH_KEEP_DB=1 keeps both databases (named on exit) to EXPLAIN their reads afterwards.
#
# The run in docs/performance.md (200 cells, step 20 = 21 million rows) took ~15 minutes on
# the 2-core VM, 9 of them loading; the big database took ~5 GB.
#
#   BENCH_SCALE_CELLS=200 BENCH_SCALE_DAYS=365 BENCH_SCALE_STEP_MIN=20 BENCH_READS=30 \
#     BENCH_INGEST_REQUESTS=4000 scripts/bench-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cells="${BENCH_SCALE_CELLS:-200}"
days="${BENCH_SCALE_DAYS:-365}"
step="${BENCH_SCALE_STEP_MIN:-10}"
reads="${BENCH_READS:-50}"
ingest_requests="${BENCH_INGEST_REQUESTS:-8000}"
bench=bench-scale
source scripts/bench-lib.sh
build_release -p ents-server --bin ents -p ents-worker --bin ents-worker -p ents-bench --bin ents-load

small_db="${db}_small"
small_pg="postgres://postgres@127.0.0.1:5432/$small_db"
trap 'bench_cleanup; drop_database "$small_db"' EXIT
qs() { psql "$small_pg" -v ON_ERROR_STOP=1 -Atqc "$1"; }
now() { date +%s.%N; }
export ENTS_AMQP__URL="$amqp" ENTS_AMQP__QUEUE="ents_bench_jobs_$$" \
  ENTS_INGEST__QUEUE="ents_bench_ingest_$$" ENTS_EXPORTS__DIRECTORY="$scratch/exports"

big_port=$(free_port)
small_port=$(free_port)
start_server "$big_port" bench-scale-big   # creates and migrates the big database
big_pid=${pids[-1]}
DATABASE_URL="$small_pg" start_server "$small_port" bench-scale-small
small_pid=${pids[-1]}

# $1 = psql function (q or qs), $2 = days of data.
load() {
  local run=$1 n=$(( $2 * 1440 / step ))
  local at="timestamp '2024-01-01' + i * interval '$step minutes'"
  # Time-major, as devices upload: every cell's reading of minute i, then minute i + 1 (the
  # `+ 0 * i` makes the cells a lateral function of i, so the planner cannot swap the
  # loops). A cell-major load would store each series contiguously, which no deployment does.
  $run "INSERT INTO cell (id, name) SELECT c, 'bench-' || c FROM generate_series(1, $cells) c;
        INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'bench', gen_random_uuid(), now());
        INSERT INTO sensor (id, cell_id, name, measurement, data_type, unit)
        SELECT 2 * c - 1 + k, c, 'bench' || k, 'value', 'float', 'u'
          FROM generate_series(1, $cells) c, generate_series(0, 1) k;
        SET session_replication_role = replica;
        INSERT INTO power_data (cell_id, logger_id, ts, ts_server, voltage, current)
        SELECT c, 1, $at, $at, 1.5 + random(), 0.0002 + random() / 1e4
          FROM generate_series(0, $n - 1) i, generate_series(1, $cells + 0 * i) c;
        INSERT INTO teros_data (cell_id, ts, ts_server, vwc, temp, ec, raw_vwc)
        SELECT c, $at, $at, 2000 + random() * 500, 15 + random() * 10, (random() * 400)::int,
               2000 + random() * 500
          FROM generate_series(0, $n - 1) i, generate_series(1, $cells + 0 * i) c;
        INSERT INTO data (sensor_id, ts, ts_server, float_val)
        SELECT s, $at, $at, random() * 100
          FROM generate_series(0, $n - 1) i, generate_series(1, 2 * $cells + 0 * i) s;" >/dev/null
}
# The rollups from the whole raw tables, as the triggers would have kept them.
rebuild_rollups() {
  $1 "TRUNCATE power_rollup, teros_rollup, data_rollup;
      INSERT INTO power_rollup
      SELECT cell_id, w.width, date_trunc(w.width, ts), count(*),
             count(voltage), coalesce(sum(voltage * 1e3), 0), min(voltage * 1e3), max(voltage * 1e3),
             count(current), coalesce(sum(current * 1e6), 0), min(current * 1e6), max(current * 1e6),
             count(voltage * current), coalesce(sum(voltage * current * 1e6), 0),
             min(voltage * current * 1e6), max(voltage * current * 1e6)
        FROM power_data CROSS JOIN rollup_widths() w GROUP BY 1, 2, 3;
      INSERT INTO teros_rollup
      SELECT cell_id, w.width, date_trunc(w.width, ts), count(*),
             count(teros_vwc_percent(vwc)), coalesce(sum(teros_vwc_percent(vwc)), 0),
             min(teros_vwc_percent(vwc)), max(teros_vwc_percent(vwc)),
             count(temp), coalesce(sum(temp), 0), min(temp), max(temp),
             count(ec), coalesce(sum(ec), 0), min(ec), max(ec),
             count(raw_vwc), coalesce(sum(raw_vwc), 0), min(raw_vwc), max(raw_vwc)
        FROM teros_data CROSS JOIN rollup_widths() w GROUP BY 1, 2, 3;
      INSERT INTO data_rollup
      SELECT sensor_id, w.width, date_trunc(w.width, ts), count(*),
             count(float_val), coalesce(sum(float_val), 0), min(float_val), max(float_val),
             count(int_val), coalesce(sum(int_val), 0), min(int_val), max(int_val)
        FROM data CROSS JOIN rollup_widths() w GROUP BY 1, 2, 3;" >/dev/null
}

say "small database: $cells cells, one day"
load qs 1
rebuild_rollups qs
qs "VACUUM ANALYZE" >/dev/null
rows=$(( cells * 4 * days * 1440 / step ))
say "big database: $cells cells × 4 series × $days days every $step min = $rows rows"
t0=$(now); load q "$days"; t1=$(now)
rebuild_rollups q; t2=$(now)
q "VACUUM ANALYZE" >/dev/null; t3=$(now)
load_s=$(echo "$t1 - $t0" | bc); rollup_s=$(echo "$t2 - $t1" | bc); vacuum_s=$(echo "$t3 - $t2" | bc)

seq_scans() { # sequential scans of the measurement tables so far
  $1 "SELECT coalesce(sum(seq_scan), 0) FROM pg_stat_user_tables
       WHERE relname IN ('power_data', 'teros_data', 'data')"
}
pgbench_p50() { # $1 database, $2 statement: median latency (ms), one client, $reads runs
  local dir
  dir=$(mktemp -d)
  printf '%s\n' "$2" >"$dir/script.sql"
  pgbench -h 127.0.0.1 -U postgres -n -c 1 -t 5 -f "$dir/script.sql" "$1" >/dev/null 2>&1
  (cd "$dir" && pgbench -h 127.0.0.1 -U postgres -n -c 1 -t "$reads" -l --log-prefix=tx \
    -f script.sql "$1" >/dev/null 2>&1)
  sort -n -k3 "$dir"/tx.* | awk '{a[NR] = $3} END {printf "%.3f\n", a[int((NR + 1) / 2)] / 1000}'
  rm -rf "$dir"
}

# The last day of the big database's data; the small one has its single day.
last_day=$(q "SELECT to_char(date_trunc('day', max(ts)), 'YYYY-MM-DD') FROM power_data WHERE cell_id = 1")
year="startTime=2024-01-01T00:00:00Z&endTime=2025-01-01T00:00:00Z"
declare -A paths=(
  [hourly]="/api/power/1?$year&resample=hour"
  [daily]="/api/power/1?$year&resample=day"
  [availability]="/api/data-availability/?cell_ids=1"
  [catalog]="/api/catalog/sensors?cell_id=1"
  [cell_sensors]="/api/cell/1/sensors"
  [cell_list]="/api/cell/"
)
order=(hourly daily raw_day availability catalog cell_sensors cell_list)
results=()
for size in small big; do
  if [[ $size == big ]]; then port=$big_port pid=$big_pid run=q day=$last_day; else port=$small_port pid=$small_pid run=qs day=2024-01-01; fi
  paths[raw_day]="/api/power/1?startTime=${day}T00:00:00Z&endTime=${day}T23:59:59Z&resample=none"
  for name in "${order[@]}"; do
    say "$size: $name"
    before=$(seq_scans $run)
    r=$(python3 scripts/bench_probe.py getcpu "http://127.0.0.1:$port${paths[$name]}" "$reads" "$pid")
    # A busy backend publishes its table statistics at most once a second, and when it
    # has to wait for that, 10 s later (PGSTAT_IDLE_INTERVAL): wait them out.
    sleep "${BENCH_SCALE_STATS_WAIT:-11}"
    after=$(seq_scans $run)
    results+=("$size" "$name" "$r" "$((after - before))")
  done
  dbname=$db; [[ $size == small ]] && dbname=$small_db
  bare=$(pgbench_p50 "$dbname" "SELECT ts, voltage * 1e3, current * 1e6, voltage * current * 1e6 FROM power_data WHERE cell_id = 1 AND ts BETWEEN '$day' AND '$day 23:59:59' ORDER BY ts;")
  results+=("$size" bare_raw_day "{\"p50_ms\": $bare}" 0)
done

ingest() { # $1 port: power uploads over 16 connections, device times after the year
  "$bin_dir/ents-load" --url "http://127.0.0.1:$1/api/sensor/" --connections 16 \
    --requests "$ingest_requests" --kind power --cells "$cells" --ts0 1735689600
}
say "ingest: $ingest_requests uploads over 16 connections into each"
ingest_small=$(ingest "$small_port")
ingest_big=$(ingest "$big_port")

start_worker bench-scale-worker
sleep 2
say "export: cell 1's year (all its series, raw) from the big database"
exported=$(python3 scripts/bench_probe.py export "http://127.0.0.1:$big_port" \
  "{\"cell_ids\": [1], \"start\": \"2024-01-01T00:00:00Z\", \"end\": \"2024-12-31T23:59:59Z\", \"resample\": \"none\"}" \
  "${pids[-1]}")

storage=$(q "SELECT json_build_object(
  'rows', (SELECT count(*) FROM power_data) + (SELECT count(*) FROM teros_data) + (SELECT count(*) FROM data),
  'power_rows', (SELECT count(*) FROM power_data),
  'tables', pg_relation_size('power_data') + pg_relation_size('teros_data') + pg_relation_size('data'),
  'indexes', pg_indexes_size('power_data') + pg_indexes_size('teros_data') + pg_indexes_size('data'),
  'rollups', pg_total_relation_size('power_rollup') + pg_total_relation_size('teros_rollup') + pg_total_relation_size('data_rollup'),
  'power_total', pg_total_relation_size('power_data'),
  'power_indexes', pg_indexes_size('power_data'))")

python3 - "$rows" "$cells" "$days" "$step" "$load_s" "$rollup_s" "$vacuum_s" "$ingest_small" "$ingest_big" \
  "$exported" "$storage" "${results[@]}" <<'PY'
import json, sys
rows, cells, days, step = map(int, sys.argv[1:5])
load_s, rollup_s, vacuum_s = map(float, sys.argv[5:8])
ingest_small, ingest_big, exported, storage = map(json.loads, sys.argv[8:12])
rest = sys.argv[12:]
res = {}
for k in range(0, len(rest), 4):
    res[(rest[k], rest[k + 1])] = (json.loads(rest[k + 2]), int(rest[k + 3]))
print(f"a year of data: {cells} cells x 4 series x {days} days, one reading every {step} min "
      f"= {rows:,} rows (stored: {storage['rows']:,})")
print(f"load {load_s:.0f} s; rollup rebuild (all three tables) {rollup_s:.0f} s; VACUUM ANALYZE {vacuum_s:.0f} s")
print(f"{'read':16}{'small p50':>10}{'p99':>9}{'big p50':>10}{'p99':>9}{'big CPU':>9}{'seq scans':>10}{'bytes':>10}")
for name in ["hourly", "daily", "raw_day", "availability", "catalog", "cell_sensors", "cell_list"]:
    (s, _), (b, scans) = res[("small", name)], res[("big", name)]
    print(f"{name:16}{s['p50_ms']:8.2f}ms{s['p99_ms']:7.2f}ms{b['p50_ms']:8.2f}ms{b['p99_ms']:7.2f}ms"
          f"{b['server_cpu_ms']:7.2f}ms{scans:10}{b['response_bytes']:10,}")
for size in ["small", "big"]:
    bare = res[(size, "bare_raw_day")][0]["p50_ms"]
    api = res[(size, "raw_day")][0]["p50_ms"]
    print(f"raw day, {size}: API p50 {api:.2f} ms, bare SQL p50 {bare:.2f} ms = {api / bare:.2f}x")
for size, i in [("small", ingest_small), ("big", ingest_big)]:
    print(f"ingest into {size}: {i['requests_per_s']:.0f} req/s, p50 {i['p50_ms']:.1f} ms, "
          f"p99 {i['p99_ms']:.1f} ms, failures {i['failures']}")
print(f"ingest big / small: {ingest_big['requests_per_s'] / ingest_small['requests_per_s']:.2f}")
print(f"export of cell 1's year (its 4 series): {exported['rows']:,} CSV data lines in {exported['seconds']:.1f} s "
      f"= {exported['rows_per_s']:,.0f} rows/s")
n = storage["rows"]
total = storage["tables"] + storage["indexes"] + storage["rollups"]
print(f"storage: tables {storage['tables'] / n:.1f} B/row, indexes {storage['indexes'] / n:.1f} B/row, "
      f"rollups {storage['rollups'] / n:.1f} B/row: {total / n:.1f} B per reading "
      f"({total / 2**30:.2f} GiB); power alone {storage['power_total'] / storage['power_rows']:.1f} B/row "
      f"(indexes {storage['power_indexes'] / storage['power_rows']:.1f}) for 44 bytes of columns")
PY
