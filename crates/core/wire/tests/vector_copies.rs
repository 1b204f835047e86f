//! The crate's copy of the vectors must equal the project's `shared/vectors` when that folder
//! exists (a standalone clone of the repository has no `../shared`: then this is skipped).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::PathBuf;

#[test]
fn copies_match_shared_vectors() {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let shared = manifest.join("../../../../shared/vectors");
    if !shared.is_dir() {
        eprintln!(
            "note: {} not found; vector copy check skipped",
            shared.display()
        );
        return;
    }
    let copies = manifest.join("tests/vectors");
    for entry in std::fs::read_dir(&shared).unwrap() {
        let name = entry.unwrap().file_name();
        let original = std::fs::read(shared.join(&name)).unwrap();
        let copy =
            std::fs::read(copies.join(&name)).unwrap_or_else(|_| panic!("{name:?} not copied"));
        assert_eq!(original, copy, "{name:?} differs from shared/vectors");
    }
}
