#!/usr/bin/env bash
# A real SMTP server for tests: aiosmtpd (PyPI) in a virtualenv this creates once
# ($ENTS_SMTP_SINK_VENV, by default ~/.cache/ents/smtp-sink-venv; nothing is fetched when it
# is already there, so it works offline afterwards), running scripts/smtp_sink.py.
#
#   scripts/smtp-sink.sh --install   only make sure aiosmtpd is installed
#   scripts/smtp-sink.sh             listen on a free port of 127.0.0.1: prints "PORT <n>",
#                                    then one JSON line per received message; stops when its
#                                    standard input closes
#
# Used by ents-test-support's `SmtpSink` (the ents-smtp tests). Recipients whose local part
# starts with "refuse" get a permanent 550, with "defer" a transient 451; AUTH accepts only
# the user "alerts" with the password "s3cret pass".
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="${ENTS_SMTP_SINK_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/ents/smtp-sink-venv}"
installed() { [[ -x "$venv/bin/python" ]] && "$venv/bin/python" -c 'import aiosmtpd' 2>/dev/null; }
if ! installed; then
  mkdir -p "$(dirname "$venv")"
  # Tests start several sinks at once: one installs, the others wait for it.
  exec 9>"$venv.lock"
  flock 9
  if ! installed; then
    echo "[smtp-sink] installing aiosmtpd into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'aiosmtpd>=1.4,<2' >&2
  fi
  flock -u 9
  exec 9>&-
fi
if [[ "${1:-}" == "--install" ]]; then exit 0; fi
exec "$venv/bin/python" "$here/smtp_sink.py"
