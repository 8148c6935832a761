//! Logging for `foi serve`: `tracing` events (and the `log` records of the database driver)
//! written to standard error, filtered by `RUST_LOG` (default `info`).
//!
//! What reaches the log is decided where events are emitted: request method, path, status
//! and latency; never bodies, headers, tokens or other personal data.

use tracing_subscriber::EnvFilter;

/// Installs the global subscriber. Does nothing if one is installed already (a test may
/// have done it).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}
