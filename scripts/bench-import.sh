#!/usr/bin/env bash
# Import benchmark (issue 13; never asserted in tests; figures in docs/performance.md
# section "Import").
#
# BENCH_IMPORT_ROWS (default 1,000,000: a few minutes on 2 cores; 10000000 when asked)
# generic-sensor rows of one series, written as an export CSV, are imported by `ents import`
# (batches of BENCH_IMPORT_BATCH rows, default 10,000) into the `data` table of a fresh,
# migrated database; in the same run, psql's bare `\copy` loads the same rows into the same
# table (emptied, and its rollups, between the two; the rollup triggers fire for both).
# Reported: rows/s of each, their ratio, and each process's peak resident memory
# (/usr/bin/time -v "Maximum resident set size").
#
#   BENCH_IMPORT_ROWS=10000000 scripts/bench-import.sh
#   BENCH_PROFILE=debug BENCH_IMPORT_ROWS=20000 scripts/bench-import.sh   # a quick smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${BENCH_IMPORT_ROWS:-1000000}"
batch="${BENCH_IMPORT_BATCH:-10000}"
profile="${BENCH_PROFILE:-release}"
bench=bench-import
source scripts/bench-lib.sh
if [ "$profile" = release ]; then
  build_release -p ents-server --bin ents
else
  cargo build -q -p ents-server --bin ents
fi
ents="$target/$profile/ents"

say "creating and migrating $db"
createdb -h 127.0.0.1 -U postgres "$db"
export DATABASE_URL="$pg"
"$ents" migrate >/dev/null 2>&1
q "INSERT INTO cell (id, name) VALUES (1, 'bench-import');
   INSERT INTO sensor (id, cell_id, measurement, data_type, unit, name)
   VALUES (1, 1, 'level', 'float', 'm', 'probe')" >/dev/null

say "writing $rows rows twice: an export CSV and a bare COPY file"
series="SELECT timestamp '2020-01-01' + i * interval '1 second' AS ts, (i % 1000) / 10.0 AS v
          FROM generate_series(0, $rows - 1) i"
echo "cell_id,cell_name,source,sensor,measurement,unit,timestamp,value" >"$scratch/export.csv"
psql "$pg" -qc "\\copy (SELECT 1, 'bench-import', 'sensor', 'probe', 'level', 'm',
  to_char(ts, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), v FROM ($series) s) TO STDOUT CSV" \
  >>"$scratch/export.csv"
psql "$pg" -qc "\\copy (SELECT 1, ts, v FROM ($series) s) TO STDOUT CSV" >"$scratch/copy.csv"

# timed LABEL COMMAND…: seconds and peak RSS (KiB) of COMMAND, as "seconds rss".
timed() {
  local label=$1 out="$scratch/$1.time"
  shift
  /usr/bin/time -v -o "$out" "$@" >"$scratch/$label.out" 2>"$scratch/$label.err"
  awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
                for (k = 1; k <= n; k++) s = s * 60 + p[k]; t = s}
              /Maximum resident set size/ {r = $2}
              END {print t, r}' "$out"
}
reset() {
  q "TRUNCATE data, data_rollup" >/dev/null
  q "VACUUM ANALYZE data" >/dev/null
  q "VACUUM ANALYZE data_rollup" >/dev/null
}

reset
say "bare COPY of $rows rows"
read -r copy_s copy_rss < <(timed copy psql "$pg" -qc "\\copy data (sensor_id, ts, float_val) FROM '$scratch/copy.csv' CSV")
[ "$(q 'SELECT count(*) FROM data')" = "$rows" ] || { say "COPY stored a different count"; exit 1; }

reset
say "ents import of $rows rows (batches of $batch)"
read -r import_s import_rss < <(timed import "$ents" import "$scratch/export.csv" --quiet --batch-rows "$batch")
[ "$(q 'SELECT count(*) FROM data')" = "$rows" ] || { say "import stored a different count"; cat "$scratch/import.err" >&2; exit 1; }

python3 - "$rows" "$copy_s" "$copy_rss" "$import_s" "$import_rss" "$profile" "$batch" <<'PY'
import sys
rows, copy_s, copy_rss, imp_s, imp_rss, profile, batch = sys.argv[1:]
rows = int(rows); copy_s = float(copy_s); imp_s = float(imp_s)
copy_rate = rows / max(copy_s, 1e-9); imp_rate = rows / max(imp_s, 1e-9)
print(f"rows: {rows:,} ({profile} build, batches of {int(batch):,})")
print(f"bare COPY:   {copy_s:8.2f} s  {copy_rate:12,.0f} rows/s  peak RSS {int(copy_rss)/1024:7.1f} MiB (psql)")
print(f"ents import: {imp_s:8.2f} s  {imp_rate:12,.0f} rows/s  peak RSS {int(imp_rss)/1024:7.1f} MiB")
print(f"import / COPY: {100 * imp_rate / copy_rate:.0f} %")
PY
