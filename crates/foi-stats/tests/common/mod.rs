//! Shared helpers of the statistics tests: a store on a temporary SQLite file and cases
//! built through the real workflow (`open_case` + `change_case`), as a clerk would.

#![allow(dead_code)]

use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::{Event, NotHandledReason};
use foi_domain::outcome::Outcome;
use foi_domain::outcome::Outcome::*;
use foi_domain::reasons::{WithheldItem, WithholdingGround, articles_cited};
use foi_store::{Actor, Agency, ApplicantDetails, CaseState, ChangeRequest, Command, NewAgency, NewApplication, Store};
use time::Date;
use time::macros::{date, datetime};

pub struct Db {
    pub store: Store,
    pub calendar: Calendar,
    pub district: Agency,
    pub department: Agency,
    _dir: tempfile::TempDir,
}

/// What happens to a case after receipt.
#[derive(Clone, Debug)]
pub enum Fate {
    /// Still open.
    Open,
    /// Registered and accepted on the day of receipt, replied with `outcome` on the date.
    Reply(Date, Outcome),
    /// Registered, then a correction requested and received, then replied.
    CorrectedThenReply { asked: Date, corrected: Date, reply: Date, outcome: Outcome },
    /// Registered, a correction requested, which lapsed on the date.
    CorrectionLapsed { asked: Date, lapsed: Date },
    /// Registered, then not handled as a repeat application.
    NotHandledRepeat(Date),
    /// Withdrawn by the applicant.
    Withdrawn(Date),
}

impl Db {
    pub async fn new() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("foi.db").display());
        let store = Store::connect(&url).await.unwrap();
        let district = store
            .create_agency(NewAgency::new("youxian", "绵阳市游仙区人民政府", "游府信申", "绵阳市人民政府"))
            .await
            .unwrap();
        let department = store
            .create_agency(
                NewAgency::new("youxian-fgj", "绵阳市游仙区发展和改革局", "游发改信申", "绵阳市游仙区人民政府")
                    .under(district.id),
            )
            .await
            .unwrap();
        Db { store, calendar: Calendar::bundled(), district, department, _dir: dir }
    }

    /// The report of `agencies` for `period`, as of 2027-01-05 (the day the tests run in).
    pub async fn compute(&self, agencies: &[Agency], period: foi_stats::Period) -> foi_stats::Report {
        let as_of = foi_stats::AsOf { today: date!(2027 - 01 - 05), calendar: &self.calendar };
        foi_stats::compute(&self.store, agencies, period, as_of).await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// Applies one command to the case, as the test actor on 2027-01-05.
    pub async fn step(&self, state: CaseState, command: Command) -> CaseState {
        let request =
            ChangeRequest { case_id: state.record.id, expected_version: state.record.version, command, reason: None };
        let actor = Actor { account_id: None, label: "test".into() };
        self.store
            .change_case(request, &actor, &self.calendar, datetime!(2027-01-05 10:00 +8))
            .await
            .unwrap_or_else(|e| panic!("{e}"))
    }

    fn application(&self, agency: &Agency, kind: ApplicantKind) -> NewApplication {
        NewApplication {
            agency_id: agency.id,
            applicant_id: None,
            applicant: ApplicantDetails {
                name: "申请人".into(),
                kind,
                id_number: None,
                phone: None,
                email: None,
                address: None,
            },
            subject: "某文件".into(),
            description: "测试".into(),
            form_wanted: FormWanted::ElectronicCopy,
            delivery: DeliveryMethod::Email,
        }
    }

    /// A case received in person on `received` and then taken to `fate`.
    pub async fn case(&self, agency: &Agency, kind: ApplicantKind, received: Date, fate: Fate) -> CaseState {
        let actor = Actor { account_id: None, label: "test".into() };
        let first = Event::Received { on: received, channel: Channel::InPerson };
        let mut s = self
            .store
            .open_case(self.application(agency, kind), first, &actor, &self.calendar, datetime!(2027-01-05 10:00 +8))
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let ev = Command::Event;
        match fate {
            Fate::Open => {}
            Fate::Withdrawn(on) => s = self.step(s, ev(Event::Withdrawn { on })).await,
            Fate::Reply(on, outcome) => {
                s = self.step(s, Command::Register { on: received }).await;
                s = self.step(s, ev(Event::Accepted { on: received })).await;
                s = self.step(s, ev(reply(on, outcome))).await;
            }
            Fate::CorrectedThenReply { asked, corrected, reply: on, outcome } => {
                s = self.step(s, Command::Register { on: received }).await;
                s = self
                    .step(
                        s,
                        ev(Event::CorrectionRequested {
                            on: asked, items: vec!["请写明文号".into()], period_wd: None
                        }),
                    )
                    .await;
                s = self.step(s, ev(Event::CorrectionReceived { on: corrected })).await;
                s = self.step(s, ev(Event::Accepted { on: corrected })).await;
                s = self.step(s, ev(reply(on, outcome))).await;
            }
            Fate::CorrectionLapsed { asked, lapsed } => {
                s = self.step(s, Command::Register { on: received }).await;
                s = self
                    .step(
                        s,
                        ev(Event::CorrectionRequested {
                            on: asked, items: vec!["请写明文号".into()], period_wd: None
                        }),
                    )
                    .await;
                // Served the day it was sent (送达): the period runs from service (Reg. 30).
                let notice = foi_domain::service::ServedNotice::CorrectionNotice;
                let method = foi_domain::service::ServiceMethod::InPerson;
                let served = Event::Served { on: asked, notice, method, document_id: None, recipient: None };
                s = self.step(s, ev(served)).await;
                s = self.step(s, ev(Event::CorrectionLapsed { on: lapsed })).await;
            }
            Fate::NotHandledRepeat(on) => {
                s = self.step(s, Command::Register { on: received }).await;
                let explanation = "依据《政府信息公开条例》第三十六条第六项，已答复过".into();
                s = self.step(s, ev(Event::NotHandled { on, reason: NotHandledReason::Repeat, explanation })).await;
            }
        }
        s
    }

    /// An online submission withdrawn before it was ever received.
    pub async fn withdrawn_before_receipt(
        &self,
        agency: &Agency,
        kind: ApplicantKind,
        submitted: Date,
        withdrawn: Date,
    ) {
        let actor = Actor { account_id: None, label: "test".into() };
        let s = self
            .store
            .open_case(
                self.application(agency, kind),
                Event::Submitted { on: submitted, received_on: None },
                &actor,
                &self.calendar,
                datetime!(2027-01-05 10:00 +8),
            )
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        let s = self.step(s, Command::Event(Event::Withdrawn { on: withdrawn })).await;
        assert!(s.record.received_on.is_none());
    }
}

/// A reply with `outcome`. A partial disclosure (二) or a refusal (三) lists what it withholds
/// and on which ground (Reg. 36(3), 37): a refusal on its row's ground, a partial disclosure
/// on the rights of a third party (Reg. 15).
fn reply(on: Date, outcome: Outcome) -> Event {
    let withholds = outcome.is_refusal() || outcome == PartlyDisclosed;
    let withheld = match WithholdingGround::of_refusal(outcome) {
        Some(ground) => vec![WithheldItem { information: "某文件中的相关内容".into(), ground }],
        None if withholds => {
            vec![WithheldItem {
                information: "某文件中的个人信息".into(), ground: WithholdingGround::ThirdPartyRights
            }]
        }
        None => vec![],
    };
    // The letter cites each article once: the items print their own articles, so the text
    // leaves out an article they already cite (e.g. Reg. 36(7) of an administrative query).
    let cited: Vec<String> = withheld.iter().flat_map(|i| articles_cited(i.ground.article_zh())).collect();
    let basis = "《中华人民共和国政府信息公开条例》第三十六条";
    let legal_basis = (!articles_cited(basis).iter().any(|a| cited.contains(a))).then(|| basis.into());
    Event::Replied { on, outcome, legal_basis, on_the_spot: false, withheld, holder: None, from_register: false }
}

/// The known history of the scenario tests: cases of the district (`youxian`) and of its
/// department (`youxian-fgj`) spanning 2025 and 2026, every applicant kind, corrections,
/// withdrawals, a partial disclosure and cases still open.
pub async fn history() -> Db {
    let db = Db::new().await;
    use ApplicantKind::*;
    let (d, f) = (&db.district, &db.department);
    // A: received in December 2025, disclosed in January 2026.
    db.case(d, NaturalPerson, date!(2025 - 12 - 15), Fate::Reply(date!(2026 - 01 - 12), Disclosed)).await;
    // B: received in December 2025, still open at the end of 2026.
    db.case(d, CommercialEnterprise, date!(2025 - 12 - 22), Fate::Open).await;
    // C: received in September, partly disclosed in October.
    db.case(d, NaturalPerson, date!(2026 - 09 - 28), Fate::Reply(date!(2026 - 10 - 15), PartlyDisclosed)).await;
    // D: received in October, corrected, refused for a third party's rights in October.
    let corrected = Fate::CorrectedThenReply {
        asked: date!(2026 - 10 - 10),
        corrected: date!(2026 - 10 - 16),
        reply: date!(2026 - 10 - 30),
        outcome: WithheldThirdPartyRights,
    };
    db.case(d, ResearchInstitution, date!(2026 - 10 - 09), corrected).await;
    // E: received and withdrawn in October (department).
    db.case(f, SocialWelfareOrganisation, date!(2026 - 10 - 12), Fate::Withdrawn(date!(2026 - 10 - 14))).await;
    // F: received in October, open at the end of the year (department).
    db.case(f, LegalServiceOrganisation, date!(2026 - 10 - 20), Fate::Open).await;
    // G: received in October, "not held" in November (department).
    db.case(f, OtherOrganisation, date!(2026 - 10 - 29), Fate::Reply(date!(2026 - 11 - 05), NotHeld)).await;
    // H: received on the last working day of October, correction lapsed in December.
    let lapsed = Fate::CorrectionLapsed { asked: date!(2026 - 11 - 02), lapsed: date!(2026 - 12 - 01) };
    db.case(f, NaturalPerson, date!(2026 - 10 - 30), lapsed).await;
    // I: received in November, not handled as a repeat.
    db.case(d, NaturalPerson, date!(2026 - 11 - 10), Fate::NotHandledRepeat(date!(2026 - 11 - 12))).await;
    // J: received and disclosed in September.
    db.case(d, CommercialEnterprise, date!(2026 - 09 - 01), Fate::Reply(date!(2026 - 09 - 21), Disclosed)).await;
    // L: received in December, open at the end of the year.
    db.case(d, CommercialEnterprise, date!(2026 - 12 - 21), Fate::Open).await;
    // M: received and withdrawn in 2025: in neither period.
    db.case(d, NaturalPerson, date!(2025 - 11 - 03), Fate::Withdrawn(date!(2025 - 11 - 05))).await;
    // K: submitted online in October and withdrawn before receipt: never an application.
    db.withdrawn_before_receipt(d, NaturalPerson, date!(2026 - 10 - 08), date!(2026 - 10 - 09)).await;
    db
}
