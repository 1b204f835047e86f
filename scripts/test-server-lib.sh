# Sourced by the scripts that test a running `ents serve` from outside (conformance, fuzz-api):
# a fresh database, fresh secrets, the debug server on a free port, both removed on exit.
#
#   start_test_server NAME [VAR=value…]   sets: port, db, access_secret, refresh_secret,
#                                         target_dir, log_file, server_pid; extra variables go
#                                         to the server's environment.

target_dir="${CARGO_TARGET_DIR:-$(pwd)/target}"
server_pid=""
db=""

stop_test_server() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [[ -n "$db" ]]; then
    psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}

start_test_server() {
  local name="$1"
  shift
  bash scripts/services.sh
  # --all-features: the same feature set as the test build, so its artifacts are reused.
  cargo build --locked -q --all-features -p ents-server --bin ents
  db="ents_${name//-/_}_$$"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  access_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  refresh_secret=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
  mkdir -p "$target_dir"
  log_file="$target_dir/$name-server.log"
  trap stop_test_server EXIT

  env DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" \
    ACCESS_TOKEN_SECRET="$access_secret" REFRESH_TOKEN_SECRET="$refresh_secret" \
    ENTS_HTTP__LISTEN="127.0.0.1:$port" ENTS_HTTP__CORS_ALLOWED_ORIGINS="http://127.0.0.1:$port" \
    ENTS_METRICS__LISTEN="127.0.0.1:0" \
    ENTS_LOG__FILTER="${ENTS_LOG__FILTER:-warn}" "$@" \
    "$target_dir/debug/ents" serve >"$log_file" 2>&1 &
  server_pid=$!

  for _ in $(seq 1 120); do
    if curl -fsS "http://127.0.0.1:$port/api/" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "[$name] the server exited; its log:" >&2; cat "$log_file" >&2; exit 1
    fi
    sleep 0.5
  done
  echo "[$name] the server did not answer within 60 s; its log:" >&2; cat "$log_file" >&2; exit 1
}
