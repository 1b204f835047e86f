# Developer tasks. `just` is optional: every recipe is a plain script or cargo call
# (install it with `pip install rust-just` or `cargo install just`).

# Run the API server (creates and migrates the database when missing).
run *ARGS:
    bash scripts/run.sh {{ARGS}}

# Everything CI runs: fmt, clippy, every crate's tests, the expected conformance tests.
test:
    bash scripts/test.sh

# Lints as CI runs them.
lint:
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --all-features --locked -- -D warnings

# Render deploy/k8s (base, production overlay, migrations Job) and validate it offline.
k8s-validate:
    bash scripts/k8s-validate.sh

# Format the code.
fmt:
    cargo fmt --all

# Run the job worker (consumes RabbitMQ; needs amqp.url).
worker *ARGS:
    bash scripts/services.sh
    cargo run --locked -p ents-worker --bin ents-worker -- {{ARGS}}

# Apply pending migrations (adopting an upstream database when found).
migrate:
    bash scripts/services.sh
    cargo run --locked -p ents-server --bin ents -- migrate

# Print the effective configuration, secrets redacted.
config:
    cargo run --locked -q -p ents-server --bin ents -- config

# Benchmarks (figures in docs/performance.md): ingestion, then reading and exports.
bench: bench-ingest bench-read bench-raw bench-import

# Alerts: one evaluation tick over 10,000 rules on 1,000 cells (docs/performance.md#alerts).
bench-alerts:
    cargo test --release -p ents-persistence --test integration alerts::bench_tick -- --ignored --nocapture

# Ingestion: direct and queued uploads against PostgreSQL's single-row insert ceiling.
bench-ingest:
    bash scripts/bench.sh

# Reading: hourly resample of 1M rows vs bare SQL (rollups on/off); a 10M-row export's memory.
bench-read:
    bash scripts/bench-read.sh

# Raw reads: a day of power, TEROS and a generic sensor (16,666 points) vs the bare SQL, with
# the server's CPU per response (BENCH_PERF=1 adds perf's top functions).
bench-raw:
    bash scripts/bench-raw.sh

# A year of data: a deployment-sized database (size: BENCH_SCALE_*) against a small one.
bench-scale:
    bash scripts/bench-scale.sh

# schemathesis against the served OpenAPI document, anonymous and with a token (ENTS_FUZZ_EXAMPLES).
fuzz-api:
    bash scripts/fuzz-api.sh

# Import: rows/s of `ents import` vs a bare COPY of the same rows, and peak RSS
# (BENCH_IMPORT_ROWS, default 1,000,000; 10000000 for the issue's figure).
bench-import:
    bash scripts/bench-import.sh

# The whole public conformance suite against a fresh server (pytest args pass through).
conformance *ARGS:
    bash scripts/conformance.sh {{ARGS}}
