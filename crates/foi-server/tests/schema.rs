//! `schema.graphql` at the repository root is the API's public surface, committed so that a
//! change to it shows up as a reviewed diff. This test fails when the file no longer matches
//! the code; `UPDATE_SCHEMA=1 cargo test -p foi-server --test schema` rewrites it.

use std::path::Path;

#[test]
fn schema_graphql_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../schema.graphql");
    let current = foi_server::schema_sdl();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v != "0") {
        std::fs::write(&path, &current).expect("writing schema.graphql");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed != current {
        let first_difference = committed
            .lines()
            .zip(current.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| committed.lines().count().min(current.lines().count()));
        panic!(
            "schema.graphql is stale: run 'cargo run -p foi-server -- schema > schema.graphql' \
             (or UPDATE_SCHEMA=1 cargo test -p foi-server --test schema); first difference at line {}",
            first_difference + 1
        );
    }
}

#[test]
fn foi_schema_prints_the_same_sdl() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_foi")).arg("schema").output().expect("foi runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), foi_server::schema_sdl());
}
