#!/usr/bin/env bash
# Property-based fuzzing of the HTTP API with schemathesis (PyPI) against the OpenAPI document
# the server serves (`/api/openapi.json`): every documented operation, anonymous and with a
# bearer token, a bounded number of examples each. Fails on any server error or any answer
# the document does not describe (tests/fuzz/schemathesis.toml says which checks and why).
# Part of scripts/test.sh.
#
#   scripts/fuzz-api.sh               ENTS_FUZZ_EXAMPLES examples per operation (default 15)
#
# schemathesis is installed, when missing, into a venv under target/fuzz-tools
# (`ENTS_FUZZ_TOOLS` moves it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

schemathesis_pkg="schemathesis==4.32.5"
examples="${ENTS_FUZZ_EXAMPLES:-15}"
tools="${ENTS_FUZZ_TOOLS:-$root/target/fuzz-tools}"
venv="$tools/venv"

log() { echo "[fuzz-api] $*" >&2; }

if [[ ! -x "$venv/bin/schemathesis" ]]; then
  log "installing $schemathesis_pkg into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check "$schemathesis_pkg" >&2
fi

source scripts/test-server-lib.sh
# Google sign-in configured (no request reaches Google: `/api/oauth/url` only builds a URL),
# so that the route answers what a deployment with sign-in answers.
start_test_server fuzz-api \
  GOOGLE_CLIENT_ID=fuzz.apps.example GOOGLE_CLIENT_SECRET=fuzz \
  OAUTH_REDIRECT_URI="http://127.0.0.1/auth/callback"
base="http://127.0.0.1:$port"
log "server on port $port, database $db (log: $log_file)"

password="fuzz-$(python3 -c 'import secrets; print(secrets.token_hex(8))')"
curl -fsS -X POST "$base/api/auth/register" -H 'content-type: application/json' \
  -d "{\"first_name\":\"Fuzz\",\"last_name\":\"Api\",\"email\":\"fuzz@example.org\",\"password\":\"$password\"}" >/dev/null
token=$(curl -fsS -X POST "$base/api/auth/login" -H 'content-type: application/json' \
  -d "{\"email\":\"fuzz@example.org\",\"password\":\"$password\"}")

run() {
  local who="$1"
  shift
  log "$who: $examples examples per operation"
  # Run from target/: schemathesis keeps its cache (`.schemathesis/`) in the working directory.
  mkdir -p "$target_dir/fuzz-api/$who"
  (cd "$target_dir/fuzz-api" && "$venv/bin/schemathesis" --no-color \
    --config-file "$root/tests/fuzz/schemathesis.toml" \
    run "$base/api/openapi.json" --max-examples "$examples" --workers 2 \
    --seed 1 --report junit --report-dir "$target_dir/fuzz-api/$who" "$@")
}

status=0
run anonymous || status=1
run bearer -H "Authorization: Bearer $token" || status=1
if grep -q "panicked" "$log_file"; then
  log "the server panicked; its log: $log_file"
  status=1
fi
exit $status
