//! The integration tests of the `ents-worker` binary, one test binary with a module per area.

mod prometheus;
