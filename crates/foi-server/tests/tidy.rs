//! Architecture invariants, checked on every test run (see ARCHITECTURE.md):
//! the dependency arrows point down only, and every module says why it exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("workspace root")
}

/// Each workspace package and the names of its normal (non-dev) dependencies.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(workspace_root())
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata prints JSON");
    let packages = meta["packages"].as_array().expect("packages");
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap_or_default().to_owned())
                .collect();
            (p["name"].as_str().unwrap_or_default().to_owned(), deps)
        })
        .collect()
}

#[test]
fn the_domain_knows_no_io_database_or_wire_format() {
    let deps = dependencies();
    let domain = &deps["foi-domain"];
    for forbidden in ["sea-orm", "sqlx", "tokio", "axum", "async-graphql", "foi-store", "foi-api", "foi-stats"] {
        assert!(!domain.iter().any(|d| d == forbidden), "foi-domain must not depend on {forbidden}");
    }
}

#[test]
fn the_documents_render_from_plain_structs() {
    // foi-docs renders from the domain state and a context struct: no database, no IO runtime.
    let deps = dependencies();
    let docs = &deps["foi-docs"];
    for forbidden in ["sea-orm", "sqlx", "tokio", "axum", "async-graphql", "foi-store", "foi-api", "foi-stats"] {
        assert!(!docs.iter().any(|d| d == forbidden), "foi-docs must not depend on {forbidden}");
    }
}

#[test]
fn arrows_point_down_only() {
    // Layers from the bottom up; a crate may depend only on crates below it.
    let layers =
        ["foi-domain", "foi-docs", "foi-migrations", "foi-store", "foi-stats", "foi-api", "foi-web", "foi-server"];
    let deps = dependencies();
    for (i, name) in layers.iter().enumerate() {
        let Some(own) = deps.get(*name) else { continue };
        for upper in &layers[i..] {
            assert!(!own.iter().any(|d| d == upper), "{name} must not depend on {upper} (arrows point down)");
        }
    }
    // sea-orm appears nowhere above the store.
    for upper in ["foi-stats", "foi-api", "foi-web", "foi-server"] {
        if let Some(own) = deps.get(upper) {
            assert!(!own.iter().any(|d| d == "sea-orm"), "{upper} must not use sea-orm directly");
        }
    }
}

#[test]
fn the_portal_has_one_door_to_the_data() {
    // foi-web reads and writes through the GraphQL schema only: never the store, the
    // database or the domain rules directly.
    let deps = dependencies();
    let web = &deps["foi-web"];
    for forbidden in ["foi-store", "foi-domain", "foi-stats", "foi-docs", "sea-orm", "sqlx"] {
        assert!(!web.iter().any(|d| d == forbidden), "foi-web must not depend on {forbidden}");
    }
}

#[test]
fn every_module_has_a_doc_comment() {
    let mut missing = Vec::new();
    let crates = workspace_root().join("crates");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&crates).unwrap().map(|e| e.unwrap().path().join("src")).collect();
    dirs.push(workspace_root().join("migrations/src"));
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                if !text.trim_start().starts_with("//!") {
                    missing.push(path.display().to_string());
                }
            }
        }
    }
    assert!(missing.is_empty(), "these modules need a `//!` doc saying why they exist:\n{}", missing.join("\n"));
}
