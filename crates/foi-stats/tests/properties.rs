//! For random histories built through the workflow: every table balances, the months of a
//! year add up to the year (一 and the outcome rows), and each month's carry-forward (四) is
//! the next month's carry-over (二).

mod common;

use common::{Db, Fate};
use foi_domain::applicant::ApplicantKind;
use foi_domain::outcome::Outcome;
use foi_stats::{Period, Table};
use proptest::prelude::*;
use time::Duration;
use time::macros::date;

fn fate_strategy() -> impl Strategy<Value = (usize, i64, u8, i64, bool)> {
    // (applicant kind, receipt day from 1 Dec 2025, fate, days to conclusion, department?)
    (0usize..6, 0i64..396, 0u8..5, 0i64..45, any::<bool>())
}

fn add(a: &mut [u64; 7], b: &[u64; 7]) {
    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn months_add_up_and_carry_over(cases in proptest::collection::vec(fate_strategy(), 1..10)) {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        runtime.block_on(async {
            let db = Db::new().await;
            let last = date!(2026 - 12 - 31);
            for (kind, day, fate, after, department) in cases {
                let received = date!(2025 - 12 - 01) + Duration::days(day);
                let concluded = (received + Duration::days(after)).min(last);
                let fate = match fate {
                    0 => Fate::Open,
                    1 => Fate::Withdrawn(concluded),
                    2 => Fate::Reply(concluded, Outcome::Disclosed),
                    3 => Fate::Reply(concluded, Outcome::PartlyDisclosed),
                    _ => Fate::Reply(concluded, Outcome::NotHeld),
                };
                let agency = if department { &db.department } else { &db.district };
                db.case(agency, ApplicantKind::ALL[kind], received, fate).await;
            }
            let agencies = [db.district.clone(), db.department.clone()];
            // compute() checks the identity of every table and refuses an unbalanced one.
            let year = db.compute(&agencies, Period::parse_year("2026").unwrap()).await;
            let mut months: Vec<Table> = Vec::new();
            let (mut replied, mut on_time, mut days) = (0, 0, std::collections::BTreeMap::new());
            for month in Period::months_of(2026).unwrap() {
                let report = db.compute(&agencies, month).await;
                let p = &report.summary_processing;
                replied += p.replied();
                on_time += p.on_time;
                for (d, n) in &p.days.histogram {
                    *days.entry(*d).or_insert(0) += n;
                }
                months.push(report.summary);
            }
            let p = &year.summary_processing;
            assert_eq!((replied, on_time), (p.replied(), p.on_time), "the replies of the months add up to the year");
            assert_eq!(days, p.days.histogram, "and so do their days to reply");
            let mut new = [0; 7];
            let mut concluded = [[0u64; 7]; 21];
            for m in &months {
                add(&mut new, &m.new);
                for (a, b) in concluded.iter_mut().zip(&m.concluded) {
                    add(a, b);
                }
            }
            assert_eq!(new, year.summary.new, "一 of the months adds up to the year");
            assert_eq!(concluded, year.summary.concluded, "the outcome rows add up to the year");
            for pair in months.windows(2) {
                assert_eq!(pair[0].carried_forward, pair[1].carried_over, "四 of a month is 二 of the next");
            }
            assert_eq!(months[0].carried_over, year.summary.carried_over);
            assert_eq!(months[11].carried_forward, year.summary.carried_forward);
        });
    }
}
