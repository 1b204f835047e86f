#!/usr/bin/env bash
# Raw series reads against the bare SQL (issue 16 §1; never asserted in tests; figures in
# docs/performance.md "Raw reads").
#
# One day of BENCH_RAW_POINTS (16,666: one every 5.184 s) rows in each of three series of
# cell 1 — power, TEROS and a generic float sensor — with random full-precision values.
# For each, `GET …?resample=none` over that day is timed BENCH_READS times on one keep-alive
# connection against a release server (p50, p99, and the server's CPU time per response from
# /proc/<pid>/task/*/schedstat), and in the same run pgbench times the bare SQL an engineer
# would write for it (`SELECT ts, <values> … WHERE <key> = 1 AND ts BETWEEN … ORDER BY ts`,
# one client, p50 from its per-transaction log). Then the power read again with
# `Accept-Encoding: gzip` and `br`, to see whether compression pays on this machine.
#
# Also a one-year hourly power chart of cell 2 (one row an hour through 2024: 8,784 buckets
# from the rollups), which goes through the same body writers (issue 16 §3).
#
# BENCH_PERF=1 also samples the server with `perf record` during the power reads and prints
# the functions where its CPU time went (perf report, self time).
#
# BENCH_CALLGRIND=1 then runs a second server on the same database under
# `valgrind --tool=callgrind` and counts the instructions it executes per response of each
# read (BENCH_CALLGRIND_READS requests each, after two uncounted ones): unlike times, these
# do not depend on what else the machine runs. The top functions of the power read (self
# instructions) go to $CARGO_TARGET_DIR/bench-raw-callgrind-power.txt.
#
#   BENCH_RAW_POINTS=16666 BENCH_READS=200 BENCH_PERF=0 BENCH_CALLGRIND=0 scripts/bench-raw.sh
set -euo pipefail
cd "$(dirname "$0")/.."
points="${BENCH_RAW_POINTS:-16666}"
reads="${BENCH_READS:-200}"
bench=bench-raw
source scripts/bench-lib.sh
build_release -p ents-server --bin ents

port=$(free_port)
start_server "$port" bench-raw   # creates and migrates the database
server_pid=${pids[-1]}

say "inserting $points rows into each of three series"
step="interval '1 day' / $points"
q "INSERT INTO cell (id, name) VALUES (1, 'bench-raw');
   INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'bench', gen_random_uuid(), now());
   INSERT INTO sensor (id, cell_id, name, measurement, data_type, unit)
     VALUES (1, 1, 'bench', 'value', 'float', 'u');
   INSERT INTO power_data (cell_id, logger_id, ts, ts_server, voltage, current)
   SELECT 1, 1, timestamp '2024-01-01' + i * ($step), timestamp '2024-01-01' + i * ($step),
          1.5 + random(), 0.0002 + random() / 1e4
     FROM generate_series(0, $points - 1) i;
   INSERT INTO teros_data (cell_id, ts, ts_server, vwc, temp, ec, raw_vwc)
   SELECT 1, timestamp '2024-01-01' + i * ($step), timestamp '2024-01-01' + i * ($step),
          2000 + random() * 500, 15 + random() * 10, (random() * 400)::int, 2000 + random() * 500
     FROM generate_series(0, $points - 1) i;
   INSERT INTO data (sensor_id, ts, ts_server, float_val)
   SELECT 1, timestamp '2024-01-01' + i * ($step), timestamp '2024-01-01' + i * ($step),
          random() * 100
     FROM generate_series(0, $points - 1) i;
   INSERT INTO cell (id, name) VALUES (2, 'bench-raw-year');
   INSERT INTO power_data (cell_id, logger_id, ts, ts_server, voltage, current)
   SELECT 2, 1, t, t, 1.5 + random(), 0.0002 + random() / 1e4
     FROM generate_series(timestamp '2024-01-01', timestamp '2024-12-31 23:00', '1 hour') t;" >/dev/null
q "VACUUM ANALYZE" >/dev/null

pgbench_p50() { # the median latency (ms) of a one-statement script, one client, $reads runs
  local dir
  dir=$(mktemp -d)
  printf '%s\n' "$1" >"$dir/script.sql"
  pgbench -h 127.0.0.1 -U postgres -n -c 1 -t 5 -f "$dir/script.sql" "$db" >/dev/null 2>&1
  (cd "$dir" && pgbench -h 127.0.0.1 -U postgres -n -c 1 -t "$reads" -l --log-prefix=tx \
    -f script.sql "$db" >/dev/null 2>&1)
  sort -n -k3 "$dir"/tx.* | awk '{a[NR] = $3} END {printf "%.3f\n", a[int((NR + 1) / 2)] / 1000}'
  rm -rf "$dir"
}

day="ts BETWEEN '2024-01-01' AND '2024-01-02' ORDER BY ts"
range="startTime=2024-01-01T00:00:00Z&endTime=2024-01-02T00:00:00Z&resample=none"
base="http://127.0.0.1:$port/api"
declare -A bare api
bare[power]=$(pgbench_p50 "SELECT ts, voltage * 1e3, current * 1e6, voltage * current * 1e6 FROM power_data WHERE cell_id = 1 AND $day;")
bare[teros]=$(pgbench_p50 "SELECT ts, vwc, temp, ec, raw_vwc FROM teros_data WHERE cell_id = 1 AND $day;")
bare[sensor]=$(pgbench_p50 "SELECT ts, float_val FROM data WHERE sensor_id = 1 AND $day;")
say "raw day: $reads requests per series"
if [[ "${BENCH_PERF:-0}" == 1 ]]; then
  perf record -q -F 1999 -g -p "$server_pid" -o "$scratch/perf.data" >/dev/null 2>&1 &
  perf_pid=$!
  sleep 1
fi
api[power]=$(python3 scripts/bench_probe.py getcpu "$base/power/1?$range" "$reads" "$server_pid")
if [[ "${BENCH_PERF:-0}" == 1 ]]; then
  kill -INT "$perf_pid"; wait "$perf_pid" || true
  { perf report -i "$scratch/perf.data" --stdio --no-children --sort symbol -g none 2>&1 \
    | grep -E '^ +[0-9.]+%' | head -30 || true; } >"$target/bench-raw-perf.txt"
  say "perf: the server's top functions (self time) in $target/bench-raw-perf.txt"
  cat "$target/bench-raw-perf.txt" >&2
fi
api[teros]=$(python3 scripts/bench_probe.py getcpu "$base/teros/1?$range" "$reads" "$server_pid")
api[sensor]=$(python3 scripts/bench_probe.py getcpu "$base/sensor/?cellId=1&name=bench&measurement=value&$range" "$reads" "$server_pid")
api[gzip]=$(python3 scripts/bench_probe.py getcpu "$base/power/1?$range" "$reads" "$server_pid" gzip)
api[br]=$(python3 scripts/bench_probe.py getcpu "$base/power/1?$range" "$reads" "$server_pid" br)
year="startTime=2024-01-01T00:00:00Z&endTime=2025-01-01T00:00:00Z&resample=hour"
api[hourly]=$(python3 scripts/bench_probe.py getcpu "$base/power/2?$year" "$reads" "$server_pid")

python3 - "$points" "${bare[power]}" "${bare[teros]}" "${bare[sensor]}" \
  "${api[power]}" "${api[teros]}" "${api[sensor]}" "${api[gzip]}" "${api[br]}" "${api[hourly]}" <<'PY'
import json, sys
points = int(sys.argv[1])
bare = dict(zip(["power", "teros", "sensor"], map(float, sys.argv[2:5])))
api = dict(zip(["power", "teros", "sensor", "gzip", "br", "hourly"], map(json.loads, sys.argv[5:11])))
print(f"raw day: {points:,} points per series, p50/p99 of {api['power']['requests']} requests, c=1")
print(f"{'':22}{'bare SQL p50':>13}{'API p50':>9}{'ratio':>7}{'API p99':>9}{'server CPU':>11}{'bytes':>11}")
for name in ["power", "teros", "sensor"]:
    a = api[name]
    print(f"{name:22}{bare[name]:10.2f} ms{a['p50_ms']:6.2f} ms{a['p50_ms'] / bare[name]:6.2f}x"
          f"{a['p99_ms']:6.2f} ms{a['server_cpu_ms']:8.2f} ms{a['response_bytes']:11,}")
for name in ["gzip", "br"]:
    a = api[name]
    print(f"{'power, ' + name:22}{bare['power']:10.2f} ms{a['p50_ms']:6.2f} ms"
          f"{a['p50_ms'] / bare['power']:6.2f}x{a['p99_ms']:6.2f} ms{a['server_cpu_ms']:8.2f} ms"
          f"{a['response_bytes']:11,}")
a = api["hourly"]
print(f"{'power, a year hourly':22}{'':13}{a['p50_ms']:6.2f} ms{'':7}{a['p99_ms']:6.2f} ms"
      f"{a['server_cpu_ms']:8.2f} ms{a['response_bytes']:11,}")
PY

[[ "${BENCH_CALLGRIND:-0}" == 1 ]] || exit 0
cg_reads="${BENCH_CALLGRIND_READS:-5}"
cg_port=$(free_port)
say "callgrind: a second server under valgrind, $cg_reads counted requests per read"
ENTS_HTTP__LISTEN="127.0.0.1:$cg_port" valgrind --tool=callgrind --instr-atstart=no \
  --callgrind-out-file="$scratch/callgrind.out" "$bin_dir/ents" serve \
  >"$target/bench-raw-callgrind.log" 2>&1 &
pids+=($!)
cg_pid=$!
for _ in $(seq 1 600); do
  curl -fsS "http://127.0.0.1:$cg_port/api/" >/dev/null 2>&1 && break
  sleep 0.5
done
cg_base="http://127.0.0.1:$cg_port/api"
declare -A cg_url=(
  [power]="$cg_base/power/1?$range"
  [teros]="$cg_base/teros/1?$range"
  [sensor]="$cg_base/sensor/?cellId=1&name=bench&measurement=value&$range"
  [hourly]="$cg_base/power/2?$year"
)
gets() { # N URL: N GETs of URL on one keep-alive connection
  local args=() i
  for ((i = 0; i < $1; i++)); do args+=(-o /dev/null "$2"); done
  curl -fsS "${args[@]}"
}
# A command reaches callgrind when the server next runs (it sleeps between requests): each
# is sent in the background and followed by a cheap request that wakes the server.
ctl() {
  callgrind_control "$@" "$cg_pid" >/dev/null 2>&1 &
  local sent=$!
  sleep 1
  curl -fsS -o /dev/null "$cg_base/"
  wait "$sent" || true
}
echo "instructions per response (callgrind, $cg_reads requests each):"
# Counting stays on once started (switching it off and on again spoils the totals of the
# later dumps in valgrind 3.19); each read's warm-up is zeroed away before its count.
ctl -i on
for name in power teros sensor hourly; do
  gets 2 "${cg_url[$name]}"
  ctl -z
  gets "$cg_reads" "${cg_url[$name]}"
  ctl -d "$name"
  dump=$(ls "$scratch"/callgrind.out* | sort -V | tail -1)
  total=$(callgrind_annotate "$dump" 2>/dev/null | awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1}')
  per_point=$points
  [[ "$name" == hourly ]] && per_point=8784
  python3 -c "import sys; n, t, r, p = sys.argv[1], *map(int, sys.argv[2:5]); \
print(f'{n:22}{t // r:14,} Ir{t / r / p:12,.0f} Ir/point ({sys.argv[5]})')" \
    "$name" "$total" "$cg_reads" "$per_point" "$(basename "$dump")"
  if [[ "$name" == power ]]; then
    callgrind_annotate --threshold=99 "$dump" 2>/dev/null | grep -E '^ *[0-9,]+ \(' | head -40 \
      >"$target/bench-raw-callgrind-power.txt" || true
  fi
done
say "callgrind: the power read's top functions (self) in $target/bench-raw-callgrind-power.txt"
cat "$target/bench-raw-callgrind-power.txt" >&2
