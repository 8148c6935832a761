//! The scale benchmark of the statistics (issue 4): a year of a whole province, on the
//! order of a million cases, must export in seconds with memory that does not grow with the
//! number of cases.
//!
//! `cargo bench -p foi-stats --bench scale` seeds a fresh database with synthetic cases of
//! one year over a tree of 201 agencies, at two sizes (a tenth of the target, then the
//! target), and at each size times the full year report (table 三 with its balance check,
//! table 四, the processing figures) and a month, and the CSV and XLSX writers. It prints
//! a Markdown table to paste into `docs/benchmarks.md`. The ratios between the two sizes,
//! measured in the same run, are what to read: time should grow at most linearly with the
//! cases scanned, peak memory of the export not at all.
//!
//! Environment: `FOI_BENCH_CASES` (default 1000000), `FOI_BENCH_DATABASE_URL` (default a
//! temporary SQLite file; a `postgres://` URL to an empty database works too; its tables
//! are dropped first).
//!
//! The cases are written with multi-row `INSERT`s rather than through the workflow (a
//! million workflow transactions would take hours and measure the wrong thing); their
//! columns are what the workflow caches, so the aggregates see what they would see.

use std::time::Instant;

use foi_domain::calendar::Calendar;
use foi_domain::outcome::Outcome;
use foi_stats::{AsOf, Period};
use foi_store::{Agency, NewAgency, Store, Uuid};
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait, Value};
use time::macros::{date, datetime};
use time::{Date, Duration};

/// Agencies in the tree: a province, 20 cities, 180 districts (9 per city).
const CITIES: usize = 20;
const DISTRICTS_PER_CITY: usize = 9;
/// Rows per INSERT statement.
const BATCH: usize = 500;

const KINDS: [&str; 6] = [
    "NATURAL_PERSON",
    "COMMERCIAL_ENTERPRISE",
    "RESEARCH_INSTITUTION",
    "SOCIAL_WELFARE_ORGANISATION",
    "LEGAL_SERVICE_ORGANISATION",
    "OTHER_ORGANISATION",
];

/// A small deterministic generator (SplitMix64), so every run seeds the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Peak resident memory of this process in KiB (`VmHWM`), and a way to reset it.
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn reset_peak_rss() {
    // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux 4.0+).
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn seed(url: &str, store: &Store, agencies: &[Agency], cases: usize, rng: &mut Rng) {
    let db = Database::connect(url).await.expect("a second connection for seeding");
    let backend = db.get_database_backend();
    let outcomes = Outcome::ALL;
    let year_start = date!(2025 - 01 - 01);
    let now = datetime!(2026-01-10 09:00 UTC);
    let mut done = 0;
    while done < cases {
        let n = BATCH.min(cases - done);
        let mut case_sql = String::from(
            "INSERT INTO cases (id, agency_id, stage, outcome, channel, subject, description, form_wanted, \
             delivery_method, applicant_name, applicant_kind, received_on, clock_start_on, reply_due_on, \
             concluded_on, state_json, version, imported, created_at, updated_at, wd_used, limit_due_on) VALUES ",
        );
        let mut event_sql = String::from(
            "INSERT INTO case_events (id, case_id, seq, kind, payload, occurred_on, recorded_at, actor_label) VALUES ",
        );
        let mut case_values: Vec<Value> = Vec::with_capacity(n * 11);
        let mut event_values: Vec<Value> = Vec::with_capacity(n * 4);
        let mut events = 0;
        for i in 0..n {
            let id = Uuid::new_v4();
            let agency = agencies[rng.below(agencies.len() as u64) as usize].id;
            let received = year_start + Duration::days(rng.below(365) as i64);
            let kind = KINDS[(rng.below(100) as usize).min(70) / 12 % 6];
            // Nine in ten are concluded, after 0–59 calendar days (about 0–42 working days).
            let concluded = (rng.below(10) != 0).then(|| received + Duration::days(rng.below(60) as i64));
            let outcome = concluded.map(|_| outcomes[rng.below(outcomes.len() as u64) as usize]);
            let replied = outcome.is_some_and(|o| o.is_reply_outcome());
            let stage = match (concluded, replied) {
                (None, _) => "HANDLING",
                (Some(_), true) => "REPLIED",
                (Some(_), false) => "CLOSED",
            };
            let due = received + Duration::days(28);
            let wd_used = replied.then(|| (concluded.unwrap_or(received) - received).whole_days() as i32 * 5 / 7);
            if i > 0 {
                case_sql.push(',');
            }
            case_sql.push_str(
                "(?, ?, ?, ?, 'IN_PERSON', 's', '', 'PAPER', 'COLLECT', 'x', ?, ?, ?, ?, ?, '{}', 2, FALSE, ?, ?, ?, ?)",
            );
            case_values.extend([
                id.into(),
                agency.into(),
                stage.into(),
                outcome.map(|o| o.code().to_owned()).into(),
                kind.into(),
                received.into(),
                received.into(),
                (concluded.is_none().then_some(due)).into(),
                concluded.into(),
                now.into(),
                now.into(),
                wd_used.into(),
                (replied.then_some(due)).into(),
            ]);
            // Each case has its receipt event; one in twenty an extension, one in thirty a
            // correction notice.
            let mut push_event = |kind: &str, on: Date, seq: i64| {
                if events > 0 {
                    event_sql.push(',');
                }
                event_sql.push_str("(?, ?, ?, ?, '{}', ?, ?, 'bench')");
                event_values.extend([Uuid::new_v4().into(), id.into(), seq.into(), kind.into(), on.into(), now.into()]);
                events += 1;
            };
            push_event("RECEIVED", received, 1);
            if rng.below(20) == 0 {
                push_event("EXTENDED", received + Duration::days(20), 2);
            } else if rng.below(30) == 0 {
                push_event("CORRECTION_REQUESTED", received + Duration::days(3), 2);
            }
        }
        let txn_sql = |sql: &str, values: Vec<Value>| foi_store::raw_statement(backend, sql, values);
        // One transaction on one pooled connection: the events need their cases.
        let txn = db.begin().await.expect("begin");
        txn.execute_raw(txn_sql(&case_sql, case_values)).await.expect("insert cases");
        txn.execute_raw(txn_sql(&event_sql, event_values)).await.expect("insert events");
        txn.commit().await.expect("commit");
        done += n;
    }
    db.execute_raw(Statement::from_string(backend, "ANALYZE")).await.expect("analyze");
    let _ = store;
}

async fn agency_tree(store: &Store) -> Vec<Agency> {
    let root = store.create_agency(NewAgency::new("p", "四川省", "川府信申", "国务院")).await.unwrap();
    let mut all = vec![root.clone()];
    for c in 0..CITIES {
        let city = store
            .create_agency(
                NewAgency::new(format!("c{c}"), format!("市{c}"), format!("市{c}信申"), "四川省人民政府")
                    .under(root.id),
            )
            .await
            .unwrap();
        all.push(city.clone());
        for d in 0..DISTRICTS_PER_CITY {
            let district = store
                .create_agency(
                    NewAgency::new(
                        format!("c{c}d{d}"),
                        format!("市{c}区{d}"),
                        format!("区{c}-{d}信申"),
                        format!("市{c}人民政府"),
                    )
                    .under(city.id),
                )
                .await
                .unwrap();
            all.push(district);
        }
    }
    all
}

struct Measure {
    cases: usize,
    year_report_s: f64,
    month_report_s: f64,
    csv_s: f64,
    xlsx_s: f64,
    xlsx_bytes: usize,
    peak_export_mib: f64,
    rss_before_mib: f64,
}

async fn measure(store: &Store, agencies: &[Agency], cases: usize) -> Measure {
    let calendar = Calendar::bundled();
    let as_of = AsOf { today: date!(2026 - 01 - 10), calendar: &calendar };
    let year = Period::parse_year("2025").unwrap();
    let october = Period::parse_month("2025-10").unwrap();
    // Warm the page cache once, then measure.
    foi_stats::compute(store, agencies, october, as_of).await.expect("warm-up");
    reset_peak_rss();
    let rss_before = peak_rss_kib();
    let t = Instant::now();
    let report = foi_stats::compute(store, agencies, year, as_of).await.expect("year report");
    let year_report_s = t.elapsed().as_secs_f64();
    assert_eq!(
        report.summary.new[6] + report.summary.carried_over[6],
        cases as u64,
        "every seeded case is counted once"
    );
    let t = Instant::now();
    foi_stats::compute(store, agencies, october, as_of).await.expect("month report");
    let month_report_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let csv = foi_stats::to_csv(&report);
    let csv_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let xlsx = foi_stats::to_xlsx(&report).expect("xlsx");
    let xlsx_s = t.elapsed().as_secs_f64();
    drop(csv);
    Measure {
        cases,
        year_report_s,
        month_report_s,
        csv_s,
        xlsx_s,
        xlsx_bytes: xlsx.len(),
        peak_export_mib: peak_rss_kib() as f64 / 1024.0,
        rss_before_mib: rss_before as f64 / 1024.0,
    }
}

/// Empties a PostgreSQL database: the benchmark always starts from a fresh schema.
async fn drop_tables(url: &str) {
    let db = Database::connect(url).await.expect("connect");
    for sql in ["DROP SCHEMA public CASCADE", "CREATE SCHEMA public"] {
        db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.expect(sql);
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio");
    runtime.block_on(async {
        let target: usize = std::env::var("FOI_BENCH_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
        let dir = tempfile::tempdir().expect("temp dir");
        let url = std::env::var("FOI_BENCH_DATABASE_URL")
            .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
        let backend = if url.starts_with("postgres") { "PostgreSQL" } else { "SQLite" };
        if backend == "PostgreSQL" {
            drop_tables(&url).await;
        }
        let store = Store::connect(&url).await.expect("store");
        let agencies = agency_tree(&store).await;
        let mut rng = Rng(2025);
        let mut results = Vec::new();
        let mut seeded = 0;
        for size in [target / 10, target] {
            let t = Instant::now();
            seed(&url, &store, &agencies, size - seeded, &mut rng).await;
            seeded = size;
            eprintln!("seeded {size} cases in {:.1} s", t.elapsed().as_secs_f64());
            results.push(measure(&store, &agencies, size).await);
        }
        println!("Backend: {backend}; agencies: {}; period: the year 2025 (and October 2025)\n", agencies.len());
        println!("| cases | year report (s) | month report (s) | CSV (s) | XLSX (s) | XLSX size (KiB) | RSS before (MiB) | peak RSS during export (MiB) |");
        println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for m in &results {
            println!(
                "| {} | {:.2} | {:.2} | {:.3} | {:.3} | {} | {:.1} | {:.1} |",
                m.cases, m.year_report_s, m.month_report_s, m.csv_s, m.xlsx_s, m.xlsx_bytes / 1024, m.rss_before_mib, m.peak_export_mib
            );
        }
        let (small, large) = (&results[0], &results[1]);
        println!(
            "\nRatios (large/small, same run): cases ×{:.1}, year report time ×{:.2}, peak export memory ×{:.2}",
            large.cases as f64 / small.cases as f64,
            large.year_report_s / small.year_report_s,
            (large.peak_export_mib - large.rss_before_mib).max(0.1) / (small.peak_export_mib - small.rss_before_mib).max(0.1),
        );
        store.close().await.ok();
    });
}
