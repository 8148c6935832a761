//! `foi demo seed`: a small demo district, so that a newcomer can sign in and work a queue
//! at once. Every case is built through the same workflow path as real ones (the domain
//! decides each event), with dates counted back from today so that the queue shows cases
//! on track, due soon, paused and overdue.

use foi_domain::applicant::{ApplicantKind, Channel, DeliveryMethod, FormWanted};
use foi_domain::calendar::Calendar;
use foi_domain::lifecycle::{ConsultedParty, Event, NotHandledReason};
use foi_domain::outcome::Outcome;
use foi_domain::reasons::{WithheldItem, WithholdingGround};
use foi_store::{
    Actor, Agency, ApplicantDetails, ChangeRequest, Command, NewAccount, NewAgency, NewApplication, Store, Uuid,
};
use time::{Date, OffsetDateTime};

use crate::error::ApiError;

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// What the seed created, for the command to print.
#[derive(Debug, Clone)]
pub struct DemoSummary {
    /// (login, what it is) of every account.
    pub accounts: Vec<(String, String)>,
    /// (case subject, stage) of every case.
    pub cases: Vec<(String, String)>,
}

/// The date `n` working days before `today` (on the provisional calendar in a year without a
/// notice, and Monday to Friday where no rule covers the year: demo data only).
fn working_days_before(calendar: &Calendar, today: Date, n: u32) -> Date {
    let mut date = today;
    let mut count = 0;
    while count < n {
        date = date.previous_day().unwrap_or(date);
        let working = calendar.day_or_provisional(date).map_or_else(
            |_| !matches!(date.weekday(), time::Weekday::Saturday | time::Weekday::Sunday),
            |(kind, _)| kind.is_working(),
        );
        if working {
            count += 1;
        }
    }
    date
}

/// Seeds the demo district. Refuses (with `ALREADY_EXISTS`) if it is already there.
pub async fn seed(
    store: &Store,
    calendar: &Calendar,
    today: Date,
    now: OffsetDateTime,
) -> Result<DemoSummary, ApiError> {
    if store.agency_by_code("youxian").await?.is_some() {
        return Err(ApiError::AlreadyExists("the demo district (agency youxian)".into()));
    }
    let district =
        store.create_agency(NewAgency::new("youxian", "绵阳市游仙区人民政府", "游府信申", "绵阳市人民政府")).await?;
    let mut department =
        NewAgency::new("youxian-fgj", "绵阳市游仙区发展和改革局", "游发改信申", "绵阳市游仙区人民政府");
    department.parent_id = Some(district.id);
    let department = store.create_agency(department).await?;
    let mut town = NewAgency::new("weicheng", "绵阳市游仙区魏城镇人民政府", "魏府信申", "绵阳市游仙区人民政府");
    town.parent_id = Some(district.id);
    store.create_agency(town).await?;

    let hash = crate::password::hash(DEMO_PASSWORD)?;
    let mut accounts = Vec::new();
    let staff = [
        ("admin", "系统管理员", district.id, vec!["system_admin", "agency_admin"]),
        ("head", "王主任", district.id, vec!["office_head", "reviewer", "clerk"]),
        ("clerk", "李明", district.id, vec!["clerk"]),
        ("fgj-clerk", "赵敏", department.id, vec!["clerk", "reviewer"]),
    ];
    let mut clerk_id = Uuid::nil();
    for (login, name, agency, roles) in staff {
        let account = store
            .create_account(NewAccount {
                kind: "staff".into(),
                login: login.into(),
                password_hash: hash.clone(),
                display_name: name.into(),
                agency_id: Some(agency),
                roles: roles.iter().map(|r| r.to_string()).collect(),
                ..NewAccount::default()
            })
            .await?;
        if login == "clerk" {
            clerk_id = account.id;
        }
        accounts.push((login.to_owned(), format!("staff: {} ({})", name, roles.join(", "))));
    }
    let applicant = store
        .create_account(NewAccount {
            kind: "applicant".into(),
            login: "zhangsan".into(),
            password_hash: hash.clone(),
            display_name: "张三".into(),
            applicant_kind: Some(ApplicantKind::NaturalPerson.code().into()),
            id_document_kind: Some("RESIDENT_ID".into()),
            id_number: Some("11010519491231002X".into()),
            phone: Some("13812345678".into()),
            address: Some("四川省绵阳市游仙区仙人路一段8号".into()),
            ..NewAccount::default()
        })
        .await?;
    accounts.push(("zhangsan".into(), "applicant: 张三 (natural person)".into()));
    let company = store
        .create_account(NewAccount {
            kind: "applicant".into(),
            login: "company".into(),
            password_hash: hash,
            display_name: "绵阳某建设有限公司".into(),
            applicant_kind: Some(ApplicantKind::CommercialEnterprise.code().into()),
            id_document_kind: Some("SOCIAL_CREDIT_CODE".into()),
            id_number: Some("91350100M000100Y43".into()),
            phone: Some("0816-2345678".into()),
            ..NewAccount::default()
        })
        .await?;
    accounts.push(("company".into(), "applicant: 绵阳某建设有限公司 (commercial enterprise)".into()));

    let actor = Actor { account_id: Some(clerk_id), label: "李明 (clerk) — demo seed".into() };
    let ago = |n: u32| working_days_before(calendar, today, n);
    let basis = |s: &str| Some(s.to_owned());
    // (subject, applicant, agency, online?, events after receipt, receipt working days ago)
    type Plan = (&'static str, bool, bool, u32, Vec<Box<dyn Fn(&dyn Fn(u32) -> Date) -> Command>>);
    let plans: Vec<Plan> = vec![
        ("2026年游仙区城市更新项目清单", true, true, 0, vec![]),
        ("仙人路改造工程招标文件", false, true, 1, vec![]),
        ("区级财政预算执行情况报告", true, false, 2, vec![Box::new(|a| Command::Register { on: a(2) })]),
        (
            "某小区规划许可",
            true,
            false,
            4,
            vec![
                Box::new(|a| Command::Register { on: a(4) }),
                Box::new(|a| {
                    Command::Event(Event::CorrectionRequested {
                        on: a(3),
                        items: vec!["请写明小区名称和许可证号".into()],
                        period_wd: None,
                    })
                }),
            ],
        ),
        (
            "近三年全部行政处罚决定书",
            true,
            false,
            6,
            vec![
                Box::new(|a| Command::Register { on: a(6) }),
                Box::new(|a| Command::Event(Event::ReasonsRequested { on: a(5) })),
            ],
        ),
        (
            "征地补偿安置方案",
            true,
            true,
            8,
            vec![
                Box::new(|a| Command::Register { on: a(8) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(7) })),
                Box::new(|a| {
                    Command::Event(Event::ConsultationOpened {
                        on: a(5),
                        party: ConsultedParty::ThirdParty,
                        name: "绵阳某置业有限公司".into(),
                    })
                }),
            ],
        ),
        (
            "老旧小区改造资金使用情况",
            false,
            true,
            16,
            vec![
                Box::new(|a| Command::Register { on: a(16) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(15) })),
            ],
        ),
        (
            "2025年度政府采购合同",
            true,
            true,
            22,
            vec![
                Box::new(|a| Command::Register { on: a(22) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(21) })),
            ],
        ),
        (
            "区属国有企业名录",
            false,
            true,
            25,
            vec![
                Box::new(|a| Command::Register { on: a(25) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(24) })),
                Box::new(|a| {
                    Command::Event(Event::Extended {
                        on: a(6),
                        working_days: 20,
                        approver: "王主任".into(),
                        reason: None,
                    })
                }),
            ],
        ),
        (
            "防汛应急预案",
            true,
            true,
            12,
            vec![
                Box::new(|a| Command::Register { on: a(12) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(11) })),
                Box::new(|a| Command::Event(Event::reply(a(3), Outcome::Disclosed))),
            ],
        ),
        (
            "某企业环评报告中的商业秘密部分",
            false,
            true,
            18,
            vec![
                Box::new(|a| Command::Register { on: a(18) }),
                Box::new(|a| Command::Event(Event::Accepted { on: a(17) })),
                Box::new(move |a| {
                    Command::Event(Event::Replied {
                        on: a(9),
                        outcome: Outcome::PartlyDisclosed,
                        // 第十五条 comes with the item's ground; the basis adds only 第三十七条.
                        legal_basis: basis("《中华人民共和国政府信息公开条例》第三十七条"),
                        on_the_spot: false,
                        withheld: vec![WithheldItem {
                            information: "环评报告中涉及企业商业秘密的工艺参数和原料配比".into(),
                            ground: WithholdingGround::ThirdPartyRights,
                        }],
                        holder: None,
                        from_register: false,
                    })
                }),
                Box::new(|a| Command::Event(Event::Archived { on: a(2) })),
            ],
        ),
        (
            "信访事项处理结果",
            true,
            true,
            10,
            vec![
                Box::new(|a| Command::Register { on: a(10) }),
                Box::new(|a| {
                    Command::Event(Event::NotHandled {
                        on: a(9),
                        reason: NotHandledReason::Petition,
                        explanation: "依据《政府信息公开条例》第三十九条第一款，请通过信访渠道提出".into(),
                    })
                }),
            ],
        ),
        ("道路命名方案", true, false, 3, vec![Box::new(|a| Command::Event(Event::Withdrawn { on: a(1) }))]),
    ];

    let mut cases = Vec::new();
    for (subject, natural, district_case, received_ago, steps) in plans {
        let account = if natural { &applicant } else { &company };
        let agency: &Agency = if district_case { &district } else { &department };
        let application = NewApplication {
            agency_id: agency.id,
            applicant_id: Some(account.id),
            applicant: ApplicantDetails {
                name: account.display_name.clone(),
                kind: account
                    .applicant_kind
                    .as_deref()
                    .and_then(|k| k.parse().ok())
                    .unwrap_or(ApplicantKind::NaturalPerson),
                id_number: account.id_number.clone(),
                phone: account.phone.clone(),
                email: account.email.clone(),
                address: account.address.clone(),
            },
            subject: subject.into(),
            description: "演示数据".into(),
            form_wanted: FormWanted::ElectronicCopy,
            delivery: DeliveryMethod::OnlineDownload,
        };
        let received_on = ago(received_ago);
        let mut state = store
            .open_case(application, Event::Submitted { on: received_on, received_on: None }, &actor, calendar, now)
            .await
            .map_err(ApiError::from)?;
        // Received working days ago; the newest stays submitted, waiting for a clerk.
        if received_ago > 0 {
            let receive = Command::Event(Event::Received { on: received_on, channel: Channel::Online });
            state = store.change_case(next(&state, receive), &actor, calendar, now).await?;
        }
        for step in steps {
            let command = step(&ago);
            // Archiving needs the decision on file: issue it first, on the archiving day.
            if let (Command::Event(Event::Archived { on }), Some(kind)) =
                (&command, foi_docs::kind::DocumentKind::deciding(&state.case))
            {
                let request = foi_store::IssueRequest {
                    case_id: state.record.id,
                    expected_version: state.record.version,
                    kind,
                    consultation: None,
                    issued_on: *on,
                };
                let renderer = foi_docs::Renderer::from_env();
                let issued = store.issue_document(request, &renderer, &actor, calendar, now).await;
                let (document, record) = issued.map_err(|e| match e {
                    foi_store::DocumentError::Store(e) => ApiError::from(e),
                    other => ApiError::Rule(other.to_string()),
                })?;
                state.record = record;
                // … and served (送达) the same day: the applicant read it online.
                let serve = foi_store::ServeRequest {
                    document_id: document.id,
                    expected_version: state.record.version,
                    method: foi_domain::service::ServiceMethod::Online,
                    on: *on,
                    recipient: None,
                };
                state = store.serve_document(serve, &actor, calendar, now).await?.1;
            }
            state = store.change_case(next(&state, command), &actor, calendar, now).await?;
        }
        cases.push((subject.to_owned(), state.case.stage.label_zh().to_owned()));
    }
    Ok(DemoSummary { accounts, cases })
}

fn next(state: &foi_store::CaseState, command: Command) -> ChangeRequest {
    ChangeRequest { case_id: state.record.id, expected_version: state.record.version, command, reason: None }
}
