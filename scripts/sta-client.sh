#!/usr/bin/env bash
# Runs tests/sta_client/check.py (the real `frost-sta-client` from PyPI, in a virtualenv this
# creates once: $STA_CLIENT_VENV, by default $TMPDIR/ents-sta-client-venv) against a running
# server's SensorThings API. Called by the ents-server test `sta_client`, which seeds the
# data; arguments: BASE_URL STREAM_ID ROWS.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="${STA_CLIENT_VENV:-${TMPDIR:-/tmp}/ents-sta-client-venv}"
if [[ ! -x "$venv/bin/python" ]] || ! "$venv/bin/python" -c 'import frost_sta_client' 2>/dev/null; then
  echo "[sta-client] creating venv $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet -r "$here/tests/sta_client/requirements.txt"
fi
exec "$venv/bin/python" "$here/tests/sta_client/check.py" "$@"
