//! The configuration of `foi serve` and of every command that opens the database: one typed
//! [`Config`], read from a TOML file (`--config FILE` or `FOI_CONFIG`), overridden by
//! environment variables, overridden in turn by command-line flags. Every key, its default
//! and its variable are listed in `docs/configuration.md`.
//!
//! With no file the defaults apply: SQLite in `foi-data/`, 127.0.0.1:8080, development mode.
//! `mode = "production"` turns GraphiQL and introspection off unless the file (or their
//! variable) sets them explicitly. An unknown key or a bad value is an error that names the
//! key and the file (or the variable); the binary exits with status 2.
//!
//! A database URL may carry a password (`postgres://foi:secret@db/foi`). It is printed, logged
//! and put into error messages only through [`describe_database`], which keeps the engine,
//! the host and the database name and drops the user and password; [`Config::to_toml`]
//! prints the effective configuration with every secret replaced by `***`.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::attachments::{self, AttachmentsConfig};
use crate::http::HttpConfig;
use crate::mailer::{self, MailerConfig};

/// The database used when neither `--database-url` nor `FOI_DATABASE_URL` is given: an
/// embedded SQLite file relative to the working directory, created on first start.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://foi-data/foi.db";

/// The environment variable that names the configuration file (`--config`).
pub const CONFIG_ENV: &str = "FOI_CONFIG";
/// `mode`.
pub const MODE_ENV: &str = "FOI_MODE";
/// The environment variable that names the database (`[database] url`).
pub const DATABASE_URL_ENV: &str = "FOI_DATABASE_URL";
/// `[http] listen`.
pub const LISTEN_ENV: &str = "FOI_LISTEN";
/// `[http] graphiql`.
pub const GRAPHIQL_ENV: &str = "FOI_GRAPHIQL";
/// `[http] cors_allowed_origins`, comma-separated.
pub const CORS_ENV: &str = "FOI_CORS_ALLOWED_ORIGINS";
/// `[http] hsts`.
pub const HSTS_ENV: &str = "FOI_HSTS";
/// `[http] trusted_proxies`, comma-separated.
pub const TRUSTED_PROXIES_ENV: &str = "FOI_TRUSTED_PROXIES";
/// `[http] metrics_token`.
pub const METRICS_TOKEN_ENV: &str = "FOI_METRICS_TOKEN";
/// `[api] introspection`.
pub const INTROSPECTION_ENV: &str = "FOI_INTROSPECTION";
/// `[log] format`.
pub const LOG_FORMAT_ENV: &str = "FOI_LOG_FORMAT";
/// `[log] level`; `RUST_LOG`, the usual variable of the `tracing` ecosystem, wins over it.
pub const LOG_LEVEL_ENV: &str = "FOI_LOG_LEVEL";
/// `[log] level` as a full filter (`info,sqlx=warn`).
pub const RUST_LOG_ENV: &str = "RUST_LOG";
/// The environment variable that sets how often `foi serve` runs the deadline sweep, in
/// seconds (`[sweep] interval_secs`, `--sweep-interval`).
pub const SWEEP_INTERVAL_ENV: &str = "FOI_SWEEP_INTERVAL";

/// How often `foi serve` runs the deadline sweep unless told otherwise: every 10 minutes.
/// `0` disables it (then run `foi sweep` from cron).
pub const DEFAULT_SWEEP_INTERVAL_SECS: u64 = 600;

/// Where `foi serve` listens unless told otherwise: loopback only, so that a fresh install
/// is not reachable from the network by accident.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8080);

/// What a secret is shown as.
const REDACTED: &str = "***";

/// Development (the default) or production: production turns GraphiQL and introspection off
/// unless they are set explicitly.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// GraphiQL and introspection on: for a developer's machine and the demo.
    #[default]
    Development,
    /// GraphiQL and introspection off unless set.
    Production,
}

/// How log lines are written to standard error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One human-readable line per event.
    #[default]
    Text,
    /// One JSON object per line (timestamp, level, target, fields, span), for log shippers.
    Json,
}

/// The whole configuration: the file's shape, and (once loaded) the effective values.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Development or production.
    pub mode: Mode,
    /// `[database]`.
    pub database: DatabaseSection,
    /// `[http]`.
    pub http: HttpSection,
    /// `[log]`.
    pub log: LogSection,
    /// `[sweep]`.
    pub sweep: SweepSection,
    /// `[attachments]`.
    pub attachments: AttachmentsSection,
    /// `[mail]`.
    pub mail: MailSection,
    /// `[api]`: the API's bounds and policies, as `foi_api` defines them.
    pub api: foi_api::ApiConfig,
}

/// `[database]`.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSection {
    /// `sqlite://path`, `sqlite::memory:` or `postgres://…`.
    pub url: String,
}

impl Default for DatabaseSection {
    fn default() -> Self {
        DatabaseSection { url: DEFAULT_DATABASE_URL.to_owned() }
    }
}

/// `[http]`: what becomes [`HttpConfig`], and the listening address.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpSection {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// See [`HttpConfig::request_timeout`], in seconds.
    pub request_timeout_secs: u64,
    /// See [`HttpConfig::header_read_timeout`], in seconds.
    pub header_read_timeout_secs: u64,
    /// See [`HttpConfig::max_connections`].
    pub max_connections: usize,
    /// See [`HttpConfig::graphiql`]; unset, it follows the mode.
    pub graphiql: Option<bool>,
    /// See [`HttpConfig::cors_allowed_origins`].
    pub cors_allowed_origins: Vec<String>,
    /// See [`HttpConfig::hsts`].
    pub hsts: bool,
    /// See [`HttpConfig::trusted_proxies`].
    pub trusted_proxies: Vec<IpAddr>,
    /// See [`HttpConfig::metrics_token`].
    pub metrics_token: Option<String>,
}

impl Default for HttpSection {
    fn default() -> Self {
        let http = HttpConfig::default();
        HttpSection {
            listen: DEFAULT_LISTEN,
            request_timeout_secs: http.request_timeout.as_secs(),
            header_read_timeout_secs: http.header_read_timeout.as_secs(),
            max_connections: http.max_connections,
            graphiql: None,
            cors_allowed_origins: http.cors_allowed_origins,
            hsts: http.hsts,
            trusted_proxies: http.trusted_proxies,
            metrics_token: http.metrics_token,
        }
    }
}

/// `[log]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSection {
    /// Text or JSON lines.
    pub format: LogFormat,
    /// A `tracing` filter: `info`, `debug`, `info,sqlx=warn`.
    pub level: String,
}

impl Default for LogSection {
    fn default() -> Self {
        LogSection { format: LogFormat::Text, level: "info".to_owned() }
    }
}

/// `[sweep]`.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SweepSection {
    /// Seconds between deadline sweeps; 0 turns the background sweep off.
    pub interval_secs: u64,
}

impl Default for SweepSection {
    fn default() -> Self {
        SweepSection { interval_secs: DEFAULT_SWEEP_INTERVAL_SECS }
    }
}

/// `[attachments]`: where the files of replies are kept (a directory, or an object store),
/// and how large one may be.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AttachmentsSection {
    /// A directory; unset, `attachments/` next to the SQLite file, or `foi-data/attachments`.
    pub dir: Option<PathBuf>,
    /// `s3://BUCKET/PREFIX` instead of a directory (a build with the `s3` feature).
    pub url: Option<String>,
    /// The largest file accepted, in bytes.
    pub max_bytes: u64,
}

impl Default for AttachmentsSection {
    fn default() -> Self {
        AttachmentsSection { dir: None, url: None, max_bytes: attachments::DEFAULT_MAX_BYTES }
    }
}

/// `[mail]`: the SMTP server that e-mails the applicants' notifications; both or neither.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSection {
    /// `smtp://HOST:PORT`, `smtp://USER:PASS@HOST:587?tls=required`, `smtps://USER:PASS@HOST`.
    pub smtp_url: Option<String>,
    /// The sender, `政务公开办 <foi@example.gov.cn>`.
    pub from: Option<String>,
}

/// A configuration that cannot be used: where (the file or the variable) and what to fix.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct ConfigError {
    /// The file, the environment variable or the command-line flag at fault.
    pub source_name: String,
    /// What is wrong, naming the key.
    pub message: String,
}

impl ConfigError {
    fn new(source_name: impl Into<String>, message: impl Into<String>) -> ConfigError {
        ConfigError { source_name: source_name.into(), message: message.into() }
    }
}

/// What the command line sets; each overrides the file and the environment.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--database-url`.
    pub database_url: Option<String>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--sweep-interval`.
    pub sweep_interval_secs: Option<u64>,
    /// `--log-format`.
    pub log_format: Option<LogFormat>,
}

impl Config {
    /// Loads the configuration the way `foi serve` does: the file (`file`, else the one named
    /// by `FOI_CONFIG`, else none), then the environment variables read through `env`, then
    /// `overrides`; then the mode's defaults for what is still unset.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
        overrides: Overrides,
    ) -> Result<Config, ConfigError> {
        // An empty variable counts as unset, as the shell's `FOO= foi serve` intends.
        let env = |name: &str| env(name).map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let file = file.map(Path::to_path_buf).or_else(|| env(CONFIG_ENV).map(PathBuf::from));
        let (mut config, explicit) = match &file {
            Some(path) => {
                let shown = path.display().to_string();
                let text = std::fs::read_to_string(path)
                    .map_err(|e| ConfigError::new(&shown, format!("cannot read the configuration file: {e}")))?;
                Config::parse(&text).map_err(|message| ConfigError::new(&shown, message))?
            }
            None => (Config::default(), Explicit::default()),
        };
        let explicit = config.apply_env(&env, explicit)?;
        config.apply_overrides(overrides);
        config.resolve_mode(explicit);
        let source = file.map_or_else(|| "configuration".to_owned(), |f| f.display().to_string());
        config.check().map_err(|message| ConfigError::new(source, message))?;
        Ok(config)
    }

    /// The file's text as a configuration, and which mode-dependent keys it set.
    fn parse(text: &str) -> Result<(Config, Explicit), String> {
        let config: Config = toml::from_str(text).map_err(|e| e.to_string().trim_end().to_owned())?;
        // The typed parse cannot tell a default from a value the file gave: look at the keys.
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| e.to_string())?;
        let set = |section: &str, key: &str| {
            table.get(section).and_then(toml::Value::as_table).is_some_and(|t| t.contains_key(key))
        };
        Ok((config, Explicit { introspection: set("api", "introspection") }))
    }

    fn apply_env(
        &mut self,
        env: &impl Fn(&str) -> Option<String>,
        mut explicit: Explicit,
    ) -> Result<Explicit, ConfigError> {
        if let Some(v) = env(MODE_ENV) {
            self.mode = match v.as_str() {
                "development" => Mode::Development,
                "production" => Mode::Production,
                _ => return Err(ConfigError::new(MODE_ENV, format!("{v:?}: use development or production"))),
            };
        }
        if let Some(v) = env(DATABASE_URL_ENV) {
            self.database.url = v;
        }
        if let Some(v) = env(LISTEN_ENV) {
            self.http.listen = v.parse().map_err(|_| {
                ConfigError::new(LISTEN_ENV, format!("{v:?} is not an address: give IP:PORT, e.g. 0.0.0.0:8080"))
            })?;
        }
        if let Some(v) = env(GRAPHIQL_ENV) {
            self.http.graphiql = Some(parse_bool(GRAPHIQL_ENV, &v)?);
        }
        if let Some(v) = env(CORS_ENV) {
            self.http.cors_allowed_origins = split_list(&v).map(str::to_owned).collect();
        }
        if let Some(v) = env(HSTS_ENV) {
            self.http.hsts = parse_bool(HSTS_ENV, &v)?;
        }
        if let Some(v) = env(TRUSTED_PROXIES_ENV) {
            self.http.trusted_proxies = split_list(&v)
                .map(|ip| {
                    ip.parse()
                        .map_err(|_| ConfigError::new(TRUSTED_PROXIES_ENV, format!("{ip:?} is not an IP address")))
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = env(METRICS_TOKEN_ENV) {
            self.http.metrics_token = Some(v);
        }
        if let Some(v) = env(INTROSPECTION_ENV) {
            self.api.introspection = parse_bool(INTROSPECTION_ENV, &v)?;
            explicit.introspection = true;
        }
        if let Some(v) = env(LOG_FORMAT_ENV) {
            self.log.format = match v.as_str() {
                "text" => LogFormat::Text,
                "json" => LogFormat::Json,
                _ => return Err(ConfigError::new(LOG_FORMAT_ENV, format!("{v:?}: use text or json"))),
            };
        }
        if let Some(v) = env(RUST_LOG_ENV).or_else(|| env(LOG_LEVEL_ENV)) {
            self.log.level = v;
        }
        if let Some(v) = env(SWEEP_INTERVAL_ENV) {
            self.sweep.interval_secs = v.parse().map_err(|_| {
                ConfigError::new(SWEEP_INTERVAL_ENV, format!("{v:?} is not a whole number of seconds (0: never)"))
            })?;
        }
        // A location from the environment replaces the file's, whichever kind it is.
        match (env(attachments::DIR_ENV), env(attachments::URL_ENV)) {
            (Some(_), Some(_)) => {
                return Err(ConfigError::new(
                    attachments::DIR_ENV,
                    format!(
                        "{} is set too: keep attachments either in a directory or in an object store",
                        attachments::URL_ENV
                    ),
                ));
            }
            (Some(dir), None) => (self.attachments.dir, self.attachments.url) = (Some(dir.into()), None),
            (None, Some(url)) => (self.attachments.dir, self.attachments.url) = (None, Some(url)),
            (None, None) => {}
        }
        if let Some(v) = env(attachments::MAX_BYTES_ENV) {
            self.attachments.max_bytes = v.parse().map_err(|_| {
                ConfigError::new(
                    attachments::MAX_BYTES_ENV,
                    format!("{v:?} is not a size: give a whole number of bytes, e.g. 20971520 for 20 MiB"),
                )
            })?;
        }
        if let Some(v) = env(mailer::SMTP_URL_ENV) {
            self.mail.smtp_url = Some(v);
        }
        if let Some(v) = env(mailer::SMTP_FROM_ENV) {
            self.mail.from = Some(v);
        }
        Ok(explicit)
    }

    fn apply_overrides(&mut self, overrides: Overrides) {
        let Overrides { database_url, listen, sweep_interval_secs, log_format } = overrides;
        if let Some(url) = database_url {
            self.database.url = url;
        }
        if let Some(listen) = listen {
            self.http.listen = listen;
        }
        if let Some(secs) = sweep_interval_secs {
            self.sweep.interval_secs = secs;
        }
        if let Some(format) = log_format {
            self.log.format = format;
        }
    }

    /// Production turns off what helps a developer explore the API, unless it was set.
    fn resolve_mode(&mut self, explicit: Explicit) {
        let development = self.mode == Mode::Development;
        self.http.graphiql.get_or_insert(development);
        if !explicit.introspection {
            self.api.introspection = development;
        }
    }

    /// The values no type can check; the message names the key.
    fn check(&self) -> Result<(), String> {
        let http = &self.http;
        if http.request_timeout_secs == 0 {
            return Err("[http] request_timeout_secs must be at least 1".into());
        }
        if http.header_read_timeout_secs == 0 {
            return Err("[http] header_read_timeout_secs must be at least 1".into());
        }
        if http.max_connections == 0 {
            return Err("[http] max_connections must be at least 1".into());
        }
        for origin in &http.cors_allowed_origins {
            check_origin(origin).map_err(|why| format!("[http] cors_allowed_origins: {origin:?} {why}"))?;
        }
        if http.metrics_token.as_deref().is_some_and(|t| t.len() < 16 || t.chars().any(char::is_whitespace)) {
            return Err("[http] metrics_token must be at least 16 characters without spaces".into());
        }
        if self.attachments.max_bytes == 0 {
            return Err("[attachments] max_bytes must be at least 1".into());
        }
        if self.attachments.dir.is_some() && self.attachments.url.is_some() {
            return Err("[attachments] set dir or url, not both".into());
        }
        tracing_subscriber::EnvFilter::try_new(&self.log.level).map_err(|e| {
            format!("[log] level {:?} is not a filter ({e}); e.g. info, or info,sqlx=warn", self.log.level)
        })?;
        Ok(())
    }

    /// The [`HttpConfig`] of `foi serve`.
    pub fn http_config(&self) -> HttpConfig {
        let http = &self.http;
        HttpConfig {
            graphiql: http.graphiql.unwrap_or(self.mode == Mode::Development),
            request_timeout: Duration::from_secs(http.request_timeout_secs),
            header_read_timeout: Duration::from_secs(http.header_read_timeout_secs),
            max_connections: http.max_connections,
            cors_allowed_origins: http.cors_allowed_origins.clone(),
            hsts: http.hsts,
            trusted_proxies: http.trusted_proxies.clone(),
            metrics_token: http.metrics_token.clone(),
        }
    }

    /// Where attachments are kept, and their limit.
    pub fn attachments_config(&self) -> Result<AttachmentsConfig, ConfigError> {
        let section = &self.attachments;
        let var = |name: &str| match name {
            attachments::DIR_ENV => section.dir.as_ref().map(|d| d.display().to_string()),
            attachments::URL_ENV => section.url.clone(),
            attachments::MAX_BYTES_ENV => Some(section.max_bytes.to_string()),
            _ => None,
        };
        AttachmentsConfig::from_vars(&self.database.url, var)
            .map_err(|e| ConfigError::new("[attachments]", e.to_string()))
    }

    /// The e-mail sender's settings; `None` when no mail server is configured.
    pub fn mailer_config(&self) -> Result<Option<MailerConfig>, ConfigError> {
        let error = |e: mailer::MailerError| ConfigError::new("[mail]", e.to_string());
        match (&self.mail.smtp_url, &self.mail.from) {
            (None, None) => Ok(None),
            (Some(url), Some(from)) => MailerConfig::new(url, from).map(Some).map_err(error),
            _ => Err(error(mailer::MailerError::Incomplete)),
        }
    }

    /// The sweep's interval; `None` when the background sweep is off.
    pub fn sweep_interval(&self) -> Option<Duration> {
        (self.sweep.interval_secs > 0).then(|| Duration::from_secs(self.sweep.interval_secs))
    }

    /// The effective configuration as TOML, with the database's and the mail server's
    /// passwords and the metrics token replaced by `***` (`foi config check`).
    pub fn to_toml(&self) -> String {
        let mut shown = self.clone();
        shown.database.url = redact_url(&shown.database.url);
        shown.mail.smtp_url = shown.mail.smtp_url.as_deref().map(redact_url);
        if shown.http.metrics_token.is_some() {
            shown.http.metrics_token = Some(REDACTED.to_owned());
        }
        // Every field has a TOML form (no map keys but strings, no `None` at the top).
        toml::to_string_pretty(&shown).unwrap_or_else(|e| format!("# cannot show the configuration: {e}\n"))
    }
}

impl std::fmt::Debug for Config {
    // Never the raw URLs or the token: they may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("mode", &self.mode)
            .field("database", &describe_database(&self.database.url))
            .field("listen", &self.http.listen)
            .field("http", &self.http_config())
            .field("log", &self.log)
            .field("sweep", &self.sweep)
            .field("api", &self.api)
            .finish_non_exhaustive()
    }
}

/// Which of the keys whose default follows the mode were given explicitly (`[http]
/// graphiql` is an `Option` and needs no flag).
#[derive(Clone, Copy, Debug, Default)]
struct Explicit {
    introspection: bool,
}

fn parse_bool(name: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ConfigError::new(name, format!("{value:?}: use true or false"))),
    }
}

fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// An origin as browsers send it: `https://host` or `https://host:port`, nothing more.
fn check_origin(origin: &str) -> Result<(), &'static str> {
    if origin == "*" {
        return Err("is not allowed: name each origin (the API takes bearer tokens from any page allowed)");
    }
    let Some((scheme, host)) = origin.split_once("://") else {
        return Err("is not an origin: give scheme and host, e.g. https://foi.example.gov.cn");
    };
    if !matches!(scheme, "http" | "https") {
        return Err("is not an origin: the scheme must be http or https");
    }
    if host.is_empty() || host.contains(['/', '?', '#', '@', ' ']) || origin.ends_with('/') {
        return Err("is not an origin: scheme and host (and port) only, no path or trailing slash");
    }
    if axum::http::HeaderValue::from_str(origin).is_err() {
        return Err("is not an origin: it holds characters a header cannot carry");
    }
    Ok(())
}

/// `url` with its password, if any, replaced by `***`.
fn redact_url(url: &str) -> String {
    match password_of(url) {
        Some(password) if !password.is_empty() => {
            // Replace in the user-information part only: the password might also occur
            // elsewhere (a host name) by coincidence.
            let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
            let at = rest.find(['/', '?']).unwrap_or(rest.len());
            let (authority, tail) = rest.split_at(at);
            let (user_info, host) = authority.rsplit_once('@').unwrap_or(("", authority));
            let user = user_info.split_once(':').map_or(user_info, |(user, _)| user);
            format!("{scheme}://{user}:{REDACTED}@{host}{tail}")
        }
        _ => url.to_owned(),
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

    use std::collections::HashMap;

    fn load_with(file: Option<&str>, vars: &[(&str, &str)], overrides: Overrides) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("foi.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        Config::load(file.map(|_| path.as_path()), |name| vars.get(name).cloned(), overrides)
    }

    fn load(file: Option<&str>, vars: &[(&str, &str)]) -> Config {
        load_with(file, vars, Overrides::default()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn refused(file: Option<&str>, vars: &[(&str, &str)]) -> String {
        match load_with(file, vars, Overrides::default()) {
            Ok(config) => panic!("accepted: {config:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn without_a_file_the_defaults_are_development_on_sqlite() {
        let config = load(None, &[]);
        assert_eq!(config.mode, Mode::Development);
        assert_eq!(config.database.url, DEFAULT_DATABASE_URL);
        assert_eq!(config.http.listen, DEFAULT_LISTEN);
        assert_eq!(config.http.graphiql, Some(true));
        assert!(config.api.introspection);
        assert_eq!(config.api, foi_api::ApiConfig::default());
        assert_eq!(config.http_config(), HttpConfig::default());
        assert_eq!(config.sweep_interval(), Some(Duration::from_secs(DEFAULT_SWEEP_INTERVAL_SECS)));
        assert_eq!(config.log.format, LogFormat::Text);
        assert!(config.mailer_config().unwrap().is_none());
        assert_eq!(config.attachments_config().unwrap(), AttachmentsConfig::local("foi-data/attachments"));
    }

    #[test]
    fn a_file_sets_every_section() {
        let config = load(
            Some(
                r#"
mode = "production"
[database]
url = "postgres://foi:pw@db/foi"
[http]
listen = "0.0.0.0:9000"
request_timeout_secs = 20
cors_allowed_origins = ["https://portal.example.gov.cn"]
hsts = true
trusted_proxies = ["10.0.0.1"]
[api]
introspection = true
[api.limits]
max_depth = 9
[api.sign_in]
hash_workers = 3
[log]
format = "json"
level = "debug"
[sweep]
interval_secs = 0
[attachments]
dir = "/srv/foi/files"
max_bytes = 1024
[mail]
smtp_url = "smtp://mail.example:25"
from = "foi@example.gov.cn"
"#,
            ),
            &[],
        );
        assert_eq!(config.mode, Mode::Production);
        assert_eq!(config.http.listen, "0.0.0.0:9000".parse().unwrap());
        let http = config.http_config();
        assert_eq!(http.request_timeout, Duration::from_secs(20));
        assert!(http.hsts);
        assert!(!http.graphiql, "production without graphiql set");
        assert!(config.api.introspection, "set explicitly, so production keeps it");
        assert_eq!(config.api.limits.max_depth, 9);
        assert_eq!(config.api.limits.max_aliases, foi_api::config::Limits::default().max_aliases);
        assert_eq!(config.api.sign_in.hash_workers, 3);
        assert_eq!(http.trusted_proxies, vec!["10.0.0.1".parse::<IpAddr>().unwrap()]);
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.sweep_interval(), None);
        assert_eq!(
            config.attachments_config().unwrap(),
            AttachmentsConfig { location: attachments::Location::Dir("/srv/foi/files".into()), max_bytes: 1024 }
        );
        assert!(config.mailer_config().unwrap().is_some());
    }

    #[test]
    fn production_turns_graphiql_and_introspection_off_unless_set() {
        let config = load(Some("mode = \"production\"\n"), &[]);
        assert!(!config.http_config().graphiql);
        assert!(!config.api.introspection);
        let config = load(None, &[(MODE_ENV, "production")]);
        assert!(!config.http_config().graphiql);
        assert!(!config.api.introspection);
        let config = load(Some("mode = \"production\"\n[http]\ngraphiql = true\n"), &[]);
        assert!(config.http_config().graphiql);
        assert!(!config.api.introspection);
        let config = load(Some("mode = \"production\"\n"), &[(INTROSPECTION_ENV, "true")]);
        assert!(config.api.introspection);
        // Development keeps both on, and an explicit `false` holds there too.
        let config = load(Some("[api]\nintrospection = false\n"), &[]);
        assert!(!config.api.introspection);
        assert!(config.http_config().graphiql);
    }

    #[test]
    fn the_environment_overrides_the_file_and_flags_override_both() {
        let file =
            "[database]\nurl = \"sqlite://file.db\"\n[sweep]\ninterval_secs = 60\n[attachments]\nurl = \"s3://b/p\"\n";
        let vars = [
            (DATABASE_URL_ENV, "sqlite://env.db"),
            (SWEEP_INTERVAL_ENV, "120"),
            (attachments::DIR_ENV, "/env/files"),
            (CORS_ENV, "https://a.example, https://b.example"),
            (LOG_FORMAT_ENV, "json"),
            (mailer::SMTP_URL_ENV, "smtp://mail:25"),
            (mailer::SMTP_FROM_ENV, "foi@example.gov.cn"),
        ];
        let config = load(Some(file), &vars);
        assert_eq!(config.database.url, "sqlite://env.db");
        assert_eq!(config.sweep.interval_secs, 120);
        assert_eq!(config.attachments.dir.as_deref(), Some(Path::new("/env/files")));
        assert_eq!(config.attachments.url, None, "the variable's location replaces the file's");
        assert_eq!(config.http.cors_allowed_origins, ["https://a.example", "https://b.example"]);
        assert_eq!(config.log.format, LogFormat::Json);
        assert!(config.mailer_config().unwrap().is_some());
        let overrides = Overrides {
            database_url: Some("sqlite://flag.db".into()),
            listen: Some("127.0.0.1:1".parse().unwrap()),
            sweep_interval_secs: Some(5),
            log_format: Some(LogFormat::Text),
        };
        let config = load_with(Some(file), &vars, overrides).unwrap();
        assert_eq!(config.database.url, "sqlite://flag.db");
        assert_eq!(config.http.listen.port(), 1);
        assert_eq!(config.sweep.interval_secs, 5);
        assert_eq!(config.log.format, LogFormat::Text);
        // An empty variable is unset.
        assert_eq!(load(Some(file), &[(DATABASE_URL_ENV, " ")]).database.url, "sqlite://file.db");
        // The file is found through FOI_CONFIG too.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "mode = \"production\"\n").unwrap();
        let shown = path.display().to_string();
        let config = Config::load(None, |n| (n == CONFIG_ENV).then(|| shown.clone()), Overrides::default()).unwrap();
        assert_eq!(config.mode, Mode::Production);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_naming_the_key_and_the_file() {
        let e = refused(Some("[http]\ngrapiql = true\n"), &[]);
        assert!(e.contains("foi.toml") && e.contains("grapiql"), "{e}");
        let e = refused(Some("[api.limits]\nmax_dept = 3\n"), &[]);
        assert!(e.contains("foi.toml") && e.contains("max_dept"), "{e}");
        let e = refused(Some("colour = \"blue\"\n"), &[]);
        assert!(e.contains("colour"), "{e}");
        let e = refused(Some("mode = \"staging\"\n"), &[]);
        assert!(e.contains("foi.toml") && e.contains("staging"), "{e}");
        let e = refused(Some("[http]\nhsts = \"yes\"\n"), &[]);
        assert!(e.contains("hsts"), "{e}");
        let e = refused(Some("[http]\ncors_allowed_origins = [\"*\"]\n"), &[]);
        assert!(e.contains("foi.toml") && e.contains("cors_allowed_origins"), "{e}");
        let e = refused(Some("[http]\ncors_allowed_origins = [\"https://a.example/app\"]\n"), &[]);
        assert!(e.contains("cors_allowed_origins"), "{e}");
        let e = refused(Some("[log]\nlevel = \"info,[\"\n"), &[]);
        assert!(e.contains("[log] level"), "{e}");
        let e = refused(None, &[(HSTS_ENV, "yes")]);
        assert!(e.starts_with(HSTS_ENV), "{e}");
        let e = refused(None, &[(SWEEP_INTERVAL_ENV, "ten")]);
        assert!(e.starts_with(SWEEP_INTERVAL_ENV), "{e}");
        let e = refused(None, &[(MODE_ENV, "prod")]);
        assert!(e.starts_with(MODE_ENV), "{e}");
        let e = load_with(Some("[mail]\nfrom = \"foi@example.gov.cn\"\n"), &[], Overrides::default())
            .unwrap()
            .mailer_config()
            .unwrap_err()
            .to_string();
        assert!(e.contains("[mail]"), "{e}");
        let missing = Config::load(Some(Path::new("/nonexistent/foi.toml")), |_| None, Overrides::default());
        assert!(missing.unwrap_err().to_string().contains("/nonexistent/foi.toml"));
    }

    #[test]
    fn the_printed_configuration_hides_secrets_and_reads_back() {
        let config = load(
            Some(
                "[database]\nurl = \"postgres://foi:hunter2@db:5432/foi\"\n[mail]\nsmtp_url = \"smtps://mailer:s3cret@mail.example\"\nfrom = \"foi@example.gov.cn\"\n[http]\nmetrics_token = \"0123456789abcdefXYZ\"\n",
            ),
            &[],
        );
        let text = config.to_toml();
        for secret in ["hunter2", "s3cret", "0123456789abcdefXYZ"] {
            assert!(!text.contains(secret), "{secret} shown:\n{text}");
        }
        assert!(text.contains("postgres://foi:***@db:5432/foi"), "{text}");
        assert!(text.contains("smtps://mailer:***@mail.example"), "{text}");
        // What is printed is itself a valid configuration with the same effective values.
        let back: Config = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back.api, config.api);
        assert_eq!(back.http.listen, config.http.listen);
        assert_eq!(back.http.graphiql, config.http.graphiql);
    }

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
        let mut config = Config::default();
        config.database.url = "postgres://foi:hunter2@db/foi".into();
        let shown = format!("{config:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("postgresql db/foi"), "{shown}");
        config.http.metrics_token = Some("token-that-is-secret".into());
        let shown = format!("{config:?} {:?}", config.http_config());
        assert!(!shown.contains("token-that-is-secret"), "{shown}");
    }
}
