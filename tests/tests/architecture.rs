#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The map matches the ground: `docs/architecture.md`'s crate table is checked against
//! `cargo metadata` (no crate depends on a workspace crate its row does not allow), the
//! layering rules behind the table hold, and every port of the domain has a row in the ports
//! table.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ sits in the workspace root")
        .to_path_buf()
}

fn architecture_doc() -> String {
    std::fs::read_to_string(workspace_root().join("docs/architecture.md"))
        .expect("docs/architecture.md is readable")
}

/// A workspace crate as `cargo metadata` sees it.
#[derive(Debug)]
struct Package {
    /// The folder, relative to the workspace root (`crates/core/domain`).
    folder: String,
    /// Workspace crates it depends on (normal and build dependencies, optional ones included).
    depends_on: BTreeSet<String>,
    /// Workspace crates it depends on in its tests only (dev-dependencies).
    in_tests: BTreeSet<String>,
}

fn workspace_packages() -> BTreeMap<String, Package> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(&root)
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let packages = metadata["packages"].as_array().expect("packages");
    let names: BTreeSet<String> = packages
        .iter()
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();

    packages
        .iter()
        .map(|p| {
            let name = p["name"].as_str().expect("name").to_owned();
            let manifest = Path::new(p["manifest_path"].as_str().expect("manifest_path"));
            let folder = manifest
                .parent()
                .and_then(|dir| dir.strip_prefix(&root).ok())
                .expect("a member lives under the workspace root")
                .to_string_lossy()
                .into_owned();
            let mut depends_on = BTreeSet::new();
            let mut in_tests = BTreeSet::new();
            for dep in p["dependencies"].as_array().expect("dependencies") {
                let dep_name = dep["name"].as_str().expect("dependency name");
                if !names.contains(dep_name) {
                    continue;
                }
                match dep["kind"].as_str() {
                    Some("dev") => in_tests.insert(dep_name.to_owned()),
                    _ => depends_on.insert(dep_name.to_owned()),
                };
            }
            (
                name,
                Package {
                    folder,
                    depends_on,
                    in_tests,
                },
            )
        })
        .collect()
}

/// A row of the crate table: its folder and the workspace crates it may depend on.
#[derive(Debug)]
struct Row {
    folder: String,
    depends_on: BTreeSet<String>,
    in_tests: BTreeSet<String>,
}

/// The `ents-*` names written in backticks in a table cell.
fn crate_names(cell: &str) -> BTreeSet<String> {
    cell.split('`')
        .skip(1)
        .step_by(2)
        .filter(|name| name.starts_with("ents-"))
        .map(str::to_owned)
        .collect()
}

fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("docs/architecture.md has a `{heading}` section"));
    let rest = &doc[start + heading.len()..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    &rest[..end]
}

fn crate_table() -> BTreeMap<String, Row> {
    let doc = architecture_doc();
    let mut rows = BTreeMap::new();
    for line in section(&doc, "## Crates").lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | `name` | folder | job | depends on | in tests also |
        if cells.len() != 7 || !cells[1].starts_with("`ents-") {
            continue;
        }
        let name = cells[1].trim_matches('`').to_owned();
        let row = Row {
            folder: cells[2].to_owned(),
            depends_on: crate_names(cells[4]),
            in_tests: crate_names(cells[5]),
        };
        assert!(
            rows.insert(name.clone(), row).is_none(),
            "{name} has two rows"
        );
    }
    assert!(!rows.is_empty(), "the crate table has rows");
    rows
}

#[test]
fn every_crate_has_a_row_and_depends_only_on_what_its_row_allows() {
    let packages = workspace_packages();
    let table = crate_table();

    let members: BTreeSet<&String> = packages.keys().collect();
    let documented: BTreeSet<&String> = table.keys().collect();
    assert_eq!(
        members, documented,
        "docs/architecture.md's crate table lists exactly the workspace members"
    );

    let mut wrong = Vec::new();
    for (name, package) in &packages {
        let row = &table[name];
        if row.folder != package.folder {
            wrong.push(format!(
                "{name}: lives in {}, the table says {}",
                package.folder, row.folder
            ));
        }
        for dep in package.depends_on.difference(&row.depends_on) {
            wrong.push(format!(
                "{name} depends on {dep}, which its row does not allow"
            ));
        }
        for dep in package
            .in_tests
            .difference(&row.in_tests)
            .filter(|dep| !row.depends_on.contains(*dep))
        {
            wrong.push(format!(
                "{name}'s tests depend on {dep}, which its row does not allow"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies off the map:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn layers_point_inward() {
    let packages = workspace_packages();
    let folder_of = |name: &str| packages[name].folder.as_str();
    let mut wrong = Vec::new();

    for (name, package) in &packages {
        if package.folder.starts_with("crates/core/") {
            for dep in &package.depends_on {
                if !folder_of(dep).starts_with("crates/core/") {
                    wrong.push(format!("core crate {name} depends on {dep}"));
                }
            }
        }
        if package.folder.starts_with("crates/adapters/") {
            for dep in &package.depends_on {
                let inward = folder_of(dep).starts_with("crates/core/")
                    || folder_of(dep).starts_with("crates/support/");
                if !inward {
                    wrong.push(format!("adapter {name} depends on {dep}"));
                }
            }
        }
        for dep in package.depends_on.iter().chain(&package.in_tests) {
            if dep == "ents-server" || dep == "ents-worker" {
                wrong.push(format!("{name} depends on the binary crate {dep}"));
            }
        }
    }
    let domain = &packages["ents-domain"];
    if !domain.depends_on.is_empty() {
        wrong.push(format!("ents-domain depends on {:?}", domain.depends_on));
    }
    assert!(wrong.is_empty(), "layering broken:\n{}", wrong.join("\n"));
}

/// `module::Trait` for every `pub trait` in the domain's source (test files aside).
fn domain_ports() -> BTreeSet<String> {
    fn visit(dir: &Path, src: &Path, out: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(dir).expect("domain source is readable") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                visit(&path, src, out);
                continue;
            }
            let is_test = path.file_name().is_some_and(|f| f == "tests.rs");
            if path.extension().is_none_or(|e| e != "rs") || is_test {
                continue;
            }
            let relative = path.strip_prefix(src).expect("under src");
            let module = relative
                .components()
                .next()
                .map(|c| {
                    c.as_os_str()
                        .to_string_lossy()
                        .trim_end_matches(".rs")
                        .to_owned()
                })
                .expect("a file under src");
            let text = std::fs::read_to_string(&path).expect("source is readable");
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("pub trait ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    out.insert(format!("{module}::{name}"));
                }
            }
        }
    }
    let src = workspace_root().join("crates/core/domain/src");
    let mut ports = BTreeSet::new();
    visit(&src, &src, &mut ports);
    ports
}

#[test]
fn every_domain_port_has_a_row_in_the_ports_table() {
    let doc = architecture_doc();
    let table = section(&doc, "## Ports and their adapters");
    let documented: BTreeSet<String> = table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .filter_map(|line| line.split('|').nth(1))
        .flat_map(|cell| {
            cell.split('`')
                .skip(1)
                .step_by(2)
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect();
    let ports = domain_ports();
    assert!(ports.len() > 20, "the domain's ports were found: {ports:?}");
    let missing: Vec<&String> = ports.difference(&documented).collect();
    assert!(
        missing.is_empty(),
        "ports without a row in docs/architecture.md: {missing:?}"
    );
}
