#!/usr/bin/env bash
# Benchmarks. Speed is measured here, never asserted in tests. The ingestion and query
# benchmarks arrive with their issues; this runs what exists so far.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
echo "[bench] no benchmark is defined yet (see docs/performance.md)"
