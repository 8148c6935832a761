//! Table 四 and the processing figures for a known history, every figure worked out by hand
//! on the 2026 calendar (National Day: 1–7 October off, 10 October a make-up working day;
//! Mid-Autumn: 25 September off).

mod common;

use common::{Db, Fate, history};
use foi_domain::applicant::ApplicantKind::*;
use foi_domain::challenge::{Challenge, ChallengeKind, ChallengeResult};
use foi_domain::lifecycle::Event;
use foi_domain::outcome::Outcome::*;
use foi_stats::{Period, to_csv, to_json};
use foi_store::{Actor, ChallengeRequest, Command};
use time::macros::{date, datetime};

fn actor() -> Actor {
    Actor { account_id: None, label: "test".into() }
}

#[tokio::test(flavor = "multi_thread")]
async fn processing_figures_of_october_2026() {
    let db = history().await;
    let october = Period::parse_month("2026-10").unwrap();
    let r = db.compute(&[db.district.clone(), db.department.clone()], october).await;

    // District: C received 28 Sep, replied 15 Oct: 9 working days (29, 30 Sep; 8, 9, 10,
    // 12, 13, 14, 15 Oct); D's clock restarted on its correction of 16 Oct, replied 30 Oct:
    // 10 working days. Both within 20.
    let p = &r.tables[0].processing;
    assert_eq!((p.replied(), p.on_time, p.late), (2, 2, 0));
    assert_eq!(p.days.median(), Some(9.5));
    assert_eq!(p.days.average(), Some(9.5));
    assert_eq!((p.days.shortest(), p.days.longest()), (Some(9), Some(10)));
    assert_eq!(p.days.bands(), [0, 2, 0, 0, 0, 0]);
    // D's correction was asked on 10 Oct and received on 16 Oct; H's was asked in November.
    assert_eq!((p.corrections_requested, p.corrections_received), (1, 1));
    assert_eq!((p.extended, p.consultations), (0, 0));
    // Now (5 Jan 2027) B and L are open; B (received Dec 2025) is long overdue, L (21 Dec
    // 2026) is not yet due.
    assert_eq!((p.open_now, p.overdue_now), (2, 1));
    // Open at the end of October: B only.
    let oldest: Vec<_> = p.oldest_open.iter().map(|c| c.received_on).collect();
    assert_eq!(oldest, [date!(2025 - 12 - 22)]);

    // Department: E was withdrawn (no reply due), G replied in November.
    let p = &r.tables[1].processing;
    assert_eq!((p.replied(), p.days.median()), (0, None));
    // Open at the end of October, oldest first: F (20 Oct), G (29 Oct), H (30 Oct); F had
    // run 8 working days by 31 Oct (21, 22, 23, 26, 27, 28, 29, 30 Oct).
    let oldest: Vec<_> = p.oldest_open.iter().map(|c| (c.received_on, c.working_days_open)).collect();
    assert_eq!(
        oldest,
        [(date!(2026 - 10 - 20), Some(8)), (date!(2026 - 10 - 29), Some(1)), (date!(2026 - 10 - 30), Some(0))]
    );
    // Now only F is open, due on 17 Nov 2026: overdue.
    assert_eq!((p.open_now, p.overdue_now), (1, 1));

    // The summary merges the distributions and keeps the ten oldest over both.
    let s = &r.summary_processing;
    assert_eq!((s.replied(), s.on_time, s.open_now, s.overdue_now), (2, 2, 3, 2));
    assert_eq!(s.oldest_open.len(), 4);
    assert_eq!(s.oldest_open[0].received_on, date!(2025 - 12 - 22));
}

#[tokio::test(flavor = "multi_thread")]
async fn late_and_extended_replies() {
    let db = Db::new().await;
    let f = &db.department;
    // X: received Tue 1 Sep 2026, due on 29 Sep (20 working days), replied 12 Oct: 25
    // working days, late.
    db.case(f, NaturalPerson, date!(2026 - 09 - 01), Fate::Reply(date!(2026 - 10 - 12), Disclosed)).await;
    // Y: received the same day, extended on 24 Sep by 20 working days (due 2 Nov), replied
    // 29 Oct: 38 working days, on time.
    let y = db.case(f, CommercialEnterprise, date!(2026 - 09 - 01), Fate::Open).await;
    let y = db.step(y, Command::Register { on: date!(2026 - 09 - 01) }).await;
    let y = db.step(y, Command::Event(Event::Accepted { on: date!(2026 - 09 - 01) })).await;
    let extension =
        Event::Extended { on: date!(2026 - 09 - 24), working_days: 20, approver: "王主任".into(), reason: None };
    let y = db.step(y, Command::Event(extension)).await;
    let reply = Event::Replied {
        on: date!(2026 - 10 - 29),
        outcome: NotHeld,
        legal_basis: Some("《政府信息公开条例》第三十六条第四项".into()),
        on_the_spot: false,
        withheld: vec![],
        holder: None,
        from_register: false,
    };
    let y = db.step(y, Command::Event(reply)).await;
    assert_eq!((y.record.wd_used, y.record.limit_due_on), (Some(38), Some(date!(2026 - 11 - 02))));

    let october = db.compute(std::slice::from_ref(f), Period::parse_month("2026-10").unwrap()).await;
    let p = &october.tables[0].processing;
    assert_eq!((p.replied(), p.on_time, p.late), (2, 1, 1));
    assert_eq!((p.days.shortest(), p.days.longest(), p.days.median()), (Some(25), Some(38), Some(31.5)));
    assert_eq!(p.days.bands(), [0, 0, 0, 0, 2, 0]);
    // The extension was granted in September.
    assert_eq!(p.extended, 0);
    let september = db.compute(std::slice::from_ref(f), Period::parse_month("2026-09").unwrap()).await;
    assert_eq!(september.tables[0].processing.extended, 1);
    assert_eq!(september.tables[0].processing.replied(), 0);

    let lines = to_csv(&october);
    assert!(lines.contains("超过法定期限答复"), "{lines}");
    let json: serde_json::Value = serde_json::from_str(&to_json(&october)).unwrap();
    assert_eq!(json["agencies"][0]["processing"]["late"], 1);
    assert_eq!(json["agencies"][0]["processing"]["days_to_reply_median"], 31.5);
    assert_eq!(json["agencies"][0]["processing"]["days_to_reply_bands"][4]["count"], 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn table_four_counts_challenges_by_their_result_at_period_end() {
    let db = Db::new().await;
    let d = &db.district;
    let now = datetime!(2027-01-05 10:00 +8);
    let c = db.case(d, NaturalPerson, date!(2026 - 09 - 28), Fate::Reply(date!(2026 - 10 - 15), PartlyDisclosed)).await;
    let e = db.case(d, NaturalPerson, date!(2026 - 10 - 12), Fate::Withdrawn(date!(2026 - 10 - 14))).await;
    let challenge = |kind, filed_on| Challenge { kind, filed_on, result: ChallengeResult::Pending, decided_on: None };
    let ask = |case_id, version, challenge| ChallengeRequest {
        case_id,
        expected_version: version,
        challenge,
        body: "绵阳市人民政府".into(),
        reference: None,
    };

    // A withdrawal has no reply to challenge.
    let refused = db
        .store
        .record_challenge(
            ask(e.record.id, e.record.version, challenge(ChallengeKind::Reconsideration, date!(2026 - 10 - 20))),
            &actor(),
            now,
        )
        .await;
    assert!(refused.is_err());

    // C: reconsideration filed 20 Oct, upheld on 10 Dec; then a suit after it on 15 Dec.
    let (recon, case) = db
        .store
        .record_challenge(
            ask(c.record.id, c.record.version, challenge(ChallengeKind::Reconsideration, date!(2026 - 10 - 20))),
            &actor(),
            now,
        )
        .await
        .unwrap();
    // A suit after reconsideration before the decision is refused.
    let early = challenge(ChallengeKind::SuitAfterReconsideration, date!(2026 - 12 - 15));
    assert!(db.store.record_challenge(ask(c.record.id, case.version, early), &actor(), now).await.is_err());
    let (_, case) = db
        .store
        .decide_challenge(recon.id, ChallengeResult::Upheld, Some(date!(2026 - 12 - 10)), &actor(), now)
        .await
        .unwrap();
    let suit = challenge(ChallengeKind::SuitAfterReconsideration, date!(2026 - 12 - 15));
    let (_, case) = db.store.record_challenge(ask(c.record.id, case.version, suit), &actor(), now).await.unwrap();
    // Each filing and decision is in the case's history.
    let codes: Vec<String> = db.store.case_events(case.id).await.unwrap().into_iter().map(|e| e.kind).collect();
    assert_eq!(codes.iter().filter(|k| k.starts_with("CHALLENGE_")).count(), 3, "{codes:?}");

    // October: the reconsideration was filed, and was still pending on 31 October.
    let october = db.compute(std::slice::from_ref(d), Period::parse_month("2026-10").unwrap()).await;
    let t = &october.tables[0].challenges;
    assert_eq!(t.cells, [[0, 0, 0, 1, 1], [0; 5], [0; 5]]);
    // The year: the reconsideration upheld; the suit after it pending.
    let year = db.compute(std::slice::from_ref(d), Period::parse_year("2026").unwrap()).await;
    let t = &year.tables[0].challenges;
    assert_eq!(t.cells, [[1, 0, 0, 0, 1], [0; 5], [0, 0, 0, 1, 1]]);
    assert_eq!(year.summary_challenges, *t);
    let json: serde_json::Value = serde_json::from_str(&to_json(&year)).unwrap();
    let cells = json["agencies"][0]["table4"].as_array().unwrap();
    assert_eq!(cells.len(), 15);
    assert_eq!((cells[0]["result_label"].as_str(), cells[0]["count"].as_u64()), (Some("结果维持"), Some(1)));
    assert!(to_csv(&year).contains("行政复议·结果维持"));
}
