#!/usr/bin/env bash
# Every check the project has, in the order CI runs them: formatting, the Kubernetes
# manifests, lints, the test suites of every crate (against the real local PostgreSQL and
# RabbitMQ), schemathesis over the OpenAPI document, then the public conformance suite
# against a freshly started server.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== Kubernetes manifests (deploy/k8s: render, validate offline)"
bash scripts/k8s-validate.sh

echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

echo "== tests"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-features --locked --no-fail-fast
else
  cargo test --workspace --all-features --locked --no-fail-fast
fi

echo "== fuzzing the API with schemathesis (bounded examples; tests/fuzz/schemathesis.toml)"
bash scripts/fuzz-api.sh

echo "== conformance (the tests that must pass at this stage)"
bash scripts/conformance.sh --expected
