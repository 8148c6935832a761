//! Opening the database for a command: connect, apply migrations, and when that fails say
//! which database it was (never its password) and whether the fault is the input or the
//! database.

use std::time::Duration;

use foi_store::{Store, StoreError};

use crate::config::{describe_database, redact_password};

/// Why the database could not be opened.
#[derive(Debug)]
pub enum OpenError {
    /// The URL is not one `foi` understands: bad input (exit status 2).
    BadUrl(String),
    /// The database did not answer, refused us, or could not be migrated (exit status 1).
    Unavailable(String),
}

impl OpenError {
    /// What to tell the operator.
    pub fn message(&self) -> &str {
        match self {
            OpenError::BadUrl(m) | OpenError::Unavailable(m) => m,
        }
    }

    /// Whether the operator's input is at fault (rather than the database).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, OpenError::BadUrl(_))
    }
}

impl std::fmt::Display for OpenError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for OpenError {}

/// How long to wait for a PostgreSQL server to accept a TCP connection before saying it is
/// unreachable (the pool itself would wait 30 s and report only a pool timeout).
const REACH_TIMEOUT: Duration = Duration::from_secs(5);

/// Connects without touching the schema.
pub async fn connect(url: &str) -> Result<Store, OpenError> {
    check_reachable(url).await?;
    Store::connect_without_migrating(url).await.map_err(|e| open_error(url, "cannot open the database", &e))
}

/// For a PostgreSQL URL with a TCP host: fails fast, with the operating system's reason
/// (connection refused, no route, unknown host), when nothing accepts connections there.
async fn check_reachable(url: &str) -> Result<(), OpenError> {
    let Some((host, port)) = postgres_tcp_address(url) else { return Ok(()) };
    let unreachable = |why: String| {
        OpenError::Unavailable(redact_password(
            url,
            &format!("cannot reach the database ({}): {why}", describe_database(url)),
        ))
    };
    match tokio::time::timeout(REACH_TIMEOUT, tokio::net::TcpStream::connect((host.as_str(), port))).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(unreachable(e.to_string())),
        Err(_) => Err(unreachable(format!("no answer within {} s", REACH_TIMEOUT.as_secs()))),
    }
}

/// The TCP host and port of a `postgres://` URL; `None` for other URLs, for several hosts,
/// and for Unix sockets (left to the driver).
fn postgres_tcp_address(url: &str) -> Option<(String, u16)> {
    let rest = url.strip_prefix("postgres://").or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    if host_port.is_empty() || host_port.contains(',') || host_port.starts_with('%') {
        return None;
    }
    let (host, port) = match host_port.rsplit_once(':') {
        // `[::1]:5432`, `host:5432`
        Some((host, port)) if !port.contains(']') => (host, port.parse().ok()?),
        _ => (host_port, 5432),
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    Some((host.to_owned(), port))
}

/// Applies pending migrations; returns the names of those this call applied (none when a
/// replica starting at the same time applied them first). Concurrent migrators are
/// serialised by the store. Up to date, it only reads: no write lock, no DDL.
pub async fn migrate(store: &Store, url: &str) -> Result<Vec<String>, OpenError> {
    let pending =
        store.pending_migrations().await.map_err(|e| open_error(url, "cannot read the schema version", &e))?;
    if pending.is_empty() {
        return Ok(pending);
    }
    store.migrate().await.map_err(|e| open_error(url, "cannot migrate the database", &e))
}

/// Connects and migrates: what every command that uses the database does first.
pub async fn open(url: &str) -> Result<(Store, Vec<String>), OpenError> {
    let store = connect(url).await?;
    let applied = migrate(&store, url).await?;
    Ok((store, applied))
}

fn open_error(url: &str, what: &str, err: &StoreError) -> OpenError {
    if let StoreError::UnsupportedUrl { .. } = err {
        return OpenError::BadUrl(format!("bad database URL: {err}"));
    }
    let message = format!("{what} ({}): {}", describe_database(url), error_chain(err));
    OpenError::Unavailable(redact_password(url, &message))
}

/// `err` and its sources, joined by `: `.
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        // Wrappers often repeat their source's message; say it once.
        if !message.ends_with(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = s.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_addresses_of_postgres_urls() {
        let addr = |url| postgres_tcp_address(url);
        assert_eq!(addr("postgres://u:p@db.internal:6432/foi"), Some(("db.internal".into(), 6432)));
        assert_eq!(addr("postgresql://postgres@127.0.0.1/test?sslmode=disable"), Some(("127.0.0.1".into(), 5432)));
        assert_eq!(addr("postgres://[::1]:5433/foi"), Some(("::1".into(), 5433)));
        assert_eq!(addr("postgres://[::1]/foi"), Some(("::1".into(), 5432)));
        assert_eq!(addr("postgres:///foi?host=/run/postgresql"), None);
        assert_eq!(addr("postgres://a:5432,b:5432/foi"), None);
        assert_eq!(addr("sqlite://foi.db"), None);
    }
}
