//! Configuration of `foi serve`, and the one way a database URL is shown to people.
//!
//! A database URL may carry a password (`postgres://foi:secret@db/foi`). It is printed, logged
//! and put into error messages only through [`describe_database`], which keeps the engine,
//! the host and the database name and drops the user and password.

use std::net::{Ipv4Addr, SocketAddr};

/// The database used when neither `--database-url` nor `FOI_DATABASE_URL` is given: an
/// embedded SQLite file relative to the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://foi-data/foi.db";

/// The environment variable that names the database.
pub const DATABASE_URL_ENV: &str = "FOI_DATABASE_URL";

/// The environment variable that sets how often `foi serve` runs the deadline sweep, in
/// seconds (`--sweep-interval`).
pub const SWEEP_INTERVAL_ENV: &str = "FOI_SWEEP_INTERVAL";

/// How often `foi serve` runs the deadline sweep unless told otherwise: every 10 minutes.
/// `0` disables it (then run `foi sweep` from cron).
pub const DEFAULT_SWEEP_INTERVAL_SECS: u64 = 600;

/// Where `foi serve` listens unless told otherwise: loopback only, so that a fresh install
/// is not reachable from the network by accident.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// What `foi serve` needs to start.
#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub database_url: String,
    /// The address to listen on.
    pub listen: SocketAddr,
}

impl Default for Config {
    fn default() -> Self {
        Config { database_url: DEFAULT_DATABASE_URL.to_owned(), listen: DEFAULT_LISTEN }
    }
}

impl std::fmt::Debug for Config {
    // Never the raw URL: it may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database", &describe_database(&self.database_url))
            .field("listen", &self.listen)
            .finish()
    }
}

/// A database URL for people to read: `sqlite foi-data/foi.db`, `sqlite in memory`,
/// `postgresql db.example:5432/foi`. Never the user name or the password.
pub fn describe_database(url: &str) -> String {
    let (scheme, rest) = url.split_once(':').unwrap_or((url, ""));
    match scheme {
        "sqlite" => {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split_once('?').map_or(path, |(path, _)| path);
            if path.is_empty() || path == ":memory:" || url.contains("mode=memory") {
                "sqlite in memory".to_owned()
            } else {
                format!("sqlite {path}")
            }
        }
        "postgres" | "postgresql" => {
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
            let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
            // Everything up to the last `@` is user information (a password may contain `@`
            // only percent-encoded, but be safe with the last one).
            let mut host = authority.rsplit_once('@').map_or(authority, |(_, host)| host).to_owned();
            let mut database = database.to_owned();
            for (key, value) in query.split('&').filter_map(|pair| pair.split_once('=')) {
                match key {
                    "host" if host.is_empty() => host = value.to_owned(),
                    "dbname" if database.is_empty() => database = value.to_owned(),
                    _ => {}
                }
            }
            if host.is_empty() {
                host = "localhost".to_owned();
            }
            if database.is_empty() { format!("postgresql {host}") } else { format!("postgresql {host}/{database}") }
        }
        other => format!("{other} database"),
    }
}

/// Replaces the password of `url`, if it has one, by `***` wherever it appears in `text`, for
/// error messages from the database driver that might quote it.
pub fn redact_password(url: &str, text: &str) -> String {
    match password_of(url) {
        Some(password) if !password.is_empty() => text.replace(password, "***"),
        _ => text.to_owned(),
    }
}

fn password_of(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?']).next()?;
    let user_info = authority.rsplit_once('@')?.0;
    Some(user_info.split_once(':')?.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_show_the_file() {
        assert_eq!(describe_database("sqlite://foi-data/foi.db"), "sqlite foi-data/foi.db");
        assert_eq!(describe_database("sqlite:///var/lib/foi/foi.db"), "sqlite /var/lib/foi/foi.db");
        assert_eq!(describe_database("sqlite://foi.db?mode=rwc"), "sqlite foi.db");
        assert_eq!(describe_database("sqlite::memory:"), "sqlite in memory");
    }

    #[test]
    fn postgres_urls_show_host_and_database_but_no_credentials() {
        assert_eq!(describe_database("postgres://foi:s3cr@t@db.internal:5432/foi"), "postgresql db.internal:5432/foi");
        assert_eq!(
            describe_database("postgresql://postgres@127.0.0.1/test?sslmode=disable"),
            "postgresql 127.0.0.1/test"
        );
        assert_eq!(describe_database("postgres:///foi?host=/run/postgresql"), "postgresql /run/postgresql/foi");
        assert_eq!(describe_database("postgres://db"), "postgresql db");
    }

    #[test]
    fn passwords_are_redacted_from_messages() {
        let url = "postgres://foi:hunter2@db:5432/foi";
        assert_eq!(redact_password(url, "auth failed for hunter2 at db"), "auth failed for *** at db");
        assert_eq!(redact_password("postgres://foi@db/foi", "nothing to hide"), "nothing to hide");
        assert_eq!(redact_password("sqlite://foi.db", "x"), "x");
    }

    #[test]
    fn debug_output_hides_the_url() {
        let config = Config { database_url: "postgres://foi:hunter2@db/foi".into(), listen: DEFAULT_LISTEN };
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgresql db/foi"), "{shown}");
    }
}
