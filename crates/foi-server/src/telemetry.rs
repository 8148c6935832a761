//! Logging for `foi serve`: `tracing` events (and the `log` records of the database driver)
//! written to standard error as text or as JSON lines (`[log] format`), filtered by
//! `[log] level` (`RUST_LOG` wins; default `info`).
//!
//! A JSON line holds `timestamp`, `level`, `target`, `fields` (with `message`) and `span`, the
//! innermost span's fields: for a request, its `request_id`, `method`, `path` and GraphQL
//! `operation`. What reaches the log is decided where events are emitted: never bodies,
//! headers, tokens or other personal data.

use std::io::Write;

use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::config::LogFormat;

/// Installs the global subscriber with the default text format, `RUST_LOG` or `info`. Does
/// nothing if one is installed already (a test may have done it).
pub fn init() {
    let level = std::env::var("RUST_LOG").unwrap_or_else(|_| "info".to_owned());
    init_with(LogFormat::Text, &level);
}

/// Installs the global subscriber writing `format` to standard error, filtered by `level`
/// (a `tracing` filter such as `info,sqlx=warn`; checked when the configuration was loaded).
pub fn init_with(format: LogFormat, level: &str) {
    // `try_init` also forwards the database driver's `log` records into `tracing`.
    let _ = subscriber(format, level, std::io::stderr).try_init();
}

/// The subscriber [`init_with`] installs, writing to `writer` (a test captures it).
pub fn subscriber<W>(format: LogFormat, level: &str, writer: W) -> Box<dyn tracing::Subscriber + Send + Sync>
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(writer);
    match format {
        LogFormat::Text => Box::new(builder.finish()),
        LogFormat::Json => Box::new(builder.json().with_current_span(true).with_span_list(false).finish()),
    }
}

/// A writer that keeps what is written, for tests of the log's shape.
#[derive(Clone, Debug, Default)]
pub struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl Captured {
    /// What was written so far, as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_carry_timestamp_level_target_message_fields_and_the_span() {
        let captured = Captured::default();
        let subscriber = subscriber(LogFormat::Json, "debug", captured.clone());
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("http", request_id = "req-1", method = "POST", path = "/graphql");
            let _entered = span.enter();
            tracing::error!(code = "INTERNAL", "internal error");
        });
        let text = captured.text();
        let line: serde_json::Value = serde_json::from_str(text.lines().next().expect("one line")).unwrap();
        assert_eq!(line["level"], "ERROR", "{line}");
        assert!(line["timestamp"].as_str().is_some_and(|t| t.contains('T')), "{line}");
        assert_eq!(line["target"], module_path!(), "{line}");
        assert_eq!(line["fields"]["message"], "internal error", "{line}");
        assert_eq!(line["fields"]["code"], "INTERNAL", "{line}");
        assert_eq!(line["span"]["request_id"], "req-1", "{line}");
        assert_eq!(line["span"]["path"], "/graphql", "{line}");
    }

    #[test]
    fn text_stays_the_default_and_the_level_filters() {
        let captured = Captured::default();
        let subscriber = subscriber(LogFormat::default(), "warn", captured.clone());
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!("quiet");
            tracing::warn!("loud");
        });
        let text = captured.text();
        assert!(text.contains("loud") && !text.contains("quiet"), "{text}");
        assert!(serde_json::from_str::<serde_json::Value>(text.trim()).is_err(), "{text}");
    }
}
