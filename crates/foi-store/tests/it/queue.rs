//! The clerk queue pages by keyset: ordered by reply due date (cases without one last), then
//! creation, then id; walking the pages lists every case once, in that order, also while
//! cases are added before the page being read.

use foi_domain::applicant::ApplicantKind;
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::Event;
use foi_store::{QueueCursor, QueueQuery, Store, Uuid};
use time::Date;
use time::macros::{date, datetime};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::{agency, application, clerk, registered};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_list_every_case_once_in_deadline_order() {
    on_each_backend(paging).await;
}

/// Walks the queue of `agency` `size` cases at a time; returns the ids in the order read.
/// With `add_early`, after each of the first three pages a case is received that sorts
/// before everything listed (Friday 18 September 2026, due 23 October).
async fn walk(s: &Store, agency: Uuid, size: u64, add_early: bool) -> Vec<Uuid> {
    let mut seen = Vec::new();
    let mut query = QueueQuery { agency_ids: vec![agency], limit: size, ..QueueQuery::default() };
    for page in 0.. {
        let (states, more) = s.queue(&query).await.unwrap();
        assert!(states.len() as u64 <= size);
        seen.extend(states.iter().map(|c| c.record.id));
        if !more {
            break;
        }
        query.after = Some(QueueCursor::after(&states.last().expect("a full page").record));
        if add_early && page < 3 {
            registered(s, agency, date!(2026 - 09 - 18), datetime!(2026-11-30 10:00 +8)).await;
        }
    }
    seen
}

async fn paging(db: TestDb) {
    let s = &db.store;
    let district = agency(s, "youxian", None).await;
    let now = datetime!(2026-11-30 10:00 +8);
    // Received on real 2026 working days: several on the same day share a due date (20
    // working days on: 9 Oct → 5 Nov, 12 Oct → 9 Nov, 16 Nov → 14 Dec), so ties are broken by
    // creation and id. Two online submissions not yet received have no due date: last.
    let days: [Date; 7] = [
        date!(2026 - 11 - 16),
        date!(2026 - 10 - 09),
        date!(2026 - 10 - 12),
        date!(2026 - 10 - 09),
        date!(2026 - 10 - 12),
        date!(2026 - 10 - 09),
        date!(2026 - 11 - 16),
    ];
    for on in days {
        registered(s, district.id, on, now).await;
    }
    for _ in 0..2 {
        let first = Event::Submitted { on: date!(2026 - 11 - 27), received_on: None };
        s.open_case(application(district.id, ApplicantKind::NaturalPerson), first, &clerk(), &Calendar::bundled(), now)
            .await
            .unwrap();
    }

    // One page of all: the reference order.
    let (all, more) =
        s.queue(&QueueQuery { agency_ids: vec![district.id], limit: 100, ..QueueQuery::default() }).await.unwrap();
    assert!(!more);
    let due: Vec<Option<Date>> = all.iter().map(|c| c.record.reply_due_on).collect();
    let (a, b, c) = (Some(date!(2026 - 11 - 05)), Some(date!(2026 - 11 - 09)), Some(date!(2026 - 12 - 14)));
    assert_eq!(due, [a, a, a, b, b, c, c, None, None]);
    let order: Vec<Uuid> = all.iter().map(|c| c.record.id).collect();

    // Every page size gives the same list.
    for size in [1, 2, 3, 4, 8, 9] {
        assert_eq!(walk(s, district.id, size, false).await, order, "pages of {size}");
    }

    // New cases that sort before the page being read do not push cases already listed onto
    // it again, nor hide any after it.
    let added = walk(s, district.id, 2, true).await;
    assert_eq!(added, order, "the cases added before the cursor are not listed, the others once each");
    let (now_all, _) =
        s.queue(&QueueQuery { agency_ids: vec![district.id], limit: 100, ..QueueQuery::default() }).await.unwrap();
    assert_eq!(now_all.len(), order.len() + 3);

    // A cursor survives its text form.
    let cursor = QueueCursor::after(&all[3].record);
    assert_eq!(QueueCursor::decode(&cursor.encode()), Some(cursor));
    let last = QueueCursor::after(&all[8].record);
    assert!(last.encode().starts_with("-_"), "{}", last.encode());
    assert_eq!(QueueCursor::decode(&last.encode()), Some(last));
    assert_eq!(QueueCursor::decode("3"), None);
    assert_eq!(QueueCursor::decode("2026-13-01_0_00000000000000000000000000000000"), None);
}
