//! `foi-e2e`: end-to-end tests of `foi` as its clients see it.
//!
//! [`TestApp::spawn`] starts the real router (`foi_server::serve`, the code `foi serve` runs)
//! on `127.0.0.1:0` over a fresh database, and speaks GraphQL to it over HTTP. Modelled on
//! zero-to-production's `spawn_app()`:
//!
//! - **SQLite**: a file in a temporary directory, deleted with the [`TestApp`].
//! - **PostgreSQL**: a new database `foi_test_<uuid>` created through the admin URL in
//!   `FOI_TEST_POSTGRES_URL` and dropped (`WITH (FORCE)`) when the [`TestApp`] is dropped,
//!   also when the test panics. Without the variable a PostgreSQL run prints
//!   `skipping PostgreSQL: FOI_TEST_POSTGRES_URL not set` and passes. Both come from
//!   [`foi_store::testing`].
//! - **Time belongs to the test**: the server's clock is a [`TestClock`] stopped at
//!   [`DEFAULT_NOW`] (move it with [`TestApp::set_now`]), or any clock given to
//!   [`TestApp::spawn_with_clock`], e.g. `FixedClock(datetime!(2026-09-18 10:00 +8))`.
//!
//! A scenario is written once and run on both backends with [`on_both_backends!`]:
//!
//! ```ignore
//! foi_e2e::on_both_backends! {
//!     async fn healthz_is_ok(app: TestApp) {
//!         assert_eq!(app.get("/healthz").await.status(), 200);
//!     }
//! }
//! ```
//!
//! which defines the tests `healthz_is_ok::sqlite` and `healthz_is_ok::postgres`.
//!
//! Set `RUST_LOG` (e.g. `RUST_LOG=info`) to see the server's log while a test runs.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use foi_api::ApiState;
use foi_domain::clock::Clock;
use foi_server::admin::{self, AgencySpec, StaffSpec};
use foi_server::attachments::{Attachments, AttachmentsConfig, DEFAULT_MAX_BYTES, Location};
use foi_store::testing::TestDatabase;
use foi_store::{Account, Agency, Store};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;

pub use foi_store::Backend;

/// The environment variable with the PostgreSQL admin URL (its user may create databases).
pub use foi_store::testing::POSTGRES_ENV;

/// "Now" for a [`TestApp`] that is not given a clock: Friday 18 September 2026, 09:00 China
/// Standard Time, a working day with the National Day holiday ahead.
pub const DEFAULT_NOW: OffsetDateTime = datetime!(2026-09-18 09:00 +8);

/// The password [`TestApp::create_staff`] callers use unless a test needs another.
pub const PASSWORD: &str = "correct horse battery staple";

/// How long the client waits for any one answer before the test fails (not hangs).
const CLIENT_TIMEOUT: Duration = Duration::from_secs(60);

/// A clock the test moves by hand.
#[derive(Debug)]
pub struct TestClock(Mutex<OffsetDateTime>);

impl TestClock {
    /// A clock stopped at `now`.
    pub fn new(now: OffsetDateTime) -> TestClock {
        TestClock(Mutex::new(now))
    }

    /// Moves the clock to `now` (backwards too).
    pub fn set(&self, now: OffsetDateTime) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = now;
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: time::Duration) {
        let mut now = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *now += by;
    }
}

impl Clock for TestClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How a [`TestApp`] is configured beyond its database and clock.
#[derive(Clone, Debug)]
pub struct TestOptions {
    /// The API's bounds and policies (`[api]`).
    pub api: foi_api::ApiConfig,
    /// The HTTP server's settings (`[http]`).
    pub http: foi_server::HttpConfig,
    /// The attachment size limit.
    pub attachment_max_bytes: u64,
}

impl Default for TestOptions {
    fn default() -> Self {
        TestOptions {
            api: foi_api::ApiConfig::default(),
            http: foi_server::HttpConfig::default(),
            attachment_max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// The running application of one test, and a client for it.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub address: String,
    /// Which database engine this run uses.
    pub backend: Backend,
    /// The application's store, for fixtures and for looking behind the API.
    pub store: Store,
    /// The application's attachment storage: a temporary directory of its own.
    pub attachments: Attachments,
    /// The server's feed of case changes (`queueChanged`): a test waits for its subscriber.
    pub queue_feed: foi_api::notifications::QueueFeed,
    client: reqwest::Client,
    clock: Option<Arc<TestClock>>,
    dyn_clock: Arc<dyn Clock>,
    url: String,
    server: tokio::task::JoinHandle<()>,
    options: TestOptions,
    _attachments_dir: tempfile::TempDir,
    // Dropped last: deletes the SQLite file or drops the PostgreSQL database (`None` for a
    // replica, which shares its first app's).
    _database: Option<TestDatabase>,
}

impl TestApp {
    /// Starts the application on `backend` with its clock at [`DEFAULT_NOW`]. `None` (after
    /// printing why) when `backend` is PostgreSQL and [`POSTGRES_ENV`] is not set.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        TestApp::spawn_at(backend, DEFAULT_NOW).await
    }

    /// Starts the application with its clock at `now`; move it with [`TestApp::set_now`].
    pub async fn spawn_at(backend: Backend, now: OffsetDateTime) -> Option<TestApp> {
        let clock = Arc::new(TestClock::new(now));
        TestApp::start(backend, clock.clone(), Some(clock), TestOptions::default()).await
    }

    /// Starts the application (clock at [`DEFAULT_NOW`]) with the API and HTTP settings of
    /// `options`, e.g. tighter limits or a production configuration.
    pub async fn spawn_with(backend: Backend, options: TestOptions) -> Option<TestApp> {
        let clock = Arc::new(TestClock::new(DEFAULT_NOW));
        TestApp::start(backend, clock.clone(), Some(clock), options).await
    }

    /// Starts the application (clock at [`DEFAULT_NOW`]) with attachments limited to
    /// `max_bytes` instead of the default 20 MiB.
    pub async fn spawn_with_attachment_limit(backend: Backend, max_bytes: u64) -> Option<TestApp> {
        let clock = Arc::new(TestClock::new(DEFAULT_NOW));
        let options = TestOptions { attachment_max_bytes: max_bytes, ..TestOptions::default() };
        TestApp::start(backend, clock.clone(), Some(clock), options).await
    }

    /// Starts the application with the given clock, e.g.
    /// `Arc::new(FixedClock(datetime!(2026-09-18 10:00 +8)))`.
    pub async fn spawn_with_clock(backend: Backend, clock: Arc<dyn Clock>) -> Option<TestApp> {
        TestApp::start(backend, clock, None, TestOptions::default()).await
    }

    async fn start(
        backend: Backend,
        clock: Arc<dyn Clock>,
        test_clock: Option<Arc<TestClock>>,
        options: TestOptions,
    ) -> Option<TestApp> {
        if std::env::var_os("RUST_LOG").is_some() {
            foi_server::telemetry::init();
        }
        let database = TestDatabase::create(backend).await?;
        let url = database.url().to_owned();
        Some(TestApp::start_on(backend, url, Some(database), clock, test_clock, options).await)
    }

    /// A second replica of the application over the same database (its own server, store,
    /// feed and attachment directory), as several `foi serve` processes share one
    /// PostgreSQL. The database lives as long as `self`.
    pub async fn replica(&self) -> TestApp {
        let clock = Arc::clone(&self.dyn_clock);
        TestApp::start_on(self.backend, self.url.clone(), None, clock, self.clock.clone(), self.options.clone()).await
    }

    async fn start_on(
        backend: Backend,
        url: String,
        database: Option<TestDatabase>,
        clock: Arc<dyn Clock>,
        test_clock: Option<Arc<TestClock>>,
        options: TestOptions,
    ) -> TestApp {
        let store =
            Store::connect(&url).await.unwrap_or_else(|e| panic!("connecting to the {backend:?} test database: {e:?}"));
        let state = ApiState::load(store.clone(), Arc::clone(&clock))
            .await
            .unwrap_or_else(|e| panic!("ApiState::load: {} {}", e.code(), e.message()))
            .with_config(options.api.clone());
        // As `foi serve` does: on PostgreSQL the feed hears every replica's changes.
        // The relay task lives as long as the test's runtime.
        let _relay =
            state.queue_feed.relay(&store).await.unwrap_or_else(|e| panic!("queue feed relay: {}", e.message()));
        let queue_feed = state.queue_feed.clone();
        let attachments_dir = tempfile::tempdir().expect("a temporary directory for attachments");
        let attachments = Attachments::open(&AttachmentsConfig {
            location: Location::Dir(attachments_dir.path().to_owned()),
            max_bytes: options.attachment_max_bytes,
        })
        .expect("the attachment storage");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port on 127.0.0.1");
        let address = format!("http://{}", listener.local_addr().expect("the bound address"));
        let served = attachments.clone();
        let http = options.http.clone();
        let server = tokio::spawn(async move {
            foi_server::serve_with(listener, state, served, http, std::future::pending())
                .await
                .expect("the server runs");
        });
        let client = reqwest::Client::builder().timeout(CLIENT_TIMEOUT).build().expect("an HTTP client");
        TestApp {
            address,
            backend,
            store,
            attachments,
            queue_feed,
            client,
            clock: test_clock,
            dyn_clock: clock,
            url,
            server,
            options,
            _attachments_dir: attachments_dir,
            _database: database,
        }
    }

    /// Signs `login` in with [`PASSWORD`]; the session token.
    pub async fn sign_in(&self, login: &str) -> String {
        self.sign_in_with(login, PASSWORD).await
    }

    /// Signs `login` in with `password`; the session token (panics if refused).
    pub async fn sign_in_with(&self, login: &str, password: &str) -> String {
        let response = self
            .graphql(
                "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                serde_json::json!({"i": {"login": login, "password": password}}),
                None,
            )
            .await;
        data(&response)["signIn"]["token"].as_str().unwrap_or_else(|| panic!("sign-in refused: {response}")).to_owned()
    }

    /// The full URL of `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// Moves the server's clock to `now`. Panics if the app was given its own clock with
    /// [`TestApp::spawn_with_clock`]: move that clock instead.
    pub fn set_now(&self, now: OffsetDateTime) {
        self.clock.as_ref().expect("this TestApp runs on a clock of the test's own: move that one").set(now);
    }

    /// Sends one GraphQL operation as a client would (POST /graphql, JSON, with
    /// `Authorization: Bearer <token>` when `token` is given) and returns the response body.
    /// Panics unless the server answered `200` with JSON: GraphQL errors are in the body.
    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let mut request =
            self.client.post(self.url("/graphql")).json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status();
        let text = response.text().await.expect("the response body");
        let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
        assert_eq!(status, 200, "POST /graphql answered {status}: {body}");
        body
    }

    /// POSTs `body` to /graphql as is, with `content_type` if given: for testing what the
    /// server does with requests no GraphQL client would send.
    pub async fn post_graphql_raw(
        &self,
        body: impl Into<reqwest::Body>,
        content_type: Option<&str>,
    ) -> reqwest::Response {
        let mut request = self.client.post(self.url("/graphql")).body(body);
        if let Some(content_type) = content_type {
            request = request.header(reqwest::header::CONTENT_TYPE, content_type);
        }
        request.send().await.expect("POST /graphql")
    }

    /// The HTTP client the app's helpers use, for requests they do not cover (e.g. uploads).
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    /// Creates an agency the way `foi admin create-agency` does: under `parent` (a code)
    /// if given; a root agency gets 绵阳市人民政府 as its reconsideration body.
    pub async fn create_agency(&self, code: &str, name: &str, parent: Option<&str>) -> Agency {
        let spec = AgencySpec {
            code: code.to_owned(),
            name: name.to_owned(),
            parent: parent.map(str::to_owned),
            reconsideration_body: parent.is_none().then(|| "绵阳市人民政府".to_owned()),
            ..AgencySpec::default()
        };
        self.create_agency_with(spec).await
    }

    /// Creates an agency from a full [`AgencySpec`].
    pub async fn create_agency_with(&self, spec: AgencySpec) -> Agency {
        let code = spec.code.clone();
        admin::create_agency(&self.store, spec).await.unwrap_or_else(|e| panic!("creating agency {code}: {e}"))
    }

    /// Creates a staff account the way `foi admin create-staff` does (argon2id hash and
    /// all), at the agency with code `agency`, named after its login.
    pub async fn create_staff(&self, login: &str, agency: &str, roles: &[&str], password: &str) -> Account {
        let spec = StaffSpec {
            login: login.to_owned(),
            display_name: login.to_owned(),
            agency: agency.to_owned(),
            roles: roles.iter().map(|r| (*r).to_owned()).collect(),
            password: password.to_owned(),
        };
        admin::create_staff(&self.store, spec).await.unwrap_or_else(|e| panic!("creating staff {login}: {e}"))
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `data` of a GraphQL response, after checking that it has no errors.
pub fn data(response: &Value) -> &Value {
    assert!(response.get("errors").is_none(), "unexpected GraphQL errors: {response}");
    &response["data"]
}

/// `extensions.code` of the first error of a GraphQL response, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// Runs `scenario` against a fresh application on `backend` (nothing, after printing why,
/// for PostgreSQL without [`POSTGRES_ENV`]). Used by [`on_both_backends!`].
pub async fn run<F, Fut>(backend: Backend, scenario: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    if let Some(app) = TestApp::spawn(backend).await {
        scenario(app).await;
    }
}

/// Defines each `async fn NAME(app: TestApp) { … }` once, and the tests `NAME::sqlite` and
/// `NAME::postgres` that run it on a fresh application of each backend.
#[macro_export]
macro_rules! on_both_backends {
    ($(
        $(#[$meta:meta])*
        async fn $name:ident($app:ident: $app_type:ty) $body:block
    )*) => {$(
        $(#[$meta])*
        async fn $name($app: $app_type) $body

        mod $name {
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::run($crate::Backend::Sqlite, super::$name).await;
            }

            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::run($crate::Backend::Postgres, super::$name).await;
            }
        }
    )*};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_test_clock_moves_only_when_told() {
        let clock = TestClock::new(DEFAULT_NOW);
        assert_eq!(clock.now(), DEFAULT_NOW);
        clock.advance(time::Duration::days(1));
        assert_eq!(clock.today(), time::macros::date!(2026 - 09 - 19));
        clock.set(DEFAULT_NOW);
        assert_eq!(clock.now(), DEFAULT_NOW);
    }
}

/// The memory of this process, for the tests that measure what an attack costs the server
/// (which runs in the test's process). Each such test has a test binary of its own, so that
/// nothing else allocates beside it.
pub mod memory {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::time::Duration;

    /// This process's resident set (`VmRSS`), in bytes.
    pub fn rss() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).expect("a VmRSS line");
        let kib: u64 = line.split_whitespace().nth(1).and_then(|n| n.parse().ok()).expect("VmRSS in kB");
        kib * 1024
    }

    /// Samples [`rss`] on a thread of its own every few milliseconds and keeps the peak since
    /// it started or since the last [`PeakRss::reset`]; stops when dropped.
    pub struct PeakRss {
        peak: Arc<AtomicU64>,
        stop: Arc<AtomicBool>,
        thread: Option<std::thread::JoinHandle<()>>,
    }

    impl PeakRss {
        /// Starts sampling every `every`.
        pub fn start(every: Duration) -> PeakRss {
            let peak = Arc::new(AtomicU64::new(rss()));
            let stop = Arc::new(AtomicBool::new(false));
            let thread = std::thread::spawn({
                let (peak, stop) = (Arc::clone(&peak), Arc::clone(&stop));
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        peak.fetch_max(rss(), Ordering::Relaxed);
                        std::thread::sleep(every);
                    }
                }
            });
            PeakRss { peak, stop, thread: Some(thread) }
        }

        /// The current level, which becomes the peak to beat.
        pub fn reset(&self) -> u64 {
            let now = rss();
            self.peak.store(now, Ordering::Relaxed);
            now
        }

        /// The highest level seen so far (now included).
        pub fn peak(&self) -> u64 {
            self.peak.fetch_max(rss(), Ordering::Relaxed).max(rss())
        }
    }

    impl Drop for PeakRss {
        fn drop(&mut self) {
            self.stop.store(true, Ordering::Relaxed);
            if let Some(thread) = self.thread.take() {
                let _ = thread.join();
            }
        }
    }
}

/// Hostile GraphQL documents, shared by the tests that show the server refusing them
/// (`bounds.rs`) and those that measure what refusing them costs (`bounds_memory.rs`).
pub mod attacks {
    /// Ten levels of fragments, each spreading the next four times, ending in `apiVersion`:
    /// 4^10 ≈ a million fields once expanded, in a few hundred bytes.
    pub fn fragment_bomb() -> String {
        let mut query = String::from("query { ...F0 }\n");
        for level in 0..10 {
            let next = format!("...F{}", level + 1);
            query.push_str(&format!("fragment F{level} on QueryRoot {{ {next} {next} {next} {next} }}\n"));
        }
        query.push_str("fragment F10 on QueryRoot { apiVersion }\n");
        query
    }

    /// `count` aliases of `field`, in one query.
    pub fn aliased(count: usize, field: &str) -> String {
        let fields: String = (0..count).map(|i| format!(" a{i}: {field}")).collect();
        format!("query {{{fields} }}")
    }
}
