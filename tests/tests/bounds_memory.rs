//! The memory the refused attacks of `bounds.rs` cost the server, measured alone in this
//! process (one test, so nothing else runs beside it): a thread samples this process's
//! `VmRSS` every 10 ms while each attack runs, and the peak growth over the level just
//! before it must stay under [`BOUND`] (sampled by `foi_e2e::memory::PeakRss`). The server runs in this process, so this is the
//! server's memory (plus the test client's, which only sends a few kilobytes).
//!
//! Before the bounds, the fragment bomb alone grew the server to 11.8 GB.

use std::time::{Duration, Instant};

use foi_e2e::attacks::{aliased, fragment_bomb};
use foi_e2e::memory::PeakRss;
use foi_e2e::{Backend, PASSWORD, TestApp, error_code};
use serde_json::json;

/// The most an attack may grow the process by.
const BOUND: u64 = 64 * 1024 * 1024;

#[test]
fn refused_attacks_cost_the_server_little_memory() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    runtime.block_on(async {
        let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let token = app.sign_in("clerk").await;
        let guesses: String = (0..100)
            .map(|i| format!(" g{i}: signIn(input: {{login: \"clerk\", password: \"guess{i}\"}}) {{ token }}"))
            .collect();
        let nested = format!("query {}apiVersion{}", "{ me ".repeat(100_000), "}".repeat(100_000));
        let attacks = [
            ("fragment bomb ×4 at once", fragment_bomb(), 4, "QUERY_TOO_COMPLEX"),
            (
                "1000 × queue(first: 100)",
                aliased(1000, "queue(first: 100) { nodes { id subject } }"),
                1,
                "TOO_MANY_ALIASES",
            ),
            (
                "1000 × pdfBase64",
                aliased(1000, "document(id: \"00000000-0000-0000-0000-000000000000\") { pdfBase64 }"),
                1,
                "TOO_MANY_ALIASES",
            ),
            ("100 × signIn", format!("mutation {{{guesses} }}"), 1, "ONE_SIGN_IN_PER_REQUEST"),
            ("100 000 nested selections", nested, 1, "QUERY_TOO_DEEP"),
        ];
        // Warm up: the first request allocates what every later one reuses.
        app.graphql("query { apiVersion }", json!({}), None).await;
        let sampler = PeakRss::start(Duration::from_millis(10));
        for (what, query, copies, code) in attacks {
            let before = sampler.reset();
            let started = Instant::now();
            let responses =
                futures_util::future::join_all((0..copies).map(|_| app.graphql(&query, json!({}), Some(&token)))).await;
            let took = started.elapsed();
            // Let the sampler see whatever is still held after the answers.
            tokio::time::sleep(Duration::from_millis(50)).await;
            let grew = sampler.peak().saturating_sub(before);
            println!(
                "{what}: {} bytes, refused in {took:?}, RSS {} MiB, peak growth {:.1} MiB",
                query.len(),
                before / (1024 * 1024),
                grew as f64 / (1024.0 * 1024.0)
            );
            for response in &responses {
                assert_eq!(
                    error_code(response),
                    Some(code),
                    "{what}: {}",
                    &response.to_string()[..200.min(response.to_string().len())]
                );
            }
            assert!(took < Duration::from_secs(2), "{what} took {took:?}");
            assert!(grew < BOUND, "{what} grew the process by {grew} bytes");
        }
    });
}
