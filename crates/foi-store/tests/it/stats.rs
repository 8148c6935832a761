//! The statistics counts, on both backends: the same cases give the same four buckets.

use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::Event;
use foi_domain::outcome::Outcome;
use foi_store::{Actor, ApplicantDetails, ChangeRequest, Command, CountBucket, NewApplication};
use time::macros::{date, datetime};

use crate::common::{TestDb, on_each_backend};
use crate::fixtures::agency;

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
    let application = |kind: ApplicantKind| NewApplication {
        agency_id: a.id,
        applicant_id: None,
        applicant: ApplicantDetails {
            name: "x".into(),
            kind,
            id_number: None,
            phone: None,
            email: None,
            address: None,
        },
        subject: "s".into(),
        description: String::new(),
        form_wanted: FormWanted::Paper,
        delivery: DeliveryMethod::Post,
    };
    // September (carried over into October, replied in October), October (still open), and
    // October (withdrawn in October).
    let cases = [
        (date!(2026 - 09 - 28), ApplicantKind::NaturalPerson, Some((date!(2026 - 10 - 09), true))),
        (date!(2026 - 10 - 12), ApplicantKind::CommercialEnterprise, None),
        (date!(2026 - 10 - 13), ApplicantKind::NaturalPerson, Some((date!(2026 - 10 - 14), false))),
    ];
    for (received, kind, conclusion) in cases {
        let first = Event::Received { on: received, channel: Channel::InPerson };
        let mut state = s.open_case(application(kind), first, &actor, &calendar, now).await.unwrap();
        if let Some((on, replied)) = conclusion {
            let event = if replied {
                Event::Replied { on, outcome: Outcome::Disclosed, legal_basis: None, on_the_spot: false }
            } else {
                Event::Withdrawn { on }
            };
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
}
