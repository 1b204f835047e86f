# Sourced by the benchmark scripts (from the project root): the services, a scratch database
# and directory removed on exit, and starting and stopping release servers.
# Uses: $bench (the script's name, for messages).

target="${CARGO_TARGET_DIR:-$(pwd)/target}"
# BENCH_BIN_DIR: run release binaries built elsewhere (e.g. a copy of an older build, for a
# before/after comparison) instead of building them here. Logs still go to $target.
bin_dir="${BENCH_BIN_DIR:-$target/release}"
amqp="${BENCH_AMQP_URL:-amqp://guest:guest@127.0.0.1:5672/%2f}"
db="ents_${bench//-/_}_$$"
pg="postgres://postgres@127.0.0.1:5432/$db"
scratch=$(mktemp -d)
pids=()

bench_cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
  drop_database "$db"
}

# BENCH_KEEP_DB=1 keeps the benchmark's databases (to EXPLAIN its reads afterwards; drop
# them by hand).
drop_database() {
  if [[ "${BENCH_KEEP_DB:-0}" == 1 ]]; then
    say "kept database $1"
  else
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
trap bench_cleanup EXIT

say() { echo "[$bench] $*" >&2; }
q() { psql "$pg" -v ON_ERROR_STOP=1 -Atqc "$1"; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The release binaries named, as `-p <package> --bin <binary>` pairs.
build_release() {
  [[ -n "${BENCH_BIN_DIR:-}" ]] && return 0
  say "building release binaries"
  cargo build --release -q "$@"
}

# start_server PORT LOG [VAR=value…]: `ents serve` on PORT, waiting until it answers (the
# first one creates and migrates the database).
start_server() {
  local port=$1 log=$2
  shift 2
  env ENTS_HTTP__LISTEN="127.0.0.1:$port" "$@" "$bin_dir/ents" serve >"$target/$log.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$port/api/" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  say "the server did not start; log: $target/$log.log"
  exit 1
}

# start_worker LOG: `ents-worker` with the exported configuration.
start_worker() {
  "$bin_dir/ents-worker" >"$target/$1.log" 2>&1 &
  pids+=($!)
}

# Stops the process started last.
stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }

bash scripts/services.sh

export DATABASE_URL="$pg" ACCESS_TOKEN_SECRET=bench-access-secret-0123456789abcdef0123456789 \
  REFRESH_TOKEN_SECRET=bench-refresh-secret-0123456789abcdef012345678 ENTS_LOG__FILTER=warn \
  ENTS_METRICS__LISTEN=127.0.0.1:0   # any free port: two servers, or another session's, may run
