//! The schema executed in process over a fresh SQLite file: the quickest check that every
//! resolver authenticates, authorises and maps errors as documented. The same scenarios run
//! over HTTP and on PostgreSQL in `tests/` at the repository root.

use std::sync::Arc;

use async_graphql::{Request, Variables};
use foi_api::{ApiState, BearerToken, FoiSchema, build_schema};
use foi_domain::clock::FixedClock;
use foi_store::{NewAccount, NewAgency, Store};
use serde_json::{Value, json};
use time::macros::datetime;

/// A clock the test moves: events are recorded on the day they happen, never ahead of it.
struct MovableClock(std::sync::Mutex<time::OffsetDateTime>);

impl foi_domain::clock::Clock for MovableClock {
    fn now(&self) -> time::OffsetDateTime {
        *self.0.lock().unwrap()
    }
}

struct App {
    schema: FoiSchema,
    clock: Arc<MovableClock>,
    _dir: tempfile::TempDir,
}

impl App {
    async fn new() -> App {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("foi.db").display());
        let store = Store::connect(&url).await.unwrap();
        let district = store
            .create_agency(NewAgency::new("youxian", "游仙区人民政府", "游府信申", "绵阳市人民政府"))
            .await
            .unwrap();
        let other = store
            .create_agency(NewAgency::new("fucheng", "涪城区人民政府", "涪府信申", "绵阳市人民政府"))
            .await
            .unwrap();
        for (login, agency, roles) in [
            ("clerk", district.id, vec!["clerk"]),
            ("head", district.id, vec!["clerk", "office_head"]),
            ("otherclerk", other.id, vec!["clerk"]),
        ] {
            store
                .create_account(NewAccount {
                    kind: "staff".into(),
                    login: login.into(),
                    password_hash: foi_api::password::hash("correct horse battery staple").unwrap(),
                    display_name: format!("{login} name"),
                    agency_id: Some(agency),
                    roles: roles.into_iter().map(String::from).collect(),
                    ..NewAccount::default()
                })
                .await
                .unwrap();
        }
        // Friday 18 September 2026, 10:00 in Beijing.
        let clock = Arc::new(MovableClock(std::sync::Mutex::new(datetime!(2026-09-18 10:00 +8))));
        let state = ApiState::load(store, clock.clone()).await.unwrap();
        App { schema: build_schema(state), clock, _dir: dir }
    }

    /// Moves "now" to 10:00 Beijing time on `day`.
    fn at(&self, day: time::Date) {
        *self.clock.0.lock().unwrap() =
            time::PrimitiveDateTime::new(day, time::macros::time!(10:00)).assume_offset(time::macros::offset!(+8));
    }

    async fn run(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let request =
            Request::new(query).variables(Variables::from_json(variables)).data(BearerToken(token.map(str::to_owned)));
        serde_json::to_value(self.schema.execute(request).await).unwrap()
    }

    async fn ok(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        let response = self.run(query, variables, token).await;
        assert!(response.get("errors").is_none(), "unexpected errors: {response:#}");
        response["data"].clone()
    }

    async fn error_code(&self, query: &str, variables: Value, token: Option<&str>) -> String {
        let response = self.run(query, variables, token).await;
        response["errors"][0]["extensions"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("no error code: {response:#}"))
            .to_owned()
    }

    async fn sign_in(&self, login: &str) -> String {
        let data = self
            .ok(
                "mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                json!({"i": {"login": login, "password": "correct horse battery staple"}}),
                None,
            )
            .await;
        data["signIn"]["token"].as_str().unwrap().to_owned()
    }

    async fn register_applicant(&self, login: &str, id_number: &str) -> String {
        self.ok(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": login, "password": "correct horse battery staple", "name": "张三", "kind": "NATURAL_PERSON",
                "idNumber": id_number, "phone": "13812345678", "address": "四川省绵阳市游仙区仙人路一段8号"}}),
            None,
        )
        .await;
        self.sign_in(login).await
    }
}

const CASE: &str = "id version stage caseNumber outcome receivedOn
    applicant { name idNumber phone address masked }
    clock { state dueOn usedWorkingDays leftWorkingDays limitWorkingDays urgency }";

/// Moves the clock to the change's date, signs `login` in (a session lasts 12 hours) and
/// sends the change.
async fn change(app: &App, login: &str, mutation: &str, input: Value) -> Value {
    let on = input["on"].as_str().or(input["change"]["on"].as_str());
    if let Some(on) = on {
        app.at(foi_domain::calendar::parse_date(on).unwrap());
    }
    let token = app.sign_in(login).await;
    let token = token.as_str();
    let input_type = match mutation {
        "extendDeadline" => "ExtendInput",
        "reply" => "ReplyInput",
        _ => "CaseChangeInput",
    };
    let query = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {CASE} }} }}");
    app.ok(&query, json!({"i": input}), Some(token)).await[mutation].clone()
}

#[tokio::test]
async fn an_online_application_from_submission_to_archive() {
    let app = App::new().await;
    let applicant = app.register_applicant("zhangsan", "11010519491231002X").await;
    let submitted = app
        .ok(
            &format!("mutation($i: SubmitApplicationInput!) {{ submitApplication(input: $i) {{ {CASE} }} }}"),
            json!({"i": {"agencyCode": "youxian", "subject": "2025年仙人路改造工程招标文件",
                "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "EMAIL"}}),
            Some(&applicant),
        )
        .await["submitApplication"]
        .clone();
    assert_eq!(submitted["stage"], "SUBMITTED");
    // Under the default online rule the date of receipt is the submission day (a working
    // day, Friday 18 September): the clock runs before any clerk signs for it.
    assert_eq!(submitted["receivedOn"], "2026-09-18");
    assert_eq!(submitted["clock"]["state"], "RUNNING");
    // The applicant's own view is masked too: only handling officers see it in full.
    assert_eq!(submitted["applicant"]["idNumber"], "110105********002X");
    let id = submitted["id"].as_str().unwrap().to_owned();
    let clerk = app.sign_in("clerk").await;

    let received = change(&app, "clerk", "receiveApplication", json!({"caseId": id, "version": 1})).await;
    assert_eq!(received["receivedOn"], "2026-09-18", "签收 acknowledges the date fixed at submission");
    assert_eq!(received["clock"]["dueOn"], "2026-10-22");
    assert_eq!(received["applicant"]["idNumber"], "11010519491231002X", "the handling clerk sees it in full");
    let registered = change(&app, "clerk", "registerCase", json!({"caseId": id, "version": 2})).await;
    assert_eq!(registered["caseNumber"], "游府信申〔2026〕1号");

    // A stale version is refused and changes nothing.
    let code = app
        .error_code(
            "mutation($i: CaseChangeInput!) { acceptCase(input: $i) { id } }",
            json!({"i": {"caseId": id, "version": 2}}),
            Some(&clerk),
        )
        .await;
    assert_eq!(code, "CONFLICT");
    let accepted = change(&app, "clerk", "acceptCase", json!({"caseId": id, "version": 3, "on": "2026-09-21"})).await;
    assert_eq!(accepted["stage"], "HANDLING");
    // A correction notice may set its own period, but only 1 to 60 working days.
    let correction = "mutation($i: RequestCorrectionInput!) { requestCorrection(input: $i) { stage } }";
    for days in [0, 61, -3] {
        let input = json!({"change": {"caseId": id, "version": 4, "on": "2026-09-21"}, "items": ["请写明文号"],
            "periodWorkingDays": days});
        let r = app.run(correction, json!({"i": input}), Some(&clerk)).await;
        assert_eq!(r["errors"][0]["extensions"]["code"], "VALIDATION", "{r:#}");
        assert_eq!(r["errors"][0]["extensions"]["field"], "input.periodWorkingDays", "{r:#}");
    }

    // Only an office head extends.
    app.at(time::macros::date!(2026 - 10 - 20));
    let clerk = app.sign_in("clerk").await;
    let extend = json!({"change": {"caseId": id, "version": 4, "on": "2026-10-20"}, "workingDays": 20,
        "reason": "需调取档案"});
    let code = app
        .error_code(
            "mutation($i: ExtendInput!) { extendDeadline(input: $i) { id } }",
            json!({"i": extend}),
            Some(&clerk),
        )
        .await;
    assert_eq!(code, "FORBIDDEN");
    // In handling a correction notice is allowed by stage, but 20 October is past the 7
    // working days from 18 September (last day 29 September): a rule, not the stage, refuses.
    let late = json!({"change": {"caseId": id, "version": 4, "on": "2026-10-20"}, "items": ["请写明文号"],
        "periodWorkingDays": 10});
    let r = app.run(correction, json!({"i": late}), Some(&clerk)).await;
    assert_eq!(r["errors"][0]["extensions"]["code"], "RULE_VIOLATION", "{r:#}");
    assert!(r["errors"][0]["message"].as_str().unwrap().contains("2026-09-29"), "{r:#}");
    let extended = change(&app, "head", "extendDeadline", extend).await;
    assert_eq!(extended["clock"]["dueOn"], "2026-11-19");
    assert_eq!(extended["clock"]["limitWorkingDays"], 40);

    // A refusal without its legal basis is a rule violation, not a crash.
    app.at(time::macros::date!(2026 - 11 - 02));
    let clerk = app.sign_in("clerk").await;
    let applicant = app.sign_in("zhangsan").await;
    let refusal =
        json!({"change": {"caseId": id, "version": 6, "on": "2026-11-02"}, "outcome": "WITHHELD_STATE_SECRET"});
    let code = app
        .error_code("mutation($i: ReplyInput!) { reply(input: $i) { id } }", json!({"i": refusal}), Some(&clerk))
        .await;
    assert_eq!(code, "RULE_VIOLATION");
    let replied = change(
        &app,
        "clerk",
        "reply",
        json!({"change": {"caseId": id, "version": 6, "on": "2026-11-02"}, "outcome": "PARTLY_DISCLOSED",
            "legalBasis": "《政府信息公开条例》第三十七条",
            "withheld": [{"information": "投标人报价明细", "ground": "THIRD_PARTY_RIGHTS"}]}),
    )
    .await;
    assert_eq!(replied["stage"], "REPLIED");
    assert_eq!(replied["outcome"], "PARTLY_DISCLOSED");
    let code = app
        .error_code(
            "mutation($i: CaseChangeInput!) { withdrawApplication(input: $i) { id } }",
            json!({"i": {"caseId": id, "version": 7}}),
            Some(&applicant),
        )
        .await;
    assert_eq!(code, "INVALID_TRANSITION");
    // Archiving before the reply letter is issued would close the file without its decision.
    app.at(time::macros::date!(2026 - 11 - 03));
    let clerk = app.sign_in("clerk").await;
    let archive = "mutation($i: CaseChangeInput!) { archiveCase(input: $i) { stage } }";
    let early = app.run(archive, json!({"i": {"caseId": id, "version": 7}}), Some(&clerk)).await;
    assert_eq!(early["errors"][0]["extensions"]["code"], "DECISION_NOT_ISSUED", "{early:#}");
    assert_eq!(early["errors"][0]["extensions"]["kind"], "REPLY");
    assert!(early["errors"][0]["message"].as_str().unwrap().contains("政府信息公开申请答复书"), "{early:#}");
    let reply = app
        .ok(
            "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id number } }",
            json!({"i": {"caseId": id, "version": 7, "kind": "REPLY"}}),
            Some(&clerk),
        )
        .await["issueDocument"]["id"]
        .clone();
    // Issued is not enough: the decision must also have reached the applicant (送达).
    let unserved = app.run(archive, json!({"i": {"caseId": id, "version": 8}}), Some(&clerk)).await;
    assert_eq!(unserved["errors"][0]["extensions"]["code"], "DECISION_NOT_SERVED", "{unserved:#}");
    app.ok(
        "mutation($i: ServeDocumentInput!) { serveDocument(input: $i) { id } }",
        json!({"i": {"documentId": reply, "version": 8, "method": "ONLINE"}}),
        Some(&clerk),
    )
    .await;
    let archived = change(&app, "clerk", "archiveCase", json!({"caseId": id, "version": 9, "on": "2026-11-03"})).await;
    assert_eq!(archived["stage"], "ARCHIVED");

    let applicant = app.sign_in("zhangsan").await;
    let history = app
        .ok(
            "query($id: ID!) { case(id: $id) { history { seq code label occurredOn actor } } }",
            json!({"id": id}),
            Some(&applicant),
        )
        .await;
    let kinds: Vec<&str> =
        history["case"]["history"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "SUBMITTED",
            "RECEIVED",
            "REGISTERED",
            "ACCEPTED",
            "EXTENSION_REQUESTED",
            "EXTENDED",
            "REPLIED",
            "DOCUMENT_ISSUED",
            "SERVED",
            "ARCHIVED"
        ]
    );
}

#[tokio::test]
async fn other_applicants_and_other_agencies_see_nothing() {
    let app = App::new().await;
    let owner = app.register_applicant("owner", "11010519491231002X").await;
    let id = app
        .ok(
            "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }",
            json!({"i": {"agencyCode": "youxian", "subject": "文件", "formWanted": "PAPER", "deliveryMethod": "POST"}}),
            Some(&owner),
        )
        .await["submitApplication"]["id"]
        .clone();
    let stranger = app.register_applicant("stranger", "110101199003078515").await;
    let by_id = "query($id: ID!) { case(id: $id) { id } }";
    assert_eq!(app.error_code(by_id, json!({"id": id}), Some(&stranger)).await, "NOT_FOUND");
    let other_clerk = app.sign_in("otherclerk").await;
    assert_eq!(app.error_code(by_id, json!({"id": id}), Some(&other_clerk)).await, "NOT_FOUND");
    assert_eq!(app.error_code(by_id, json!({"id": id}), None).await, "UNAUTHENTICATED");
    let queue = app.ok("{ queue { totalCount: edges { node { id } } } }", json!({}), Some(&other_clerk)).await;
    assert_eq!(queue["queue"]["totalCount"].as_array().unwrap().len(), 0);
    let clerk = app.sign_in("clerk").await;
    let queue =
        app.ok("{ queue { edges { node { id applicant { idNumber masked } } } } }", json!({}), Some(&clerk)).await;
    let edges = queue["queue"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1);
    assert_eq!(edges[0]["node"]["applicant"]["masked"], true, "lists are always masked");
}

#[tokio::test]
async fn bad_input_names_the_field() {
    let app = App::new().await;
    let response = app
        .run(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": "x", "password": "correct horse battery staple", "name": "李四", "kind": "NATURAL_PERSON",
                "idNumber": "110105194912310021"}}),
            None,
        )
        .await;
    let error = &response["errors"][0];
    assert_eq!(error["extensions"]["code"], "VALIDATION");
    assert_eq!(error["extensions"]["field"], "input.idNumber");
    assert!(error["message"].as_str().unwrap().contains("check"), "{error}");
}

#[tokio::test]
async fn the_demo_seed_fills_every_stage_and_refuses_twice() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&format!("sqlite://{}", dir.path().join("demo.db").display())).await.unwrap();
    let calendar = foi_domain::calendar::Calendar::bundled();
    let now = datetime!(2026-11-25 10:00 +8);
    let summary = foi_api::demo::seed(&store, &calendar, time::macros::date!(2026 - 11 - 25), now).await.unwrap();
    let stages: std::collections::BTreeSet<&str> = summary.cases.iter().map(|(_, s)| s.as_str()).collect();
    for stage in ["待签收", "已签收", "审核中", "待补正", "待说明理由", "办理中", "已答复", "已终止", "已归档"]
    {
        assert!(stages.contains(stage), "no demo case in {stage}: {stages:?}");
    }
    let again = foi_api::demo::seed(&store, &calendar, time::macros::date!(2026 - 11 - 25), now).await.unwrap_err();
    assert_eq!(again.code(), "ALREADY_EXISTS");
    // The clerk's queue shows overdue, due-soon and paused cases.
    let clock = Arc::new(FixedClock(now));
    let schema = build_schema(ApiState::load(store, clock).await.unwrap());
    let token = {
        let r = schema
            .execute(Request::new(format!(
                r#"mutation {{ signIn(input: {{login: "clerk", password: "{}"}}) {{ token }} }}"#,
                foi_api::demo::DEMO_PASSWORD
            )))
            .await;
        serde_json::to_value(&r.data).unwrap()["signIn"]["token"].as_str().unwrap().to_owned()
    };
    let r = schema
        .execute(
            Request::new("{ queue(first: 50) { edges { node { stage clock { state urgency } } } } }")
                .data(BearerToken(Some(token))),
        )
        .await;
    let data = serde_json::to_value(&r.data).unwrap();
    let nodes: Vec<&Value> = data["queue"]["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
    assert!(nodes.iter().any(|n| n["clock"]["urgency"] == "OVERDUE"), "{data:#}");
    assert!(nodes.iter().any(|n| n["clock"]["urgency"] == "DUE_SOON"), "{data:#}");
    assert!(nodes.iter().any(|n| n["clock"]["state"] == "PAUSED"), "{data:#}");
}
