#!/usr/bin/env bash
# Makes Debian's `prometheus` (the server and promtool) available for the metrics test:
# installs the package when missing (the daemon the package would start is not used; the
# test runs its own instance). Prints the directory holding the binaries. Exits 3 when the
# package cannot be installed (no apt), so the test can skip with a clear message.
set -euo pipefail

log() { echo "[prometheus] $*" >&2; }

have() { command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1; }

if ! have; then
  if ! command -v apt-get >/dev/null 2>&1; then
    log "apt-get is not available: cannot install Debian's prometheus"; exit 3
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  log "installing Debian's prometheus package"
  # policy-rc.d 101: the package must not start (or fail to start) its own daemon here.
  if [ -d /usr/sbin ] && [ ! -e /usr/sbin/policy-rc.d ] && [ -z "$SUDO" ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >&2 \
    || { $SUDO apt-get update >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus >&2; } \
    || { log "apt-get could not install prometheus"; exit 3; }
fi
dirname "$(command -v prometheus)"
