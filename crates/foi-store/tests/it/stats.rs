//! The statistics counts, on both backends: the same cases give the same four buckets.

use foi_domain::applicant::{ApplicantKind, Channel};
use foi_domain::calendar::Calendar;
use foi_domain::challenge::{Challenge, ChallengeKind, ChallengeResult};
use foi_domain::lifecycle::Event;
use foi_domain::outcome::Outcome;
use foi_store::{Actor, ChallengeRequest, ChangeRequest, Command, CountBucket, EventCount, OpenNow, ReplyDays};
use time::macros::{date, datetime};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{agency, application};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counts_fall_in_their_buckets() {
    on_each_backend(counts).await;
}

async fn counts(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let calendar = Calendar::bundled();
    let actor = Actor { account_id: None, label: "test".into() };
    let now = datetime!(2026-11-01 10:00 +8);
    // September (carried over into October, replied in October), October (still open), and
    // October (withdrawn in October).
    let cases = [
        (date!(2026 - 09 - 28), ApplicantKind::NaturalPerson, Some((date!(2026 - 10 - 09), true))),
        (date!(2026 - 10 - 12), ApplicantKind::CommercialEnterprise, None),
        (date!(2026 - 10 - 13), ApplicantKind::NaturalPerson, Some((date!(2026 - 10 - 14), false))),
    ];
    for (received, kind, conclusion) in cases {
        let first = Event::Received { on: received, channel: Channel::InPerson };
        let mut state = s.open_case(application(a.id, kind), first, &actor, &calendar, now).await.unwrap();
        if let Some((on, replied)) = conclusion {
            let event = if replied { Event::reply(on, Outcome::Disclosed) } else { Event::Withdrawn { on } };
            if replied {
                let register = ChangeRequest {
                    case_id: state.record.id,
                    expected_version: state.record.version,
                    command: Command::Register { on: received },
                    reason: None,
                };
                state = s.change_case(register, &actor, &calendar, now).await.unwrap();
            }
            let request = ChangeRequest {
                case_id: state.record.id,
                expected_version: state.record.version,
                command: Command::Event(event),
                reason: None,
            };
            s.change_case(request, &actor, &calendar, now).await.unwrap();
        }
    }
    let mut rows = s.case_counts(&[a.id], date!(2026 - 10 - 01), date!(2026 - 10 - 31)).await.unwrap();
    rows.sort_by(|x, y| (&x.bucket, &x.applicant_kind).cmp(&(&y.bucket, &y.applicant_kind)));
    let got: Vec<(CountBucket, &str, u64)> =
        rows.iter().map(|r| (r.bucket.clone(), r.applicant_kind.as_str(), r.count)).collect();
    assert_eq!(
        got,
        vec![
            (CountBucket::Received, "COMMERCIAL_ENTERPRISE", 1),
            (CountBucket::Received, "NATURAL_PERSON", 1),
            (CountBucket::CarriedOver, "NATURAL_PERSON", 1),
            (CountBucket::Concluded(Some("DISCLOSED".into())), "NATURAL_PERSON", 1),
            (CountBucket::Concluded(Some("OTHER_CLOSED".into())), "NATURAL_PERSON", 1),
            (CountBucket::CarriedForward, "COMMERCIAL_ENTERPRISE", 1),
        ],
        "{:?}",
        db.store.backend()
    );

    // The processing aggregates. The reply of the 28 Sep case on 9 Oct took 4 working days
    // (29, 30 Sep; 8, 9 Oct), within its limit of 30 Oct.
    let (from, to) = (date!(2026 - 10 - 01), date!(2026 - 10 - 31));
    let days = s.reply_days(&[a.id], from, to).await.unwrap();
    assert_eq!(days, [ReplyDays { agency_id: a.id, wd_used: 4, count: 1, on_time: 1 }]);
    let events = s.event_counts(&[a.id], &["WITHDRAWN", "REGISTERED"], from, to).await.unwrap();
    assert_eq!(events, [EventCount { agency_id: a.id, kind: "WITHDRAWN".into(), count: 1 }], "registered in Sep");
    // On 20 Nov the 12 Oct case is open and past its due date of 9 Nov; on 9 Nov it is not.
    let open = s.open_now(&[a.id], date!(2026 - 11 - 20)).await.unwrap();
    assert_eq!(open, [OpenNow { agency_id: a.id, open: 1, overdue: 1 }]);
    let open = s.open_now(&[a.id], date!(2026 - 11 - 09)).await.unwrap();
    assert_eq!(open, [OpenNow { agency_id: a.id, open: 1, overdue: 0 }]);
    let oldest = s.oldest_open(&[a.id], to, 10).await.unwrap();
    assert_eq!(oldest.iter().map(|c| c.received_on).collect::<Vec<_>>(), [date!(2026 - 10 - 12)]);
    // At the end of September the 28 Sep case was open too, and older.
    let oldest = s.oldest_open(&[a.id], date!(2026 - 09 - 30), 10).await.unwrap();
    assert_eq!(oldest.iter().map(|c| c.received_on).collect::<Vec<_>>(), [date!(2026 - 09 - 28)]);

    // A reconsideration of the reply, filed 20 Oct and upheld 5 Nov: pending at the end of
    // October, upheld at the end of November.
    let replied = s.case_state(oldest[0].case_id).await.unwrap();
    let challenge = Challenge {
        kind: ChallengeKind::Reconsideration,
        filed_on: date!(2026 - 10 - 20),
        result: ChallengeResult::Upheld,
        decided_on: Some(date!(2026 - 11 - 05)),
    };
    let request = ChallengeRequest {
        case_id: replied.record.id,
        expected_version: replied.record.version,
        challenge,
        body: "绵阳市人民政府".into(),
        reference: Some("绵府复〔2026〕8号".into()),
    };
    s.record_challenge(request, &actor, now).await.unwrap();
    let counts = s.challenge_counts(&[a.id], from, to).await.unwrap();
    let got: Vec<(&str, &str, u64)> = counts.iter().map(|c| (c.kind.as_str(), c.result.as_str(), c.count)).collect();
    assert_eq!(got, [("RECONSIDERATION", "PENDING", 1)]);
    let counts = s.challenge_counts(&[a.id], from, date!(2026 - 11 - 30)).await.unwrap();
    let got: Vec<(&str, &str, u64)> = counts.iter().map(|c| (c.kind.as_str(), c.result.as_str(), c.count)).collect();
    assert_eq!(got, [("RECONSIDERATION", "UPHELD", 1)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_oldest_open_break_ties_by_case_number_on_both_backends() {
    on_each_backend(oldest_ties).await;
}

/// Cases received on one day are listed by their number's sequence (〔2026〕9号 before
/// 〔2026〕10号, not as text), unnumbered ones last, whatever order they were created in; the
/// cut at `limit` follows the same order. The expected lists are the same on both backends.
async fn oldest_ties(db: TestDb) {
    let s = &db.store;
    let a = agency(s, "youxian", None).await;
    let calendar = Calendar::bundled();
    let actor = Actor { account_id: None, label: "test".into() };
    let now = datetime!(2026-11-01 10:00 +8);
    let day = date!(2026 - 10 - 12);
    let number = |n: u32| format!("游府信申〔2026〕{n}号");
    // Created newest number first, an unnumbered case in between, and an older one last.
    let created: [(time::Date, Option<u32>); 6] =
        [(day, Some(11)), (day, None), (day, Some(10)), (day, Some(9)), (day, Some(8)), (date!(2026 - 10 - 09), None)];
    for (received, n) in created {
        let first = Event::Received { on: received, channel: Channel::InPerson };
        let state =
            s.open_case(application(a.id, ApplicantKind::NaturalPerson), first, &actor, &calendar, now).await.unwrap();
        if let Some(n) = n {
            let request = ChangeRequest {
                case_id: state.record.id,
                expected_version: state.record.version,
                command: Command::Event(Event::Registered { on: received, case_number: number(n) }),
                reason: None,
            };
            s.change_case(request, &actor, &calendar, now).await.unwrap();
        }
    }
    let listed = |limit: u32| async move {
        let oldest = s.oldest_open(&[a.id], date!(2026 - 10 - 31), limit).await.unwrap();
        oldest.into_iter().map(|c| (c.received_on, c.case_number)).collect::<Vec<_>>()
    };
    let expected = [
        (date!(2026 - 10 - 09), None),
        (day, Some(number(8))),
        (day, Some(number(9))),
        (day, Some(number(10))),
        (day, Some(number(11))),
        (day, None),
    ];
    assert_eq!(listed(10).await, expected, "{:?}", s.backend());
    assert_eq!(listed(3).await, expected[..3], "{:?}: the cut follows the order", s.backend());
}
