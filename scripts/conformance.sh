#!/usr/bin/env bash
# Runs the conformance suite against a freshly started server on a fresh database, then stops
# the server and drops the database. The suite (black-box HTTP ports of upstream's own tests,
# plus runs of the official `ents` Python package) is an external input, not part of this
# repository: it is looked for in $ENTS_SHARED_DIR/conformance, by default
# ../shared/conformance next to the repository.
#
#   scripts/conformance.sh              the whole suite (some tests fail until later issues land)
#   scripts/conformance.sh --expected   only the tests listed in tests/conformance/expected.txt;
#                                       they must all pass (part of the test command)
#   scripts/conformance.sh -k cell      any other arguments go to pytest
#
# Where the suite is absent (a plain clone of the repository), this says so and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
suite="${ENTS_SHARED_DIR:-$root/../shared}/conformance"
if [[ ! -f "$suite/run.sh" ]]; then
  echo "[conformance] $suite not found: skipped (the suite is not part of this repository; set ENTS_SHARED_DIR to the folder holding conformance/)"
  exit 0
fi

args=()
if [[ "${1:-}" == "--expected" ]]; then
  shift
  while IFS= read -r line; do
    line="${line%%#*}"; line="${line// /}"
    [[ -n "$line" ]] && args+=("$line")
  done < tests/conformance/expected.txt
fi
args+=("$@")

bash scripts/services.sh
# --all-features: the same feature set as the test build, so its artifacts are reused.
cargo build --locked -q --all-features -p ents-server --bin ents

db="ents_conformance_$$"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
access_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
refresh_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
target_dir="${CARGO_TARGET_DIR:-$root/target}"
mkdir -p "$target_dir"
log_file="$target_dir/conformance-server.log"

server_pid=""
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT

DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
ACCESS_TOKEN_SECRET="$access_secret" REFRESH_TOKEN_SECRET="$refresh_secret" \
ENTS_HTTP__LISTEN="127.0.0.1:$port" ENTS_HTTP__CORS_ALLOWED_ORIGINS="http://127.0.0.1:$port" \
ENTS_LOG__FILTER="${ENTS_LOG__FILTER:-warn}" \
  "$target_dir/debug/ents" serve >"$log_file" 2>&1 &
server_pid=$!

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$port/api/" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "[conformance] the server exited; its log:" >&2; cat "$log_file" >&2; exit 1
  fi
  sleep 0.5
done

echo "[conformance] server on port $port, database $db (log: $log_file)"
ENTS_BASE_URL="http://127.0.0.1:$port/api" \
ENTS_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$db" \
ENTS_ACCESS_TOKEN_SECRET="$access_secret" ENTS_REFRESH_TOKEN_SECRET="$refresh_secret" \
ENTS_ALLOWED_ORIGIN="http://127.0.0.1:$port" \
ENTS_COOKIE_LOGIN_HOOK="env DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db ACCESS_TOKEN_SECRET=$access_secret REFRESH_TOKEN_SECRET=$refresh_secret ENTS_LOG__FILTER=error $target_dir/debug/ents user cookie" \
  bash "$suite/run.sh" -q "${args[@]}"
