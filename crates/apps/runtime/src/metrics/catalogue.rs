//! The metrics this workspace emits, described once (Prometheus `# HELP` and unit) when the
//! recorder is installed. `docs/operations.md` lists them for operators.

pub(super) fn describe() {}
