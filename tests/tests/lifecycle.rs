//! Whole case histories over HTTP, on real calendar dates across the National Day holiday
//! of 2026, on SQLite and PostgreSQL: every outcome, a correction and its restart, a
//! third-party consultation pause, an extension, an unpaid fee, a withdrawal, and access
//! denied to another applicant and to another agency's clerk.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};
use time::macros::datetime;

/// The fields every test reads back from a case.
const CASE: &str = "id version stage caseNumber outcome outcomeRow receivedOn concludedOn legalBasis
    applicant { idNumber phone masked }
    clock { state startedOn restartedOn dueOn usedWorkingDays leftWorkingDays limitWorkingDays urgency }
    correction { requestedOn dueOn receivedOn }
    consultations { number dueOn closedOn result }
    extension { workingDays approver }
    fee { dueOn paidOn }";

/// A district with a clerk and an office head, a clerk in another district, and one
/// applicant. The fields are logins: every call signs in afresh at the server's current time,
/// since the tests move the clock by days and a session lasts 12 hours.
struct District {
    app: TestApp,
    clerk: String,
    head: String,
    other_clerk: String,
    applicant: String,
}

impl District {
    async fn new(app: TestApp) -> District {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("fucheng", "绵阳市涪城区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("head", "youxian", &["clerk", "office_head"], PASSWORD).await;
        app.create_staff("other", "fucheng", &["clerk"], PASSWORD).await;
        let applicant = register(&app, "zhangsan", "11010519491231002X").await;
        District { app, clerk: "clerk".into(), head: "head".into(), other_clerk: "other".into(), applicant }
    }

    /// Submits online (today) and has the clerk receive and register it on `received_on`.
    async fn received_case(&self, received_on: &str) -> Value {
        self.at(received_on);
        let submitted = self.submit().await;
        let id = submitted["id"].as_str().unwrap().to_owned();
        self.ok(
            &self.clerk,
            "receiveApplication",
            "CaseChangeInput",
            json!({"caseId": id, "version": 1, "on": received_on}),
        )
        .await;
        self.ok(&self.clerk, "registerCase", "CaseChangeInput", json!({"caseId": id, "version": 2, "on": received_on}))
            .await
    }

    /// Moves the server's clock to noon of `day` (YYYY-MM-DD) in China Standard Time.
    fn at(&self, day: &str) {
        let format = time::macros::format_description!("[year]-[month]-[day]");
        let date = time::Date::parse(day, &format).expect("a YYYY-MM-DD date");
        self.app.set_now(
            time::PrimitiveDateTime::new(date, time::macros::time!(12:00)).assume_offset(time::macros::offset!(+8)),
        );
    }

    async fn submit(&self) -> Value {
        let response = self
            .app
            .graphql(
                &format!("mutation($i: SubmitApplicationInput!) {{ submitApplication(input: $i) {{ {CASE} }} }}"),
                json!({"i": {"agencyCode": "youxian", "subject": "仙人路改造工程招标文件",
                    "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "EMAIL"}}),
                Some(&self.app.sign_in(&self.applicant).await),
            )
            .await;
        data(&response)["submitApplication"].clone()
    }

    /// Sends a change, with the server's clock moved to the change's date first: events are
    /// recorded on the day they happen.
    async fn call(&self, login: &str, mutation: &str, input_type: &str, input: Value) -> Value {
        if let Some(on) = input["on"].as_str().or(input["change"]["on"].as_str()) {
            self.at(on);
        }
        let token = self.app.sign_in(login).await;
        let query = format!("mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {CASE} }} }}");
        self.app.graphql(&query, json!({"i": input}), Some(&token)).await
    }

    async fn ok(&self, token: &str, mutation: &str, input_type: &str, input: Value) -> Value {
        let response = self.call(token, mutation, input_type, input).await;
        data(&response)[mutation].clone()
    }

    async fn refused(&self, token: &str, mutation: &str, input_type: &str, input: Value) -> String {
        let response = self.call(token, mutation, input_type, input).await;
        error_code(&response).unwrap_or_else(|| panic!("{mutation} should have failed: {response}")).to_owned()
    }

    async fn case(&self, login: &str, id: &str) -> Value {
        let token = self.app.sign_in(login).await;
        self.app
            .graphql(&format!("query($id: ID!) {{ case(id: $id) {{ {CASE} }} }}"), json!({"id": id}), Some(&token))
            .await
    }

    /// Issues the notice `kind` of `case` (for a consultation letter, of consultation
    /// `consultation`) on `on` and records its service (送达) in person the same day, as the
    /// periods that run from the notice start only at its service; returns the case.
    async fn issue_and_serve(&self, case: &Value, kind: &str, consultation: Option<u32>, on: &str) -> Value {
        self.at(on);
        let token = self.app.sign_in(&self.clerk).await;
        let issued = self
            .app
            .graphql(
                "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id case { version } } }",
                json!({"i": {"caseId": case["id"], "version": case["version"], "kind": kind,
                    "consultationNumber": consultation, "on": on}}),
                Some(&token),
            )
            .await;
        let document = data(&issued)["issueDocument"].clone();
        let served = self
            .app
            .graphql(
                &format!("mutation($i: ServeDocumentInput!) {{ serveDocument(input: $i) {{ case {{ {CASE} }} }} }}"),
                json!({"i": {"documentId": document["id"], "version": document["case"]["version"],
                    "method": "IN_PERSON", "servedOn": on, "recipient": "张三"}}),
                Some(&token),
            )
            .await;
        data(&served)["serveDocument"]["case"].clone()
    }

    async fn query(&self, login: &str, query: &str) -> Value {
        let token = self.app.sign_in(login).await;
        self.app.graphql(query, json!({}), Some(&token)).await
    }
}

fn change(case: &Value, on: &str) -> Value {
    json!({"caseId": case["id"], "version": case["version"], "on": on})
}

/// `mutation` (an applicant's statement: `submitCorrection`, `giveReasons`,
/// `reportFeePayment`) on `case` by `login` on `day`, with `text`.
async fn applicant_says(d: &District, login: &str, mutation: &str, case: &Value, day: &str, text: &str) -> Value {
    d.at(day);
    let token = d.app.sign_in(login).await;
    let query = format!("mutation($i: ApplicantStatementInput!) {{ {mutation}(input: $i) {{ {CASE} }} }}");
    d.app
        .graphql(&query, json!({"i": {"caseId": case["id"], "version": case["version"], "text": text}}), Some(&token))
        .await
}

/// Registers an applicant and returns the login.
async fn register(app: &TestApp, login: &str, id_number: &str) -> String {
    let response = app
        .graphql(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": login, "password": PASSWORD, "name": "张三", "kind": "NATURAL_PERSON",
                "idNumber": id_number, "phone": "13812345678", "address": "四川省绵阳市游仙区仙人路一段8号"}}),
            None,
        )
        .await;
    data(&response);
    login.to_owned()
}

foi_e2e::on_both_backends! {
    /// Receipt on Friday 18 September 2026 gives a reply deadline of Thursday 22 October,
    /// over the make-up Sunday 20 September, 中秋节 25 September and National Day 1–7
    /// October; the queue orders by it and shows the count.
    async fn receipt_starts_the_clock_and_the_queue_orders_by_due_date(app: TestApp) {
        let d = District::new(app).await;
        let later = d.received_case("2026-09-21").await;
        let earlier = d.received_case("2026-09-18").await;
        assert!(earlier["caseNumber"].as_str().unwrap().ends_with("〔2026〕2号"), "{earlier}");
        assert_eq!(earlier["clock"]["dueOn"], "2026-10-22");
        assert_eq!(later["clock"]["dueOn"], "2026-10-26");
        d.app.set_now(datetime!(2026-10-19 09:00 +8));
        let response = d.query(&d.clerk, "{ queue { edges { node { id clock { dueOn usedWorkingDays leftWorkingDays urgency } } } } }").await;
        let edges = data(&response)["queue"]["edges"].as_array().unwrap().clone();
        assert_eq!(edges[0]["node"]["id"], earlier["id"], "soonest due first");
        // 20 Sep (Sun, worked), 21–24, 28–30 Sep, 9 (Fri)… counted to Monday 19 October: 17.
        let clock = &edges[0]["node"]["clock"];
        assert_eq!((clock["usedWorkingDays"].as_i64(), clock["leftWorkingDays"].as_i64()), (Some(17), Some(3)));
        assert_eq!(clock["urgency"], "DUE_SOON");
        d.app.set_now(datetime!(2026-10-23 09:00 +8));
        let response = d.query(&d.clerk, "{ queue(filter: {overdue: true}) { edges { node { id } } } }").await;
        let overdue = data(&response)["queue"]["edges"].as_array().unwrap().clone();
        assert_eq!(overdue.len(), 1);
        assert_eq!(overdue[0]["node"]["id"], earlier["id"]);
    }

    /// Every outcome of a reply, with its row; refusals must state their legal basis.
    async fn every_reply_outcome(app: TestApp) {
        let d = District::new(app).await;
        let outcomes = [
            ("DISCLOSED", "(一)"), ("PARTLY_DISCLOSED", "(二)"),
            ("WITHHELD_STATE_SECRET", "(三)1"), ("WITHHELD_BY_LAW", "(三)2"), ("WITHHELD_SECURITY_STABILITY", "(三)3"),
            ("WITHHELD_THIRD_PARTY_RIGHTS", "(三)4"), ("WITHHELD_INTERNAL_AFFAIRS", "(三)5"),
            ("WITHHELD_PROCESS_INFORMATION", "(三)6"), ("WITHHELD_ENFORCEMENT_FILE", "(三)7"),
            ("WITHHELD_ADMINISTRATIVE_QUERY", "(三)8"), ("NOT_HELD", "(四)1"), ("NEEDS_COMPILATION", "(四)2"),
        ];
        for (outcome, row) in outcomes {
            let case = d.received_case("2026-09-18").await;
            let case = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-09-21")).await;
            // A refusal states what it withholds and on which ground (its row's own); a
            // partial disclosure names what it holds back.
            let ground = match outcome {
                "PARTLY_DISCLOSED" => Some("THIRD_PARTY_RIGHTS"),
                "WITHHELD_STATE_SECRET" => Some("STATE_SECRET"),
                "WITHHELD_BY_LAW" => Some("FORBIDDEN_BY_LAW"),
                other => other.strip_prefix("WITHHELD_"),
            };
            let withheld = ground.map(|g| json!([{"information": "投标人报价明细", "ground": g}]));
            let needs_basis = outcome != "DISCLOSED";
            if needs_basis {
                let code = d.refused(&d.clerk, "reply", "ReplyInput", json!({"change": change(&case, "2026-10-09"), "outcome": outcome})).await;
                assert_eq!(code, "RULE_VIOLATION", "{outcome} without a basis");
            }
            if let Some(withheld) = &withheld {
                // Without its withheld items (Reg. 36(3), 37): the rule and the input it is
                // about, for a form to show beside that field.
                let refused = d.call(&d.clerk, "reply", "ReplyInput", json!({"change": change(&case, "2026-10-09"),
                    "outcome": outcome, "legalBasis": "《中华人民共和国政府信息公开条例》"})).await;
                let extensions = &refused["errors"][0]["extensions"];
                assert_eq!(
                    (extensions["code"].as_str(), extensions["rule"].as_str(), extensions["field"].as_str()),
                    (Some("RULE_VIOLATION"), Some("WITHHELD_ITEMS_REQUIRED"), Some("input.withheld")),
                    "{outcome}: {refused}"
                );
                if outcome != "PARTLY_DISCLOSED" {
                    // A refusal row rests on its own ground.
                    let other = if outcome == "WITHHELD_STATE_SECRET" { "FORBIDDEN_BY_LAW" } else { "STATE_SECRET" };
                    let wrong = json!([{"information": withheld[0]["information"], "ground": other}]);
                    let refused = d.call(&d.clerk, "reply", "ReplyInput", json!({"change": change(&case, "2026-10-09"),
                        "outcome": outcome, "legalBasis": "《中华人民共和国政府信息公开条例》", "withheld": wrong})).await;
                    assert_eq!(refused["errors"][0]["extensions"]["rule"], "GROUND_NOT_OF_OUTCOME", "{outcome}: {refused}");
                }
            }
            let replied = d.ok(&d.clerk, "reply", "ReplyInput", json!({"change": change(&case, "2026-10-09"), "outcome": outcome,
                "legalBasis": "《中华人民共和国政府信息公开条例》", "withheld": withheld})).await;
            assert_eq!((replied["stage"].as_str(), replied["outcomeRow"].as_str()), (Some("REPLIED"), Some(row)), "{outcome}");
            assert_eq!(replied["clock"]["state"], "STOPPED");
            // Replied on 9 October: 20 Sep (Sun, worked), 21–24, 28–30 Sep, 8, 9 Oct = 10.
            assert_eq!(replied["clock"]["usedWorkingDays"], 10, "{outcome}");
        }
        // The five "not handled" rows.
        for (reason, row) in [("PETITION", "(五)1"), ("REPEAT", "(五)2"), ("PUBLICATION", "(五)3"), ("EXCESSIVE", "(五)4"), ("CONFIRM_OR_REISSUE", "(五)5")] {
            let case = d.received_case("2026-09-18").await;
            let done = d.ok(&d.clerk, "notHandled", "NotHandledInput", json!({"change": change(&case, "2026-09-21"), "reason": reason,
                "explanation": "依据《政府信息公开条例》告知"})).await;
            assert_eq!(done["outcomeRow"], row, "{reason}");
        }
    }

    /// A correction notice within 7 working days; the corrected application restarts the
    /// clock from zero; (四)3 after correction; (六)1 when no correction comes.
    async fn correction_restart_and_lapse(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        // 7 working days from 18 September 2026: 20 (Sun, worked), 21–24, 28, 29 → 29 Sep.
        let late = d.refused(&d.clerk, "requestCorrection", "RequestCorrectionInput",
            json!({"change": change(&case, "2026-09-30"), "items": ["请写明文件名称"]})).await;
        assert_eq!(late, "RULE_VIOLATION");
        let waiting = d.ok(&d.clerk, "requestCorrection", "RequestCorrectionInput",
            json!({"change": change(&case, "2026-09-29"), "items": ["请写明文件名称", "请写明文号"]})).await;
        assert_eq!(waiting["stage"], "AWAITING_CORRECTION");
        assert_eq!(waiting["clock"]["state"], "STOPPED");
        // The period runs from the notice's service, handed over the same day.
        let waiting = d.issue_and_serve(&waiting, "CORRECTION_NOTICE", None, "2026-09-29").await;
        // 15 working days from 29 Sep: 30 Sep, 8, 9, 10 (Sat, worked), 12–16, 19–23, 26 → 26 Oct.
        assert_eq!(waiting["correction"]["dueOn"], "2026-10-26");
        let corrected = d.ok(&d.clerk, "receiveCorrection", "CaseChangeInput", change(&waiting, "2026-10-12")).await;
        assert_eq!(corrected["clock"]["restartedOn"], "2026-10-12");
        assert_eq!(corrected["clock"]["startedOn"], "2026-10-12");
        // 20 working days from Monday 12 October 2026, nothing carried over: 9 November.
        assert_eq!(corrected["clock"]["dueOn"], "2026-11-09");
        assert_eq!(corrected["receivedOn"], "2026-09-18", "the date of receipt never changes");
        let unclear = d.ok(&d.clerk, "reply", "ReplyInput", json!({"change": change(&corrected, "2026-10-14"),
            "outcome": "STILL_UNCLEAR_AFTER_CORRECTION", "legalBasis": "《政府信息公开条例》第三十条"})).await;
        assert_eq!(unclear["outcomeRow"], "(四)3");

        let abandoned = d.received_case("2026-09-18").await;
        let waiting = d.ok(&d.clerk, "requestCorrection", "RequestCorrectionInput",
            json!({"change": change(&abandoned, "2026-09-29"), "items": ["请写明文件名称"]})).await;
        // Unserved, the period has not begun: no lapse.
        let unserved = d.refused(&d.clerk, "lapseCorrection", "CaseChangeInput", change(&waiting, "2026-09-29")).await;
        assert_eq!(unserved, "NOT_SERVED");
        let waiting = d.issue_and_serve(&waiting, "CORRECTION_NOTICE", None, "2026-09-29").await;
        assert_eq!(waiting["correction"]["dueOn"], "2026-10-26");
        let early = d.refused(&d.clerk, "lapseCorrection", "CaseChangeInput", change(&waiting, "2026-10-26")).await;
        assert_eq!(early, "RULE_VIOLATION");
        let closed = d.ok(&d.clerk, "lapseCorrection", "CaseChangeInput", change(&waiting, "2026-10-27")).await;
        assert_eq!((closed["stage"].as_str(), closed["outcomeRow"].as_str()), (Some("CLOSED"), Some("(六)1")));
    }

    /// A third-party consultation pauses the clock; the deadline moves by the working days
    /// it covered; then an office head extends once.
    async fn consultation_pause_and_extension(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        let case = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-09-21")).await;
        let paused = d.ok(&d.clerk, "openConsultation", "OpenConsultationInput",
            json!({"change": change(&case, "2026-09-22"), "party": "THIRD_PARTY", "name": "绵阳某置业有限公司"})).await;
        assert_eq!(paused["clock"]["state"], "PAUSED");
        // The letter is handed to the third party the same day; its period runs from then.
        let paused = d.issue_and_serve(&paused, "CONSULTATION_LETTER", Some(1), "2026-09-22").await;
        // The third party has 15 working days from 22 Sep: 23, 24, 28–30, 8, 9, 10 (Sat), 12–16, 19, 20 → 20 Oct.
        assert_eq!(paused["consultations"][0]["dueOn"], "2026-10-20");
        let answered = d.ok(&d.clerk, "closeConsultation", "CloseConsultationInput",
            json!({"change": change(&paused, "2026-10-09"), "number": 1, "result": "OBJECTED"})).await;
        assert_eq!(answered["clock"]["state"], "RUNNING");
        // 23–24, 28–30 Sep, 8, 9 Oct = 7 working days not counted: 22 Oct + 7 → 2 November.
        assert_eq!(answered["clock"]["dueOn"], "2026-11-02");

        let extend = json!({"change": change(&answered, "2026-10-30"), "workingDays": 20,
            "reason": "需调取并审查相关施工合同"});
        assert_eq!(d.refused(&d.clerk, "extendDeadline", "ExtendInput", extend.clone()).await, "FORBIDDEN");
        let extended = d.ok(&d.head, "extendDeadline", "ExtendInput", extend).await;
        assert_eq!(extended["extension"]["approver"], "head");
        assert_eq!(extended["clock"]["limitWorkingDays"], 40);
        assert_eq!(extended["clock"]["dueOn"], "2026-11-30");
        let twice = d.refused(&d.head, "extendDeadline", "ExtendInput",
            json!({"change": change(&extended, "2026-11-02"), "workingDays": 1, "reason": "再次延期"})).await;
        assert_eq!(twice, "RULE_VIOLATION");
    }

    /// A fee notice pauses the clock; unpaid after 20 working days it ends the case (六)2.
    async fn unpaid_fee(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        let case = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-09-21")).await;
        let owing = d.ok(&d.clerk, "issueFeeNotice", "FeeNoticeInput",
            json!({"change": change(&case, "2026-09-24"), "amountYuan": 100, "basis": "PER_APPLICATION"})).await;
        assert_eq!(owing["clock"]["state"], "PAUSED");
        // Unserved, the payment period has not begun: no lapse.
        let unserved = d.refused(&d.clerk, "lapseFee", "CaseChangeInput", change(&owing, "2026-09-24")).await;
        assert_eq!(unserved, "NOT_SERVED");
        // The notice is handed over the same day; the period runs from its service.
        let owing = d.issue_and_serve(&owing, "FEE_NOTICE", None, "2026-09-24").await;
        // 20 working days from 24 Sep: 28–30 Sep, 8, 9, 10 (Sat), 12–16, 19–23, 26–29 → 29 Oct.
        assert_eq!(owing["fee"]["dueOn"], "2026-10-29");
        let reply = d.refused(&d.clerk, "reply", "ReplyInput", json!({"change": change(&owing, "2026-10-09"), "outcome": "DISCLOSED"})).await;
        assert_eq!(reply, "RULE_VIOLATION", "no reply while the fee is outstanding");
        let early = d.refused(&d.clerk, "lapseFee", "CaseChangeInput", change(&owing, "2026-10-29")).await;
        assert_eq!(early, "RULE_VIOLATION");
        let closed = d.ok(&d.clerk, "lapseFee", "CaseChangeInput", change(&owing, "2026-10-30")).await;
        assert_eq!((closed["stage"].as_str(), closed["outcomeRow"].as_str()), (Some("CLOSED"), Some("(六)2")));
    }

    /// The applicant withdraws before the reply, and can no longer afterwards.
    async fn withdrawal(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        let withdrawn = d.ok(&d.applicant, "withdrawApplication", "CaseChangeInput", change(&case, "2026-09-22")).await;
        assert_eq!((withdrawn["stage"].as_str(), withdrawn["outcomeRow"].as_str()), (Some("CLOSED"), Some("(六)3")));
        let again = d.refused(&d.applicant, "withdrawApplication", "CaseChangeInput", change(&withdrawn, "2026-09-23")).await;
        assert_eq!(again, "INVALID_TRANSITION");
        let archived = d.ok(&d.clerk, "archiveCase", "CaseChangeInput", change(&withdrawn, "2026-09-23")).await;
        assert_eq!(archived["stage"], "ARCHIVED");
    }

    /// What the applicant does online (issue 11): submits the correction, gives the reasons
    /// asked for (Reg. 35) and reports the fee paid (Reg. 42), each dated the day it arrives
    /// and kept with its text in the history. A correction on Thursday 8 October 2026, the
    /// first working day after the National Day break, restarts the clock: 20 working days,
    /// Saturday 10 October (a make-up day) among them, end on Wednesday 4 November.
    async fn the_applicant_corrects_gives_reasons_and_reports_payment(app: TestApp) {
        let d = District::new(app).await;
        let other = register(&d.app, "lisi", "110105198001010016").await;
        let case = d.received_case("2026-09-18").await;
        let waiting = d.ok(&d.clerk, "requestCorrection", "RequestCorrectionInput",
            json!({"change": change(&case, "2026-09-22"), "items": ["请写明文件的名称或文号"]})).await;
        let waiting = d.issue_and_serve(&waiting, "CORRECTION_NOTICE", None, "2026-09-22").await;
        let empty = applicant_says(&d, &d.applicant, "submitCorrection", &waiting, "2026-10-08", " ").await;
        assert_eq!(empty["errors"][0]["extensions"]["field"], "input.text", "{empty}");
        let stranger = applicant_says(&d, &other, "submitCorrection", &waiting, "2026-10-08", "文件名称为某某").await;
        assert_eq!(error_code(&stranger), Some("NOT_FOUND"), "{stranger}");
        let corrected = applicant_says(&d, &d.applicant, "submitCorrection", &waiting, "2026-10-08",
            "所需文件为《仙人路改造工程施工招标文件》（游府发〔2025〕12号）").await;
        let corrected = &data(&corrected)["submitCorrection"];
        assert_eq!(corrected["stage"], "IN_REVIEW");
        assert_eq!(corrected["correction"]["receivedOn"], "2026-10-08");
        assert_eq!(corrected["clock"]["restartedOn"], "2026-10-08");
        assert_eq!(corrected["clock"]["dueOn"], "2026-11-04");
        let history = d.app
            .graphql("query($id: ID!) { case(id: $id) { history { code reason actor } } }", json!({"id": corrected["id"]}),
                Some(&d.app.sign_in(&d.clerk).await))
            .await;
        let history = data(&history)["case"]["history"].as_array().unwrap().clone();
        let received = history.iter().find(|e| e["code"] == "CORRECTION_RECEIVED").unwrap();
        assert_eq!(received["reason"], "所需文件为《仙人路改造工程施工招标文件》（游府发〔2025〕12号）");

        // Reg. 35: the reasons wait for the office's finding.
        let case = d.received_case("2026-09-18").await;
        let asked = d.ok(&d.clerk, "requestReasons", "CaseChangeInput", change(&case, "2026-09-21")).await;
        let given = applicant_says(&d, &d.applicant, "giveReasons", &asked, "2026-09-22", "用于研究本区道路改造工程的招投标情况").await;
        let given = &data(&given)["giveReasons"];
        assert_eq!(given["stage"], "AWAITING_REASONS");
        let found = d.ok(&d.clerk, "receiveReasons", "CaseChangeInput", change(given, "2026-09-23")).await;
        assert_eq!(found["stage"], "HANDLING");

        // Reg. 42: the applicant reports the fee paid; the clock runs again.
        let case = d.received_case("2026-09-18").await;
        let case = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-09-21")).await;
        let owing = d.ok(&d.clerk, "issueFeeNotice", "FeeNoticeInput",
            json!({"change": change(&case, "2026-09-24"), "amountYuan": 100, "basis": "PER_APPLICATION"})).await;
        let owing = d.issue_and_serve(&owing, "FEE_NOTICE", None, "2026-09-24").await;
        let paid = applicant_says(&d, &d.applicant, "reportFeePayment", &owing, "2026-09-29", "已通过银行转账缴纳，流水号 20260929001").await;
        let paid = &data(&paid)["reportFeePayment"];
        assert_eq!(paid["fee"]["paidOn"], "2026-09-29");
        assert_eq!(paid["clock"]["state"], "RUNNING");
    }

    /// `Case.allowedActions` (issue 12): the case received on Friday 18 September 2026 could
    /// take its correction notice up to Tuesday 29 September (7 working days, Sunday 20 a
    /// make-up day); on Wednesday 30 it is refused and says why. Each caller gets their own
    /// actions: the applicant theirs, the clerk the office's, the head also the approvals.
    /// A replied case cannot be archived before its letter is issued.
    async fn allowed_actions_say_what_may_be_done_and_why_not(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        d.at("2026-09-30");
        let actions = |login: String| {
            let (d, id) = (&d, case["id"].clone());
            async move {
                let token = d.app.sign_in(&login).await;
                let read = d
                    .app
                    .graphql("query($id: ID!) { case(id: $id) { allowedActions { action event allowed code rule reason } } }",
                        json!({"id": id}), Some(&token))
                    .await;
                data(&read)["case"]["allowedActions"].as_array().unwrap().clone()
            }
        };
        let find = |list: &[Value], action: &str| list.iter().find(|a| a["action"] == action).cloned();
        let clerk = actions(d.clerk.clone()).await;
        let correction = find(&clerk, "REQUEST_CORRECTION").expect("offered to the clerk");
        assert_eq!(
            (correction["allowed"].as_bool(), correction["code"].as_str(), correction["rule"].as_str()),
            (Some(false), Some("RULE_VIOLATION"), Some("CORRECTION_NOTICE_TOO_LATE")),
            "{correction}"
        );
        assert!(correction["reason"].as_str().unwrap().contains("2026-09-29"), "{correction}");
        assert_eq!(find(&clerk, "ACCEPT_CASE").unwrap()["allowed"], true);
        assert_eq!(find(&clerk, "RECEIVE_CORRECTION").unwrap()["code"], "INVALID_TRANSITION");
        assert!(find(&clerk, "APPROVE_EXTENSION").is_none(), "the head's");
        assert!(find(&clerk, "SUBMIT_CORRECTION").is_none(), "the applicant's");
        let head = actions(d.head.clone()).await;
        assert_eq!(find(&head, "APPROVE_EXTENSION").unwrap()["code"], "NO_EXTENSION_REQUESTED");
        let applicant = actions(d.applicant.clone()).await;
        let names: Vec<&str> = applicant.iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(names, ["SUBMIT_CORRECTION", "GIVE_REASONS", "REPORT_FEE_PAYMENT", "WITHDRAW_APPLICATION"]);
        assert_eq!(find(&applicant, "WITHDRAW_APPLICATION").unwrap()["allowed"], true);

        let replied = d.ok(&d.clerk, "reply", "ReplyInput", json!({"change": change(&case, "2026-09-30"), "outcome": "DISCLOSED"})).await;
        let clerk = actions(d.clerk.clone()).await;
        let archive = find(&clerk, "ARCHIVE_CASE").unwrap();
        assert_eq!((archive["allowed"].as_bool(), archive["code"].as_str()), (Some(false), Some("DECISION_NOT_ISSUED")), "{archive}");
        assert_eq!(replied["stage"], "REPLIED");
    }

    /// Another applicant and another district's clerk can neither see nor change the case;
    /// a stale version is refused; personal data is masked for everyone but the handling
    /// clerk.
    async fn access_is_denied_outside_the_case(app: TestApp) {
        let d = District::new(app).await;
        let case = d.received_case("2026-09-18").await;
        let id = case["id"].as_str().unwrap();
        let stranger = register(&d.app, "lisi", "110101199003078515").await;
        for token in [&stranger, &d.other_clerk] {
            let response = d.case(token, id).await;
            assert_eq!(error_code(&response), Some("NOT_FOUND"), "{response}");
        }
        let code = d.refused(&d.other_clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-09-21")).await;
        assert_eq!(code, "NOT_FOUND");
        let code = d.refused(&stranger, "withdrawApplication", "CaseChangeInput", change(&case, "2026-09-21")).await;
        assert_eq!(code, "NOT_FOUND");
        let response = d.case(&d.clerk, id).await;
        assert_eq!(data(&response)["case"]["applicant"]["idNumber"], "11010519491231002X");
        let response = d.case(&d.applicant, id).await;
        assert_eq!(data(&response)["case"]["applicant"]["idNumber"], "110105********002X");
        assert_eq!(data(&response)["case"]["applicant"]["phone"], "138****5678");
        // An event cannot be dated in the future.
        d.app.set_now(datetime!(2026-09-21 09:00 +8));
        let future = json!({"caseId": id, "version": case["version"], "on": "2026-09-22"});
        let token = d.app.sign_in(&d.clerk).await;
        let response = d.app.graphql("mutation($i: CaseChangeInput!) { acceptCase(input: $i) { id } }", json!({"i": future}), Some(&token)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "input.on");
        let stale = json!({"caseId": id, "version": 1, "on": "2026-09-21"});
        assert_eq!(d.refused(&d.clerk, "acceptCase", "CaseChangeInput", stale).await, "CONFLICT");
        // Signing out revokes the token; an expired one is refused too.
        let token = d.app.sign_in(&d.clerk).await;
        let by_id = "query($id: ID!) { case(id: $id) { id } }";
        data(&d.app.graphql(by_id, json!({"id": id}), Some(&token)).await);
        let response = d.app.graphql("mutation { signOut }", json!({}), Some(&token)).await;
        assert_eq!(data(&response)["signOut"], true);
        let response = d.app.graphql(by_id, json!({"id": id}), Some(&token)).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"));
        let token = d.app.sign_in(&d.clerk).await;
        d.app.set_now(datetime!(2026-09-22 09:00 +8));
        let response = d.app.graphql(by_id, json!({"id": id}), Some(&token)).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"), "a session lasts 12 hours");
    }
}

foi_e2e::on_both_backends! {
    /// Issue 10: an online submission on Sunday 22 February 2026, in the Spring Festival break
    /// (15–23 February off), is received on Tuesday 24 February under the default rule
    /// (Reg. 31(3), rules.md §2) without waiting for a clerk; the queue shows it with its due
    /// date and its age; 签收 on Thursday 26 February moves nothing. Under the clerk rule the
    /// same submission is received when signed for.
    async fn online_submission_on_a_spring_festival_sunday(app: TestApp) {
        let d = District::new(app).await;
        d.at("2026-02-22");
        let submitted = d.submit().await;
        assert_eq!(submitted["stage"], "SUBMITTED");
        assert_eq!(submitted["receivedOn"], "2026-02-24");
        // 24 Feb + 20 working days: 25–27, Sat 28 (make-up), 2–6, 9–13, 16–20, 23 March.
        assert_eq!(submitted["clock"]["dueOn"], "2026-03-23");
        d.at("2026-02-26");
        let queue = d.query(&d.clerk, "{ queue { edges { node { id receivedOn waitingSince waitingWorkingDays clock { dueOn } } } } }").await;
        let item = &data(&queue)["queue"]["edges"][0]["node"];
        assert_eq!(item["id"], submitted["id"]);
        assert_eq!(item["clock"]["dueOn"], "2026-03-23");
        assert_eq!(item["waitingSince"], "2026-02-22");
        // 24, 25, 26 February: the days off of the break are not counted.
        assert_eq!(item["waitingWorkingDays"], 3);
        let signed = d.ok(&d.clerk, "receiveApplication", "CaseChangeInput", change(&submitted, "2026-02-26")).await;
        assert_eq!((signed["stage"].as_str(), signed["receivedOn"].as_str()), (Some("RECEIVED"), Some("2026-02-24")));
        assert_eq!(signed["clock"]["dueOn"], "2026-03-23");

        // The agency chooses the letter of Reg. 31(3): the next submission waits for 签收.
        foi_server::admin::set_online_receipt(&d.app.store, "youxian", foi_domain::applicant::OnlineReceipt::ClerkConfirmation)
            .await
            .unwrap();
        d.at("2026-02-22");
        let waiting = d.submit().await;
        assert_eq!(waiting["receivedOn"], Value::Null);
        assert_eq!(waiting["clock"]["dueOn"], Value::Null);
        let signed = d.ok(&d.clerk, "receiveApplication", "CaseChangeInput", change(&waiting, "2026-02-26")).await;
        assert_eq!(signed["receivedOn"], "2026-02-26");
        // 26 Feb + 20 working days → 25 March 2026.
        assert_eq!(signed["clock"]["dueOn"], "2026-03-25");
        // The first case kept the date its submission fixed.
        let first = d.case(&d.clerk, submitted["id"].as_str().unwrap()).await;
        assert_eq!(data(&first)["case"]["receivedOn"], "2026-02-24");
        let agencies = d.query(&d.clerk, "{ agencies { code onlineReceipt } }").await;
        assert_eq!(data(&agencies)["agencies"][0]["onlineReceipt"], "CLERK_CONFIRMATION");
    }

    /// An application handed in on Saturday 3 October 2026 (National Day break) is accepted
    /// with the warning RECEIVED_ON_DAY_OFF in the answer and in the history; the make-up
    /// Saturday 10 October gives none.
    async fn a_receipt_on_a_day_off_is_accepted_with_a_warning(app: TestApp) {
        let d = District::new(app).await;
        d.at("2026-10-09");
        let token = d.app.sign_in(&d.clerk).await;
        let record = "mutation($i: RecordApplicationInput!) { recordApplication(input: $i) { id receivedOn history { code warnings { code message messageZh } } } }";
        let input = |on: &str| json!({"i": {"channel": "IN_PERSON", "receivedOn": on, "applicantName": "李四",
            "applicantKind": "NATURAL_PERSON", "subject": "道路维修资金", "formWanted": "PAPER", "deliveryMethod": "POST"}});
        let response = d.app.graphql(record, input("2026-10-03"), Some(&token)).await;
        assert_eq!(data(&response)["recordApplication"]["receivedOn"], "2026-10-03");
        let warning = &response["extensions"]["warnings"][0];
        assert_eq!(warning["code"], "RECEIVED_ON_DAY_OFF", "{response}");
        assert!(warning["messageZh"].as_str().unwrap().contains("非工作日"), "{response}");
        assert!(warning["message"].as_str().unwrap().contains("2026-10-03"), "{response}");
        let history = &data(&response)["recordApplication"]["history"][0];
        assert_eq!(history["warnings"][0]["code"], "RECEIVED_ON_DAY_OFF");
        d.at("2026-10-10");
        let token = d.app.sign_in(&d.clerk).await;
        let response = d.app.graphql(record, input("2026-10-10"), Some(&token)).await;
        data(&response);
        assert!(response.get("extensions").is_none_or(|e| e.get("warnings").is_none()), "{response}");
    }

    /// Reg. 33 ¶1: a clerk requests an extension on 1 December 2026 with a reason; a clerk
    /// cannot approve it (FORBIDDEN); the office head approves; the notice prints the reason.
    /// A refusal leaves no extension and a new request may follow; an approval after the
    /// reply deadline is refused.
    async fn extension_request_and_approval(app: TestApp) {
        let d = District::new(app).await;
        // Received Monday 16 November 2026: reply due Monday 14 December.
        let case = d.received_case("2026-11-16").await;
        let case = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&case, "2026-11-17")).await;
        assert_eq!(case["clock"]["dueOn"], "2026-12-14");
        let decide = |case: &Value, on: &str| json!({"change": change(case, on)});
        assert_eq!(d.refused(&d.head, "approveExtension", "DecideExtensionInput", decide(&case, "2026-11-30")).await, "NO_EXTENSION_REQUESTED");
        let reason = "所申请的资料需从区档案馆调取并逐页审查";
        let requested = d.ok(&d.clerk, "requestExtension", "RequestExtensionInput",
            json!({"change": change(&case, "2026-12-01"), "workingDays": 10, "reason": reason})).await;
        assert_eq!(requested["extension"], Value::Null);
        assert_eq!(requested["clock"]["dueOn"], "2026-12-14");
        let pending = d.query(&d.head, "{ queue(filter: {awaitingExtensionDecision: true}) { edges { node { id extensionRequest { requestedOn workingDays reason requestedBy } } } } }").await;
        let node = &data(&pending)["queue"]["edges"][0]["node"];
        assert_eq!(node["id"], case["id"]);
        assert_eq!(node["extensionRequest"]["requestedBy"].as_str().map(|a| a.starts_with("clerk")), Some(true), "{node}");
        assert_eq!(node["extensionRequest"]["workingDays"], 10);
        let again = d.refused(&d.clerk, "requestExtension", "RequestExtensionInput",
            json!({"change": change(&requested, "2026-12-01"), "workingDays": 5, "reason": "另一理由"})).await;
        assert_eq!(again, "EXTENSION_ALREADY_REQUESTED");
        assert_eq!(d.refused(&d.clerk, "approveExtension", "DecideExtensionInput", decide(&requested, "2026-12-02")).await, "FORBIDDEN");
        // Refused: no extension; the request is cleared.
        let refused = d.ok(&d.head, "refuseExtension", "DecideExtensionInput",
            json!({"change": change(&requested, "2026-12-02"), "reason": "可在法定期限内答复"})).await;
        assert_eq!(refused["extension"], Value::Null);
        assert_eq!(refused["clock"]["limitWorkingDays"], 20);
        // A new request, approved by the head on 3 December: 14 Dec + 10 → 28 December.
        let requested = d.ok(&d.clerk, "requestExtension", "RequestExtensionInput",
            json!({"change": change(&refused, "2026-12-03"), "workingDays": 10, "reason": reason})).await;
        let approved = d.ok(&d.head, "approveExtension", "DecideExtensionInput", decide(&requested, "2026-12-03")).await;
        assert_eq!(approved["extension"]["approver"], "head");
        assert_eq!(approved["clock"]["limitWorkingDays"], 30);
        assert_eq!(approved["clock"]["dueOn"], "2026-12-28");
        d.at("2026-12-03");
        let token = d.app.sign_in(&d.clerk).await;
        let issued = d.app.graphql("mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { html } }",
            json!({"i": {"caseId": approved["id"], "version": approved["version"], "kind": "EXTENSION_NOTICE"}}), Some(&token)).await;
        let html = data(&issued)["issueDocument"]["html"].as_str().unwrap().to_owned();
        assert!(html.contains(&format!("因{reason}，本机关不能在法定期限内作出答复")), "{html}");
        assert!(html.contains("2026年12月28日"), "{html}");
        let history = d.query(&d.head, &format!("{{ case(id: \"{}\") {{ history {{ code actor reason }} }} }}", approved["id"].as_str().unwrap())).await;
        let codes: Vec<&str> = data(&history)["case"]["history"].as_array().unwrap().iter().filter_map(|e| e["code"].as_str()).collect();
        assert!(codes.windows(4).any(|w| w == ["EXTENSION_REQUESTED", "EXTENSION_REFUSED", "EXTENSION_REQUESTED", "EXTENDED"]), "{codes:?}");

        // Another case: an approval after the reply deadline (14 December) is refused.
        let late = d.received_case("2026-11-16").await;
        let late = d.ok(&d.clerk, "acceptCase", "CaseChangeInput", change(&late, "2026-11-17")).await;
        let late = d.ok(&d.clerk, "requestExtension", "RequestExtensionInput",
            json!({"change": change(&late, "2026-12-14"), "workingDays": 5, "reason": reason})).await;
        assert_eq!(d.refused(&d.head, "approveExtension", "DecideExtensionInput", decide(&late, "2026-12-15")).await, "RULE_VIOLATION");
    }
}
