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
#   BENCH_SWEEP="1 4 16 64" BENCH_CONNECTIONS=64 BENCH_REQUESTS=20000 BENCH_KIND=power|generic \
#   BENCH_ITEMS=4 BENCH_CELLS=1000 BENCH_POOL=16 BENCH_PGBENCH_SECONDS=10 BENCH_QUEUED=1 \
#   BENCH_QUEUED_WORKER=after|during scripts/bench.sh
#
# The direct mode and pgbench run as a pair at each connection count of BENCH_SWEEP (default
# 1 4 16 64, or BENCH_CONNECTIONS alone when only that is set), one pair after the other, with
# the load average before each pair. BENCH_REQUESTS caps the uploads per run (fewer at low
# concurrency: 5,000 at 1 connection, 10,000 at 4). For each run the CPU is measured from
# /proc (clock ticks, before/after): the server's process, and the PostgreSQL backends
# serving the benchmark's database (found by their process title), per upload or per
# pgbench transaction. pgbench's latency percentiles come from its per-transaction log.
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
sweep="${BENCH_SWEEP:-${BENCH_CONNECTIONS:-1 4 16 64}}"
max_requests="${BENCH_REQUESTS:-20000}"
kind="${BENCH_KIND:-power}"
items="${BENCH_ITEMS:-4}"
queued="${BENCH_QUEUED:-1}"
cells="${BENCH_CELLS:-1000}"
queued_worker="${BENCH_QUEUED_WORKER:-after}"
pgbench_seconds="${BENCH_PGBENCH_SECONDS:-10}"
bench=bench
source scripts/bench-lib.sh
build_release -p ents-server --bin ents -p ents-worker --bin ents-worker -p ents-bench --bin ents-load

port=$(free_port)
export ENTS_DATABASE__POOL_MAX_SIZE="${BENCH_POOL:-16}" ENTS_INGEST__QUEUE="ents_bench_ingest_$$"
reset_rows() { q "TRUNCATE power_data, data, sensor RESTART IDENTITY CASCADE" >/dev/null; q "TRUNCATE power_rollup, data_rollup" >/dev/null 2>&1 || true; }
rows() { q "SELECT (SELECT count(*) FROM power_data) + (SELECT count(*) FROM data)"; }
# requests_at C: uploads of one run at C connections (short runs at low concurrency).
requests_at() {
  local n=$(( $1 <= 1 ? 5000 : $1 <= 4 ? 10000 : 20000 ))
  echo $(( n < max_requests ? n : max_requests ))
}
load() { # load CONNECTIONS REQUESTS
  "$bin_dir/ents-load" --url "http://127.0.0.1:$port/api/sensor/" --connections "$1" \
    --requests "$2" --kind "$kind" --items "$items" --cells "$cells"
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# CPU clock ticks of one process (user + system).
ticks_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# cpu_watch_start: samples, until cpu_watch_stop, the CPU ticks of every PostgreSQL backend
# of $db (the process title names the database), so that backends which start and exit
# during the run (pgbench's) count too; those already there count from their value now.
cpu_watch_start() {
  cpu_out="$scratch/cpu.$RANDOM"
  python3 - "$db" "$cpu_out" <<'PY' &
import os, signal, sys, time
db, out = sys.argv[1], sys.argv[2]
def snapshot():
    seen = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                title = f.read().replace(b"\0", b" ").decode(errors="replace")
            if not title.startswith("postgres:") or f" {db} " not in title:
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            # (pid, start time) names a process; utime + stime
            seen[(pid, fields[19])] = int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return seen
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
base, last = snapshot(), {}
open(out + ".ready", "w").close()
while not stop:
    last.update(snapshot())
    time.sleep(0.1)
last.update(snapshot())
total = sum(t - base.get(k, 0) for k, t in last.items())
with open(out + ".tmp", "w") as f:
    f.write(f"{total / os.sysconf('SC_CLK_TCK')}\n")
os.rename(out + ".tmp", out)
PY
  cpu_pid=$!
  # Its first snapshot is taken (and SIGTERM handled) before the run starts.
  until [[ -e "$cpu_out.ready" ]]; do sleep 0.05; done
}
# cpu_watch_stop: prints the backends' CPU seconds since cpu_watch_start.
# (Called in a command substitution, i.e. a subshell, which cannot `wait` for the sampler.)
cpu_watch_stop() {
  kill -TERM "$cpu_pid"
  until [[ -s "$cpu_out" ]]; do sleep 0.05; done
  cat "$cpu_out"
}
tick_seconds=$(getconf CLK_TCK)

start_server "$port" bench-server   # creates and migrates the database
server_pid=${pids[-1]}
q "INSERT INTO cell (id, name) SELECT i, 'bench-' || i FROM generate_series(1, $cells) i ON CONFLICT DO NOTHING;
   INSERT INTO logger (id, name, uuid, date_created) VALUES (1, 'bench', gen_random_uuid(), now()) ON CONFLICT DO NOTHING;" >/dev/null

# Warm-up (connections, prepared statements, sensor cache), not measured.
"$bin_dir/ents-load" --url "http://127.0.0.1:$port/api/sensor/" --connections 8 --requests 500 \
  --kind "$kind" --items "$items" --cells "$cells" --ts0 1000000000 >/dev/null
reset_rows

# PostgreSQL's own ceiling: single-row inserts into the same table, one per transaction.
script="$scratch/pgbench.sql"
if [[ "$kind" == power ]]; then
  cat >"$script" <<'SQL'
\set n random(1, 2000000000)
\set c random(1, :cells)
INSERT INTO power_data (cell_id, logger_id, ts, voltage, current) VALUES (:c, 1, to_timestamp(:n) AT TIME ZONE 'UTC', 1.5, 0.0002) ON CONFLICT (cell_id, ts, logger_id) DO NOTHING;
SQL
else
  cat >"$script" <<'SQL'
\set n random(1, 2000000000)
\set c random(1, :cells)
INSERT INTO data (sensor_id, ts, float_val) VALUES (:c, to_timestamp(:n) AT TIME ZONE 'UTC', 1.5) ON CONFLICT (sensor_id, ts) DO NOTHING;
SQL
fi
pgbench_sensors() {
  [[ "$kind" == power ]] || q "INSERT INTO sensor (cell_id, name, measurement, unit, data_type) SELECT i, 'POWER_VOLTAGE', 'Voltage', 'mV', 'float' FROM generate_series(1, $cells) i" >/dev/null
}

# One JSON line per connection count: the direct run, then pgbench, as a pair.
results=()
for c in $sweep; do
  n=$(requests_at "$c")
  before_load=$(loadavg)
  reset_rows
  say "c=$c (load $before_load): direct mode, $n $kind uploads"
  server_before=$(ticks_of "$server_pid")
  cpu_watch_start
  direct=$(load "$c" "$n")
  direct_db_cpu=$(cpu_watch_stop)
  server_cpu=$(( $(ticks_of "$server_pid") - server_before ))
  direct_rows=$(rows)

  reset_rows
  pgbench_sensors
  say "c=$c: pgbench single-row inserts over $cells cells, ${pgbench_seconds} s"
  logs="$scratch/pgbench-$c"
  mkdir -p "$logs"
  cpu_watch_start
  pgbench_out=$( (cd "$logs" && pgbench -h 127.0.0.1 -U postgres -n -c "$c" -j "$(( c < 2 ? 1 : 2 ))" \
    -T "$pgbench_seconds" -l -D cells="$cells" -f "$script" "$db" 2>/dev/null) )
  pgbench_db_cpu=$(cpu_watch_stop)
  pgbench_tps=$(awk '/^tps = / {print $3; exit}' <<<"$pgbench_out")
  pgbench_lat=$(cat "$logs"/pgbench_log.* | python3 -c "
import sys
l = sorted(int(line.split()[2]) for line in sys.stdin if line.strip())
pick = lambda p: l[round((len(l) - 1) * p)] / 1e3 if l else 0
print(f'{pick(0.5)} {pick(0.99)} {len(l)}')")
  results+=("$(python3 - "$c" "$before_load" "$direct" "$direct_rows" "$direct_db_cpu" "$server_cpu" "$tick_seconds" \
    "$pgbench_tps" "$pgbench_lat" "$pgbench_db_cpu" <<'PY'
import json, sys
c, load, direct, rows, db_cpu, server_ticks, hz, tps, lat, pg_db_cpu = sys.argv[1:]
d = json.loads(direct)
p50, p99, txs = lat.split()
ok = max(d["successes"], 1)
print(json.dumps({
    "c": int(c), "load": load,
    "direct_req_s": d["requests_per_s"], "direct_rows_s": d["rows_per_s"],
    "direct_p50": d["p50_ms"], "direct_p99": d["p99_ms"], "failures": d["failures"],
    "rows_ok": int(rows) == int(d["rows_expected"]), "rows": int(rows),
    "server_ms": int(server_ticks) / float(hz) * 1e3 / ok,
    "db_ms": float(db_cpu) * 1e3 / ok,
    "pgbench_tps": float(tps or 0), "pgbench_p50": float(p50), "pgbench_p99": float(p99),
    "pgbench_db_ms": float(pg_db_cpu) * 1e3 / max(int(txs), 1),
}))
PY
)")
done
reset_rows

queued_line=""
if [[ "$queued" == 1 ]]; then
  requests=$max_requests
  stop_last
  export ENTS_AMQP__URL="$amqp" ENTS_INGEST__MODE=queued
  # `during`: the worker drains while the load runs (on this host it then competes with the
  # API for the same CPUs); `after` (default): the burst is absorbed by the broker first, as
  # when the database is the bottleneck, and the worker drains it afterwards.
  [[ "$queued_worker" == during ]] && start_worker bench-worker
  start_server "$port" bench-server
  say "queued mode: $requests uploads over $connections connections (worker $queued_worker), then until the worker has written every row"
  started=$(date +%s.%N)
  queued_line=$(load "$connections" "$requests")
  [[ "$queued_worker" == during ]] || start_worker bench-worker
  expected=$(field "$queued_line" rows_expected | cut -d. -f1)
  for _ in $(seq 1 600); do
    [[ "$(rows)" -ge "$expected" ]] && break
    sleep 0.2
  done
  finished=$(date +%s.%N)
  queued_rows=$(rows)
fi

python3 - "$kind" "$queued_line" "${queued_rows:-0}" "${started:-0}" "${finished:-0}" "$queued_worker" "${results[@]}" <<'PY'
import json, sys
kind, queued, queued_rows, started, finished, worker = sys.argv[1:7]
runs = [json.loads(r) for r in sys.argv[7:]]
rows_per_req = 1
print(f"{kind} uploads; direct mode against pgbench's single-row inserts ({kind} table shape), same run")
print("| conns | load avg before | pgbench tx/s | pgbench p50 / p99 ms | DB CPU ms/tx | direct uploads/s (rows/s) "
      "| direct p50 / p99 ms | ratio (rows) | server CPU ms/upload | DB CPU ms/upload | rows in DB == successes |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for r in runs:
    tps = r["pgbench_tps"]
    ratio = f"{r['direct_rows_s'] / tps:.0%}" if tps else "—"
    print(f"| {r['c']} | {r['load']} | {tps:,.0f} | {r['pgbench_p50']:.2f} / {r['pgbench_p99']:.2f} | {r['pgbench_db_ms']:.3f} "
          f"| {r['direct_req_s']:,.0f} ({r['direct_rows_s']:,.0f}) | {r['direct_p50']:.2f} / {r['direct_p99']:.2f} | {ratio} "
          f"| {r['server_ms']:.3f} | {r['db_ms']:.3f} | {'yes' if r['rows_ok'] else 'NO'} ({r['rows']}, failures {r['failures']}) |")
if queued:
    qd = json.loads(queued)
    end_to_end = float(queued_rows) / (float(finished) - float(started))
    print(f"queued:  (worker {worker}) {qd['requests_per_s']:.0f} req/s accepted ({qd['rows_per_s']:.0f} rows/s), p50 {qd['p50_ms']:.1f} ms, "
          f"p99 {qd['p99_ms']:.1f} ms, failures {qd['failures']}; written end to end {end_to_end:.0f} rows/s, "
          f"rows in DB {queued_rows} {'==' if int(queued_rows) == int(qd['rows_expected']) else '!='} {qd['rows_expected']:.0f}")
    same = [r for r in runs if r["c"] == qd["connections"] and r["pgbench_tps"]]
    if same:
        tps = same[0]["pgbench_tps"]
        print(f"ratio:   queued {qd['rows_per_s'] / tps:.0%} of the ceiling at the API, {end_to_end / tps:.0%} end to end "
              f"(pgbench at {qd['connections']} connections above)")
PY
