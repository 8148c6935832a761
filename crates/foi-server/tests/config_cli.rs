//! `foi config check`, run as an operator runs it: the real binary reading a file and the
//! environment, printing the effective configuration (secrets hidden) or exiting 2 with an
//! error that names the key and the file.

use std::process::{Command, Output};

/// `foi config check` with `file`'s text (if any) and exactly the `FOI_*` variables of `vars`.
fn check(file: Option<&str>, vars: &[(&str, &str)]) -> (Output, std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foi.toml");
    let mut command = Command::new(env!("CARGO_BIN_EXE_foi"));
    command.args(["config", "check"]);
    // Whatever the developer's shell has set must not leak into the test.
    for (name, _) in std::env::vars() {
        if name.starts_with("FOI_") || name == "RUST_LOG" || name.starts_with("AWS_") {
            command.env_remove(name);
        }
    }
    if let Some(text) = file {
        std::fs::write(&path, text).unwrap();
        command.arg("--config").arg(&path);
    }
    command.envs(vars.iter().copied());
    (command.output().expect("the foi binary runs"), path, dir)
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn without_a_file_it_prints_the_development_defaults() {
    let (output, _, _dir) = check(None, &[]);
    let text = stdout(&output);
    let config: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(config["mode"].as_str(), Some("development"), "{text}");
    assert_eq!(config["database"]["url"].as_str(), Some("sqlite://foi-data/foi.db"));
    assert_eq!(config["http"]["listen"].as_str(), Some("127.0.0.1:8080"));
    assert_eq!(config["http"]["graphiql"].as_bool(), Some(true));
    assert_eq!(config["api"]["introspection"].as_bool(), Some(true));
    assert!(config["api"]["limits"]["max_depth"].as_integer().is_some(), "{text}");
}

#[test]
fn the_file_and_the_environment_are_merged_and_secrets_hidden() {
    let file =
        "mode = \"production\"\n[database]\nurl = \"postgres://foi:hunter2@db:5432/foi\"\n[log]\nformat = \"json\"\n";
    let (output, _, _dir) = check(
        Some(file),
        &[
            ("FOI_LISTEN", "0.0.0.0:9090"),
            ("FOI_SMTP_URL", "smtps://mailer:s3cret@mail.example"),
            ("FOI_SMTP_FROM", "foi@example.gov.cn"),
        ],
    );
    let text = stdout(&output);
    assert!(!text.contains("hunter2") && !text.contains("s3cret"), "{text}");
    let config: toml::Table = text.parse().unwrap();
    assert_eq!(config["database"]["url"].as_str(), Some("postgres://foi:***@db:5432/foi"));
    assert_eq!(config["mail"]["smtp_url"].as_str(), Some("smtps://mailer:***@mail.example"));
    assert_eq!(config["http"]["listen"].as_str(), Some("0.0.0.0:9090"));
    assert_eq!(config["http"]["graphiql"].as_bool(), Some(false), "production turns GraphiQL off");
    assert_eq!(config["api"]["introspection"].as_bool(), Some(false));
    assert_eq!(config["log"]["format"].as_str(), Some("json"));
}

#[test]
fn an_unknown_key_exits_2_naming_the_key_and_the_file() {
    let (output, path, _dir) = check(Some("[http]\ngrapiql = false\n"), &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty());
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("grapiql") && error.contains(&path.display().to_string()), "{error}");
}

#[test]
fn a_bad_variable_exits_2_naming_it() {
    let (output, _, _dir) = check(None, &[("FOI_MODE", "prod")]);
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("FOI_MODE"), "{error}");
    let (output, _, _dir) = check(None, &[("FOI_SMTP_URL", "smtp://mail:25")]);
    assert_eq!(output.status.code(), Some(2), "half a mail configuration is refused");
}

#[test]
fn serve_refuses_a_bad_file_before_touching_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("foi.toml");
    std::fs::write(&path, "[api.limits]\nmax_depht = 3\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_foi"))
        .args(["serve", "--config"])
        .arg(&path)
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let error = String::from_utf8_lossy(&output.stderr);
    assert!(error.contains("max_depht"), "{error}");
    assert!(!dir.path().join("foi-data").exists(), "no database was created");
}
