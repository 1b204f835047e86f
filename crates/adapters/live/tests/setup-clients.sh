#!/usr/bin/env bash
# Installs the real Socket.IO clients the live push tests drive: socket.io-client (npm, into
# tests/js/node_modules, from package-lock.json) and python-socketio (a venv). Idempotent and
# safe when several test processes call it at once (flock). Fails loudly when node, npm or
# python3 is missing: those tests must not pass silently without their clients.
#
#   setup-clients.sh <venv dir>     prints nothing on success
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${1:?usage: setup-clients.sh <venv dir>}"
mkdir -p "$venv"

for tool in node npm python3 flock; do
  command -v "$tool" >/dev/null || { echo "setup-clients: '$tool' is not installed" >&2; exit 1; }
done

exec 9>"$venv.lock"
flock 9

lock_hash="$(sha256sum "$here/js/package-lock.json" | cut -d' ' -f1)"
if [[ "$(cat "$here/js/node_modules/.ents-lock-sha256" 2>/dev/null)" != "$lock_hash" ]]; then
  (cd "$here/js" && npm ci --no-audit --no-fund --loglevel=error >&2)
  echo "$lock_hash" > "$here/js/node_modules/.ents-lock-sha256"
fi

req_hash="$(sha256sum "$here/py/requirements.txt" | cut -d' ' -f1)"
if [[ "$(cat "$venv/.requirements-sha256" 2>/dev/null)" != "$req_hash" ]]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/py/requirements.txt" >&2
  echo "$req_hash" > "$venv/.requirements-sha256"
fi
