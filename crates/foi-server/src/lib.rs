//! `foi-server`: the `foi` binary's library. It holds what the binary and the end-to-end
//! tests share, so that the tests run the very router the binary serves.
//!
//! - [`http`]: the axum router ([`build_app`]) and [`serve`], with graceful shutdown;
//! - [`attachments`]: the files disclosed with a reply: storage (local disk, or S3 with the
//!   `s3` feature), limits, type checks, and their upload and download routes;
//! - [`config`]: [`Config`], read from a TOML file, the environment and flags, and [`config::describe_database`], the only way a
//!   database URL is shown to people (never with its password);
//! - [`db`]: opening and migrating the database, with errors that say which database failed;
//! - [`admin`]: creating agencies and staff accounts (`foi admin`, and the tests' fixtures);
//! - [`register_import`]: reading, checking and writing an agency's existing register
//!   (`foi import register`);
//! - [`graphql_ws`]: GraphQL subscriptions over a websocket at `/graphql/ws`;
//! - [`sweeper`]: the deadline sweep beside the server, feeding the live queue;
//! - [`mailer`]: e-mails the applicants' notifications from the outbox (`FOI_SMTP_URL`);
//! - [`metrics`]: the Prometheus recorder and what `/metrics` reads at scrape time;
//! - [`telemetry`] sets up logging (text or JSON lines).
//!
//! The command line itself (clap) lives in the binary, `src/main.rs`.

pub mod admin;
pub mod attachments;
pub mod config;
pub mod db;
pub mod graphql_ws;
pub mod http;
pub mod mailer;
pub mod metrics;
pub mod register_import;
pub mod sweeper;
pub mod telemetry;

pub use config::Config;
pub use http::{HttpConfig, build_app, build_app_with, serve, serve_with, shutdown_signal};

/// The GraphQL schema in SDL, exactly as committed in `schema.graphql` (and as printed by
/// `foi schema`): `foi_api::sdl()` ending with one newline.
pub fn schema_sdl() -> String {
    let mut sdl = foi_api::sdl();
    while sdl.ends_with('\n') {
        sdl.pop();
    }
    sdl.push('\n');
    sdl
}
