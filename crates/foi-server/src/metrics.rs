//! Prometheus metrics at `GET /metrics`, in the text exposition format.
//!
//! Every crate emits through the `metrics` facade (`metrics::counter!(…)`); this module
//! installs the one process-wide recorder ([`install`], from `foi serve`, or lazily by the
//! router) and renders it. What the counters cannot know is read at scrape time ([`Scrape`]):
//! open and overdue cases and the outbox backlog, by two aggregate queries under a timeout and
//! cached for [`GAUGE_TTL`] so that scrapes cannot hammer the database; and the connection
//! pool.
//!
//! Labels are bounded, so that no client can grow the series without limit: an operation
//! name is kept only if it is a GraphQL name of at most [`MAX_NAME_CHARS`] characters, and
//! only the first [`MAX_OPERATION_NAMES`] distinct names are kept (later ones are `other`).
//! Error codes are the server's own (`extensions.code`), checked the same way.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use foi_domain::clock::Clock;
use foi_store::Store;
use metrics::{counter, describe_counter, describe_gauge, describe_histogram, gauge};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

/// GraphQL requests by operation and outcome (`ok`, `error`).
pub const GRAPHQL_REQUESTS: &str = "foi_graphql_requests_total";
/// GraphQL execution time by operation.
pub const GRAPHQL_DURATION: &str = "foi_graphql_request_duration_seconds";
/// GraphQL errors by `extensions.code`.
pub const GRAPHQL_ERRORS: &str = "foi_graphql_errors_total";
/// HTTP responses by status code.
pub const HTTP_REQUESTS: &str = "foi_http_requests_total";
/// Deadline sweeps by result (`ok`, `failed`).
pub const SWEEP_RUNS: &str = "foi_sweep_runs_total";
/// Cases the deadline sweep changed.
pub const SWEEP_CASES_CHANGED: &str = "foi_sweep_cases_changed_total";
/// Sign-ins refused by throttling or policy, by reason (emitted by `foi-api`).
pub const SIGN_IN_REFUSALS: &str = "foi_sign_in_refusals_total";

/// The most distinct operation names kept as label values.
pub const MAX_OPERATION_NAMES: usize = 200;
/// The longest operation name kept as a label value.
pub const MAX_NAME_CHARS: usize = 64;
/// How long the scrape-time gauges read from the database are reused.
pub const GAUGE_TTL: Duration = Duration::from_secs(5);
/// How long the scrape-time queries may take before the last values are reported again.
const GAUGE_TIMEOUT: Duration = Duration::from_secs(2);
/// Latency buckets of the GraphQL histogram, in seconds.
const LATENCY_BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

static RECORDER: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the Prometheus recorder as the process's metrics recorder, once; later calls
/// return the same handle. `None` if another recorder was installed first (then `/metrics`
/// answers 503).
pub fn install() -> Option<PrometheusHandle> {
    RECORDER
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(GRAPHQL_DURATION.to_owned()), &LATENCY_BUCKETS)
                .expect("the latency buckets are not empty");
            match builder.install_recorder() {
                Ok(handle) => {
                    describe();
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: another recorder is installed; /metrics is off");
                    None
                }
            }
        })
        .clone()
}

/// Describes every metric, and registers at zero those a scraper should see before their
/// first event (an alert on a rate needs the zero).
fn describe() {
    describe_counter!(GRAPHQL_REQUESTS, "GraphQL requests, by operation name and outcome (ok or error).");
    describe_histogram!(GRAPHQL_DURATION, metrics::Unit::Seconds, "GraphQL request time, by operation name.");
    describe_counter!(GRAPHQL_ERRORS, "GraphQL errors, by extensions.code.");
    describe_counter!(HTTP_REQUESTS, "HTTP responses, by status code.");
    describe_counter!(SWEEP_RUNS, "Deadline sweeps, by result (ok or failed).");
    describe_counter!(SWEEP_CASES_CHANGED, "Cases the deadline sweep changed (closed, ended or marked).");
    describe_counter!(SIGN_IN_REFUSALS, "Sign-ins refused by throttling or policy, by reason.");
    describe_gauge!("foi_cases_open", "Cases open now, in every agency.");
    describe_gauge!("foi_cases_overdue", "Open cases past their reply due date.");
    describe_gauge!("foi_outbox_backlog", "Notifications not sent yet (due or waiting for a retry).");
    describe_gauge!("foi_db_pool_connections", "Database connections, by state (idle or in_use).");
    describe_gauge!("foi_db_pool_max_connections", "The most connections the database pool opens.");
    counter!(SWEEP_RUNS, "result" => "ok").absolute(0);
    counter!(SWEEP_RUNS, "result" => "failed").absolute(0);
    counter!(SWEEP_CASES_CHANGED).absolute(0);
    // Its reasons are foi-api's; the series without a label shows the metric exists.
    counter!(SIGN_IN_REFUSALS).absolute(0);
}

/// Runs the recorder's upkeep (draining histogram samples) every `every` until the runtime
/// stops; without scrapes, samples would otherwise pile up.
pub fn spawn_upkeep(handle: PrometheusHandle, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        loop {
            ticks.tick().await;
            handle.run_upkeep();
        }
    })
}

/// An operation name as a label value: `anonymous` without one, `invalid` if it is not a
/// GraphQL name of at most [`MAX_NAME_CHARS`], `other` once [`MAX_OPERATION_NAMES`] distinct
/// names have been seen.
pub fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name.filter(|n| !n.is_empty()) else { return "anonymous".to_owned() };
    let valid = name.len() <= MAX_NAME_CHARS
        && name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return "invalid".to_owned();
    }
    let mut seen = SEEN.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    if seen.contains(name) || seen.len() < MAX_OPERATION_NAMES && seen.insert(name.to_owned()) {
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// An `extensions.code` as a label value (`OTHER` if it is not an upper-case code).
pub fn code_label(code: &str) -> &str {
    let valid = !code.is_empty()
        && code.len() <= MAX_NAME_CHARS
        && code.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if valid { code } else { "OTHER" }
}

/// Counts one GraphQL request: its operation, outcome, time and error codes.
pub fn record_graphql(operation: &str, elapsed: Duration, codes: &[&str]) {
    let outcome = if codes.is_empty() { "ok" } else { "error" };
    counter!(GRAPHQL_REQUESTS, "operation" => operation.to_owned(), "outcome" => outcome).increment(1);
    metrics::histogram!(GRAPHQL_DURATION, "operation" => operation.to_owned()).record(elapsed.as_secs_f64());
    for code in codes {
        counter!(GRAPHQL_ERRORS, "code" => code_label(code).to_owned()).increment(1);
    }
}

/// Counts one HTTP response.
pub fn record_http(status: u16) {
    // A status code is one of a few dozen values: a bounded label.
    counter!(HTTP_REQUESTS, "status" => status.to_string()).increment(1);
}

/// Counts one deadline sweep.
pub fn record_sweep(result: Result<usize, ()>) {
    match result {
        Ok(changed) => {
            counter!(SWEEP_RUNS, "result" => "ok").increment(1);
            counter!(SWEEP_CASES_CHANGED).increment(changed as u64);
        }
        Err(()) => counter!(SWEEP_RUNS, "result" => "failed").increment(1),
    }
}

/// The values read from the database at scrape time.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Gauges {
    open: u64,
    overdue: u64,
    backlog: u64,
}

/// What `/metrics` renders: the recorder, and the gauges read from the database.
#[derive(Clone)]
pub struct Scrape {
    handle: Option<PrometheusHandle>,
    store: Store,
    clock: Arc<dyn Clock>,
    // Held across the queries: concurrent scrapes wait for one read instead of each running
    // their own.
    cache: Arc<tokio::sync::Mutex<Option<(Instant, Gauges)>>>,
}

impl Scrape {
    /// Renders the recorder installed by [`install`] (installing it if needed), with gauges
    /// from `store` as of `clock`'s today.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Scrape {
        Scrape { handle: install(), store, clock, cache: Arc::default() }
    }

    /// The exposition text; `None` when no recorder of ours is installed.
    pub async fn render(&self) -> Option<String> {
        let handle = self.handle.as_ref()?;
        let gauges = self.gauges().await;
        // The gauges are the process's: several routers in one process (the tests) must not
        // set them between another's setting and rendering.
        static RENDERING: Mutex<()> = Mutex::new(());
        let _rendering = RENDERING.lock().unwrap_or_else(PoisonError::into_inner);
        gauge!("foi_cases_open").set(gauges.open as f64);
        gauge!("foi_cases_overdue").set(gauges.overdue as f64);
        gauge!("foi_outbox_backlog").set(gauges.backlog as f64);
        let pool = self.store.pool_status();
        gauge!("foi_db_pool_connections", "state" => "idle").set(f64::from(pool.idle));
        gauge!("foi_db_pool_connections", "state" => "in_use").set(f64::from(pool.open.saturating_sub(pool.idle)));
        gauge!("foi_db_pool_max_connections").set(f64::from(pool.max));
        handle.run_upkeep();
        Some(handle.render())
    }

    async fn gauges(&self) -> Gauges {
        let mut cache = self.cache.lock().await;
        if let Some((at, gauges)) = *cache
            && at.elapsed() < GAUGE_TTL
        {
            return gauges;
        }
        let today = self.clock.today();
        let read = async {
            let (open, overdue) = self.store.open_and_overdue(today).await?;
            let backlog = self.store.unsent_notifications().await?;
            Ok::<_, foi_store::StoreError>(Gauges { open, overdue, backlog })
        };
        let last = cache.map(|(_, gauges)| gauges).unwrap_or_default();
        match tokio::time::timeout(GAUGE_TIMEOUT, read).await {
            Ok(Ok(gauges)) => {
                *cache = Some((Instant::now(), gauges));
                gauges
            }
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "metrics: cannot read the case and outbox gauges");
                last
            }
            Err(_) => {
                tracing::warn!("metrics: the case and outbox gauges took longer than {GAUGE_TIMEOUT:?}");
                last
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_labels_are_bounded() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("")), "anonymous");
        assert_eq!(operation_label(Some("Queue")), "Queue");
        assert_eq!(operation_label(Some("bad name")), "invalid");
        assert_eq!(operation_label(Some("1abc")), "invalid");
        assert_eq!(operation_label(Some(&"x".repeat(MAX_NAME_CHARS + 1))), "invalid");
        // A flood of distinct names fills the table, then is folded into `other`; names
        // seen before keep their label.
        let distinct: HashSet<String> =
            (0..MAX_OPERATION_NAMES * 2).map(|i| operation_label(Some(&format!("Flood{i}")))).collect();
        assert!(distinct.len() <= MAX_OPERATION_NAMES + 1, "{} labels", distinct.len());
        assert!(distinct.contains("other"));
        assert_eq!(operation_label(Some("Queue")), "Queue");
    }

    #[test]
    fn error_code_labels_are_the_servers_codes() {
        assert_eq!(code_label("NOT_FOUND"), "NOT_FOUND");
        assert_eq!(code_label("not found"), "OTHER");
        assert_eq!(code_label(""), "OTHER");
    }
}
