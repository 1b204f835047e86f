//! Fingerprints the migration files so that `testing::TestDb` can name its template
//! database after them (a changed migration means a new template) and so that cargo
//! rebuilds the crate, whose binary embeds the migrations, whenever one changes.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let dir = Path::new("../../../migrations");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files = Vec::new();
    collect(dir, &mut files);
    files.sort();
    // FNV-1a, 64 bit: tiny, dependency-free and stable across Rust versions (unlike
    // `DefaultHasher`), which matters because several processes must agree on the name.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(dir)
            .unwrap_or(file)
            .to_string_lossy()
            .into_owned();
        let content = fs::read(file).unwrap_or_default();
        for byte in rel
            .as_bytes()
            .iter()
            .chain([0u8].iter())
            .chain(content.iter())
            .chain([0u8].iter())
        {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    println!("cargo:rustc-env=ENTS_MIGRATIONS_HASH={hash:016x}");
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, out);
        } else {
            out.push(path);
        }
    }
}
