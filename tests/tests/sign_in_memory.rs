//! Password hashing stays bounded in memory and off the request threads: the resident set
//! of this process (the server runs in it) while 32 sign-ins arrive at once and after 100
//! more one by one, and how fast `/healthz` answers during a burst of 16.
//!
//! Its own test binary with a single test, so that nothing else allocates in the process
//! while it measures. Run with `--nocapture` to see the figures.

use std::time::{Duration, Instant};

use foi_e2e::memory::{PeakRss, rss};
use foi_e2e::{Backend, PASSWORD, TestApp, TestOptions, data};
use serde_json::json;

const MIB: u64 = 1024 * 1024;
/// argon2id's block buffer with the default parameters.
const HASH_MIB: u64 = 19;

async fn sign_in(app: &TestApp) {
    let response = app
        .graphql(
            "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
            json!({"i": {"login": "clerk", "password": PASSWORD}}),
            None,
        )
        .await;
    assert!(data(&response)["signIn"]["token"].is_string());
}

async fn healthz(app: &TestApp) -> Duration {
    let started = Instant::now();
    assert_eq!(app.get("/healthz").await.status(), 200);
    started.elapsed()
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort_unstable();
    times[times.len() / 2]
}

#[test]
fn hashing_memory_is_bounded_and_other_requests_keep_answering() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        // The default pool; but one login signing in 32 times at once would be throttled
        // (its attempts are counted before they are checked), and this test is about memory.
        let mut options = TestOptions::default();
        options.api.sign_in.free_failures_per_login = 1_000;
        let workers = options.api.sign_in.hash_workers as u64;
        let app = TestApp::spawn_with(Backend::Sqlite, options).await.expect("SQLite always runs");
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        assert_eq!(app.get("/healthz").await.status(), 200);

        let before = rss();
        let sampler = PeakRss::start(Duration::from_millis(2));
        futures_util::future::join_all((0..32).map(|_| sign_in(&app))).await;
        let peak = sampler.peak();
        let after_burst = rss();

        for _ in 0..100 {
            sign_in(&app).await;
        }
        let after_sequential = rss();

        let mut quiet = Vec::new();
        for _ in 0..21 {
            quiet.push(healthz(&app).await);
        }
        let quiet = median(quiet);
        let burst = async { futures_util::future::join_all((0..16).map(|_| sign_in(&app))).await };
        let probe = async {
            // Let the burst reach the pool first.
            tokio::time::sleep(Duration::from_millis(20)).await;
            let mut busy = Vec::new();
            for _ in 0..10 {
                busy.push(healthz(&app).await);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            busy
        };
        let (_, busy) = tokio::join!(burst, probe);
        let busy_worst = *busy.iter().max().unwrap();
        let busy = median(busy);

        let growth = peak.saturating_sub(before);
        eprintln!(
            "RSS: before {} MiB, peak during 32 concurrent sign-ins {} MiB (+{} MiB), after them {} MiB, \
             after 100 sequential {} MiB; /healthz alone {quiet:?}, during 16 concurrent sign-ins {busy:?} \
             (median), {busy_worst:?} (worst)",
            before / MIB,
            peak / MIB,
            growth / MIB,
            after_burst / MIB,
            after_sequential / MIB,
        );
        let bound = (3 * workers * HASH_MIB + 32) * MIB;
        assert!(growth < bound, "peak growth {} MiB over the bound {} MiB", growth / MIB, bound / MIB);
        assert!(
            after_sequential < after_burst + 16 * MIB,
            "100 more sign-ins grew the resident set from {} to {} MiB",
            after_burst / MIB,
            after_sequential / MIB
        );
        // Generous: the machine is shared. Before the pool, two sign-ins blocked every other
        // request for the length of a hash, and sixteen made /healthz ~100 times slower.
        let allowed = quiet * 20 + Duration::from_millis(50);
        assert!(busy < allowed, "/healthz took {busy:?} during the burst, {quiet:?} alone");
    });
}
