//! The crate's copies of the vectors must equal the originals when the project's
//! `shared/vectors` folder sits next to the repository (a plain clone has none: then this is
//! skipped). `README.md` is not compared: the copy points at this repository's docs
//! (`tests/vectors/ORIGIN.md`).
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
        if name == "README.md" {
            continue;
        }
        let original = std::fs::read(shared.join(&name)).unwrap();
        let copy =
            std::fs::read(copies.join(&name)).unwrap_or_else(|_| panic!("{name:?} not copied"));
        assert_eq!(original, copy, "{name:?} differs from shared/vectors");
    }
}
