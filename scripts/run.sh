#!/usr/bin/env bash
# Runs the ENTS API server on this machine: starts the local PostgreSQL (and RabbitMQ) when
# needed, builds the server, and serves on http.listen (default 127.0.0.1:8000), creating and
# migrating the database when it is missing. Extra arguments go to `ents serve`
# (e.g. --listen 0.0.0.0:8000). Configuration: ents.toml, ENTS_* and the upstream variables
# (docs/configuration.md).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
profile_flag=()
[[ "${ENTS_RELEASE:-0}" == "1" ]] && profile_flag=(--release)
exec cargo run --locked "${profile_flag[@]}" -p ents-server --bin ents -- serve "$@"
