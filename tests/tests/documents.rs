//! Documents over HTTP, on SQLite and PostgreSQL: a clerk issues the receipt acknowledgement
//! and the reply letter of a case and reads them back (HTML, hash, PDF); the applicant of
//! the case reads them; the applicant of another case cannot; a reply letter for a case not
//! replied to is refused with `DOCUMENT_NOT_ISSUABLE`; the history shows each issue; the
//! de-identification preview is for clerks only. An office head voids a mistaken letter and
//! the clerk issues it anew under the next number.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use foi_server::admin::AgencySpec;
use serde_json::{Value, json};
use time::macros::datetime;

async fn register(app: &TestApp, login: &str, name: &str, id_number: &str) -> String {
    let response = app
        .graphql(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": login, "password": PASSWORD, "name": name, "kind": "NATURAL_PERSON",
                "idNumber": id_number, "phone": "13812345678"}}),
            None,
        )
        .await;
    data(&response);
    app.sign_in(login).await
}

/// The applicant submits; the clerk receives and registers it. Returns (id, version).
async fn received_case(app: &TestApp, applicant: &str, clerk: &str) -> (String, i64) {
    let response = app
        .graphql(
            "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }",
            json!({"i": {"agencyCode": "youxian", "subject": "仙人路改造工程招标文件",
                "formWanted": "PAPER", "deliveryMethod": "POST"}}),
            Some(applicant),
        )
        .await;
    let id = data(&response)["submitApplication"]["id"].as_str().unwrap().to_owned();
    let mut version = 1;
    for mutation in ["receiveApplication", "registerCase"] {
        let response = app
            .graphql(
                &format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ version }} }}"),
                json!({"i": {"caseId": id, "version": version}}),
                Some(clerk),
            )
            .await;
        version = data(&response)[mutation]["version"].as_i64().unwrap();
    }
    (id, version)
}

const DOCUMENT: &str = "id kind number title issuedOn issuedBy contentSha256 html case { id version }";

async fn issue(app: &TestApp, token: &str, case: &str, version: i64, kind: &str) -> Value {
    app.graphql(
        &format!("mutation($i: IssueDocumentInput!) {{ issueDocument(input: $i) {{ {DOCUMENT} }} }}"),
        json!({"i": {"caseId": case, "version": version, "kind": kind}}),
        Some(token),
    )
    .await
}

/// The district government (prefix 游府信申, reconsideration body 绵阳市人民政府) and its clerk.
async fn district(app: &TestApp) {
    app.create_agency_with(AgencySpec {
        code: "youxian".into(),
        name: "绵阳市游仙区人民政府".into(),
        case_prefix: Some("游府信申".into()),
        reconsideration_body: Some("绵阳市人民政府".into()),
        ..AgencySpec::default()
    })
    .await;
    app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
}

/// Replies to the case: disclosed (Reg. 36(2)). Returns the case's new version.
async fn reply_disclosed(app: &TestApp, clerk: &str, case: &str, version: i64) -> i64 {
    let replied = app
        .graphql(
            "mutation($i: ReplyInput!) { reply(input: $i) { version } }",
            json!({"i": {"change": {"caseId": case, "version": version}, "outcome": "DISCLOSED"}}),
            Some(clerk),
        )
        .await;
    data(&replied)["reply"]["version"].as_i64().unwrap()
}

fn sha256_hex(text: &str) -> String {
    foi_docs::sha256_hex(text)
}

foi_e2e::on_both_backends! {
    async fn a_clerk_issues_and_reads_back_the_receipt_and_the_reply(app: TestApp) {
        district(&app).await;
        // Friday 9 October 2026, the first working day after the National Day holiday.
        app.set_now(datetime!(2026-10-09 10:00 +8));
        let clerk = app.sign_in("clerk").await;
        let zhang = register(&app, "zhangsan", "张三", "11010519491231002X").await;
        let li = register(&app, "lisi", "李四", "110101199003078515").await;
        let (case, version) = received_case(&app, &zhang, &clerk).await;
        let (other_case, other_version) = received_case(&app, &li, &clerk).await;

        // A reply letter before the reply is refused, with a clear code and no number.
        let refused = issue(&app, &clerk, &case, version, "REPLY").await;
        assert_eq!(error_code(&refused), Some("DOCUMENT_NOT_ISSUABLE"), "{refused}");
        assert_eq!(refused["errors"][0]["extensions"]["kind"], "REPLY");
        assert!(refused["errors"][0]["message"].as_str().unwrap().contains("record the reply first"), "{refused}");

        // The preview has no number; the receipt gets the first one.
        let preview = app
            .graphql(
                "query($i: PreviewDocumentInput!) { previewDocument(input: $i) { number title html } }",
                json!({"i": {"caseId": case, "kind": "RECEIPT"}}),
                Some(&clerk),
            )
            .await;
        assert_eq!(data(&preview)["previewDocument"]["number"], "〔待编号〕");
        let receipt = issue(&app, &clerk, &case, version, "RECEIPT").await;
        let receipt = data(&receipt)["issueDocument"].clone();
        assert_eq!(receipt["kind"], "RECEIPT");
        assert_eq!(receipt["number"], "游府信收〔2026〕1号");
        assert_eq!(receipt["title"], "政府信息公开申请接收回执");
        assert_eq!(receipt["issuedOn"], "2026-10-09");
        assert_eq!(receipt["issuedBy"], "clerk (clerk)");
        let html = receipt["html"].as_str().unwrap();
        assert!(html.contains("即2026年11月5日前予以答复"), "{html}");
        assert_eq!(receipt["contentSha256"], sha256_hex(html));
        let issued_version = receipt["case"]["version"].as_i64().unwrap();
        assert_eq!(issued_version, version + 1, "the issue is an event of the case");
        let version = issued_version;
        // Issued once.
        let again = issue(&app, &clerk, &case, version, "RECEIPT").await;
        assert_eq!(error_code(&again), Some("ALREADY_EXISTS"), "{again}");
        assert_eq!(again["errors"][0]["extensions"]["number"], "游府信收〔2026〕1号");

        // Reply, then the reply letter.
        let version = reply_disclosed(&app, &clerk, &case, version).await;
        let reply = issue(&app, &clerk, &case, version, "REPLY").await;
        let reply = data(&reply)["issueDocument"].clone();
        assert_eq!(reply["number"], "游府信答〔2026〕1号");
        let html = reply["html"].as_str().unwrap();
        assert!(html.contains("可以自收到本答复之日起六十日内向绵阳市人民政府申请行政复议"), "{html}");

        // Read back on the case, with the history.
        const READ: &str = "query($id: ID!) { case(id: $id) {
            documents { id kind number contentSha256 html }
            history { code label } } }";
        let read = app.graphql(READ, json!({"id": case}), Some(&clerk)).await;
        let documents = data(&read)["case"]["documents"].as_array().unwrap().clone();
        let numbers: Vec<&str> = documents.iter().map(|d| d["number"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["游府信收〔2026〕1号", "游府信答〔2026〕1号"]);
        for d in &documents {
            assert_eq!(d["contentSha256"], sha256_hex(d["html"].as_str().unwrap()));
        }
        assert_eq!(documents[1]["html"], reply["html"], "kept as issued");
        let history = data(&read)["case"]["history"].as_array().unwrap();
        let issued: Vec<&Value> = history.iter().filter(|e| e["code"] == "DOCUMENT_ISSUED").collect();
        assert_eq!(issued.len(), 2);
        assert!(issued.iter().all(|e| e["label"] == "签发文书"));

        // One document, with its PDF where the server has a CJK font.
        let reply_id = reply["id"].as_str().unwrap();
        let one = app
            .graphql("query($id: ID!) { document(id: $id) { number pdfBase64 } }", json!({"id": reply_id}), Some(&clerk))
            .await;
        match error_code(&one) {
            None => assert!(one["data"]["document"]["pdfBase64"].as_str().unwrap().starts_with("JVBERi0"), "%PDF-"),
            Some(code) => {
                assert_eq!(code, "PDF_FONT_UNAVAILABLE", "{one}");
                println!("no PDF on this machine: {}", one["errors"][0]["message"]);
                assert_eq!(one["data"]["document"]["number"], "游府信答〔2026〕1号");
            }
        }

        // The applicant of the case reads them; the applicant of another case cannot.
        let own = app.graphql(READ, json!({"id": case}), Some(&zhang)).await;
        assert_eq!(data(&own)["case"]["documents"].as_array().unwrap().len(), 2);
        let by_id = app.graphql("query($id: ID!) { document(id: $id) { number } }", json!({"id": reply_id}), Some(&zhang)).await;
        assert_eq!(data(&by_id)["document"]["number"], "游府信答〔2026〕1号");
        let foreign = app.graphql("query($id: ID!) { document(id: $id) { number html } }", json!({"id": reply_id}), Some(&li)).await;
        assert_eq!(error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
        assert!(foreign["data"].is_null() || foreign["data"]["document"].is_null());
        let foreign_case = app.graphql(READ, json!({"id": case}), Some(&li)).await;
        assert_eq!(error_code(&foreign_case), Some("NOT_FOUND"));
        // Nor may an applicant issue one, even for their own case.
        let by_applicant = issue(&app, &li, &other_case, other_version, "RECEIPT").await;
        assert_eq!(error_code(&by_applicant), Some("FORBIDDEN"), "{by_applicant}");

        // The de-identification preview: clerks only.
        const DEID: &str = "query($t: String!) { deidentifyPreview(text: $t) { maskedText findings { kind start end } } }";
        let text = "联系电话13812345678，邮箱zs@example.com，2026年10月9日";
        let masked = app.graphql(DEID, json!({"t": text}), Some(&clerk)).await;
        let masked = &data(&masked)["deidentifyPreview"];
        assert_eq!(masked["maskedText"], "联系电话138****5678，邮箱z***@example.com，2026年10月9日");
        assert_eq!(masked["findings"], json!([{"kind": "PHONE", "start": 4, "end": 15}, {"kind": "EMAIL", "start": 18, "end": 32}]));
        let by_applicant = app.graphql(DEID, json!({"t": text}), Some(&zhang)).await;
        assert_eq!(error_code(&by_applicant), Some("FORBIDDEN"));
    }
}

/// `voidDocument` and its answer.
async fn void(app: &TestApp, token: &str, document: &Value, version: i64, reason: &str) -> Value {
    app.graphql(
        "mutation($i: VoidDocumentInput!) { voidDocument(input: $i) {
            number voided { on by reason } case { version } } }",
        json!({"i": {"documentId": document["id"], "version": version, "reason": reason}}),
        Some(token),
    )
    .await
}

foi_e2e::on_both_backends! {
    /// A reply letter issued with a mistake: a clerk may not void it; the office head voids
    /// it with a reason; it stays in the file as issued, marked voided, and the history says
    /// who and why; the clerk issues the corrected letter under the next number, which names
    /// the one it replaces. Once the case is archived nothing more is voided.
    async fn an_office_head_voids_a_mistaken_letter_and_it_is_issued_anew(app: TestApp) {
        district(&app).await;
        app.create_staff("head", "youxian", &["office_head"], PASSWORD).await;
        // Received on Monday 12 October 2026, replied the same week, on Wednesday 14 October.
        app.set_now(datetime!(2026-10-12 10:00 +8));
        let clerk = app.sign_in("clerk").await;
        let zhang = register(&app, "zhangsan", "张三", "11010519491231002X").await;
        let (case, version) = received_case(&app, &zhang, &clerk).await;
        app.set_now(datetime!(2026-10-14 10:00 +8));
        // Sessions last 12 hours: sign in again on the day.
        let clerk = app.sign_in("clerk").await;
        let head = app.sign_in("head").await;
        let zhang = app.sign_in("zhangsan").await;
        let version = reply_disclosed(&app, &clerk, &case, version).await;
        let letter = issue(&app, &clerk, &case, version, "REPLY").await;
        let letter = data(&letter)["issueDocument"].clone();
        assert_eq!(letter["number"], "游府信答〔2026〕1号");
        let version = letter["case"]["version"].as_i64().unwrap();

        // Not by a clerk; not without a reason.
        let by_clerk = void(&app, &clerk, &letter, version, "答复书送达地址有误").await;
        assert_eq!(error_code(&by_clerk), Some("FORBIDDEN"), "{by_clerk}");
        let no_reason = void(&app, &head, &letter, version, " ").await;
        assert_eq!(error_code(&no_reason), Some("VALIDATION"), "{no_reason}");
        assert_eq!(no_reason["errors"][0]["extensions"]["field"], "input.reason", "{no_reason}");

        let voided = void(&app, &head, &letter, version, "答复书送达地址有误").await;
        let voided = &data(&voided)["voidDocument"];
        assert_eq!(voided["number"], "游府信答〔2026〕1号");
        assert_eq!(voided["voided"], json!({"on": "2026-10-14", "by": "head (office_head)", "reason": "答复书送达地址有误"}));
        let version = voided["case"]["version"].as_i64().unwrap();
        let twice = void(&app, &head, &letter, version, "答复书送达地址有误").await;
        assert_eq!(error_code(&twice), Some("DOCUMENT_ALREADY_VOIDED"), "{twice}");

        // Issued anew under the next number.
        let anew = app
            .graphql(
                &format!("mutation($i: IssueDocumentInput!) {{ issueDocument(input: $i) {{ {DOCUMENT} replaces voided {{ on }} }} }}"),
                json!({"i": {"caseId": case, "version": version, "kind": "REPLY"}}),
                Some(&clerk),
            )
            .await;
        let anew = data(&anew)["issueDocument"].clone();
        assert_eq!((anew["number"].as_str(), anew["replaces"].as_str()), (Some("游府信答〔2026〕2号"), Some("游府信答〔2026〕1号")));
        assert!(anew["voided"].is_null());
        let version = anew["case"]["version"].as_i64().unwrap();

        // The applicant sees both, the first marked voided, and the history says why.
        let read = app
            .graphql(
                "query($id: ID!) { case(id: $id) { documents { number html voided { reason } } history { code label reason } } }",
                json!({"id": case}),
                Some(&zhang),
            )
            .await;
        let documents = data(&read)["case"]["documents"].as_array().unwrap().clone();
        assert_eq!(documents.len(), 2);
        assert_eq!(documents[0]["voided"]["reason"], "答复书送达地址有误");
        assert_eq!(documents[0]["html"], letter["html"], "kept as issued");
        assert!(documents[1]["voided"].is_null());
        let history = data(&read)["case"]["history"].as_array().unwrap();
        let voiding = history.iter().find(|e| e["code"] == "DOCUMENT_VOIDED").expect("the voiding is in the history");
        assert_eq!((voiding["label"].as_str(), voiding["reason"].as_str()), (Some("作废文书"), Some("答复书送达地址有误")));

        // Archiving needs the decision served (送达, issue 10 item 7).
        let archive = |version: i64| {
            let (app, clerk, case) = (&app, &clerk, case.clone());
            async move {
                app.graphql(
                    "mutation($i: CaseChangeInput!) { archiveCase(input: $i) { version stage } }",
                    json!({"i": {"caseId": case, "version": version}}),
                    Some(clerk),
                )
                .await
            }
        };
        let unserved = archive(version).await;
        assert_eq!(error_code(&unserved), Some("DECISION_NOT_SERVED"), "{unserved}");
        assert_eq!(unserved["errors"][0]["extensions"]["number"], "游府信答〔2026〕2号", "{unserved}");
        let serve = |document: &Value, version: i64, input: Value| {
            let mut i = json!({"documentId": document["id"], "version": version});
            i.as_object_mut().unwrap().extend(input.as_object().unwrap().clone());
            let (app, clerk) = (&app, &clerk);
            async move {
                app.graphql(
                    "mutation($i: ServeDocumentInput!) { serveDocument(input: $i) { number requiresService service { method servedOn recipient recordedBy } case { version } } }",
                    json!({"i": i}),
                    Some(clerk),
                )
                .await
            }
        };
        // By post, the day must be said; a voided letter is not served; not in the future.
        let no_day = serve(&anew, version, json!({"method": "POST"})).await;
        assert_eq!(error_code(&no_day), Some("VALIDATION"), "{no_day}");
        assert_eq!(no_day["errors"][0]["extensions"]["field"], "input.servedOn", "{no_day}");
        let voided_one = serve(&letter, version, json!({"method": "IN_PERSON", "servedOn": "2026-10-14"})).await;
        assert_eq!(error_code(&voided_one), Some("RULE_VIOLATION"), "{voided_one}");
        let future = serve(&anew, version, json!({"method": "POST", "servedOn": "2026-10-15"})).await;
        assert_eq!(error_code(&future), Some("VALIDATION"), "{future}");
        let served = serve(&anew, version, json!({"method": "IN_PERSON", "servedOn": "2026-10-14", "recipient": "张三"})).await;
        let served = data(&served)["serveDocument"].clone();
        assert_eq!(served["requiresService"], true);
        assert_eq!(
            served["service"],
            json!({"method": "IN_PERSON", "servedOn": "2026-10-14", "recipient": "张三", "recordedBy": "clerk (clerk)"})
        );
        let version = served["case"]["version"].as_i64().unwrap();
        // Who signed for it is personal data (rules.md §6): in full for the handling clerk,
        // masked in the history anyone else reads, the applicant included.
        let served_details = |token: String| {
            let (app, case) = (&app, case.clone());
            async move {
                let read = app
                    .graphql("query($id: ID!) { case(id: $id) { history { code details } } }", json!({"id": case}), Some(&token))
                    .await;
                let history = data(&read)["case"]["history"].as_array().unwrap().clone();
                let event = history.iter().find(|e| e["code"] == "SERVED").expect("the service is in the history").clone();
                serde_json::from_str::<Value>(event["details"].as_str().unwrap()).unwrap()
            }
        };
        assert_eq!(served_details(clerk.clone()).await["recipient"], "张三");
        let masked = served_details(zhang.clone()).await;
        assert_eq!(masked["recipient"], "张*", "{masked}");
        let twice = serve(&anew, version, json!({"method": "POST", "servedOn": "2026-10-14"})).await;
        assert_eq!(error_code(&twice), Some("ALREADY_SERVED"), "{twice}");

        // Archived: the file is closed.
        let archived = archive(version).await;
        let version = data(&archived)["archiveCase"]["version"].as_i64().unwrap();
        let closed = void(&app, &head, &anew, version, "归档后发现错误").await;
        assert_eq!(error_code(&closed), Some("DOCUMENT_NOT_VOIDABLE"), "{closed}");
    }
}

foi_e2e::on_both_backends! {
    /// Online service (网上送达, issue 10 item 1): the applicant opening a notice addressed to
    /// them in the service is its service, and its period runs from that day. A correction
    /// notice issued on Wednesday 30 September 2026, the last working day before the
    /// Mid-Autumn and National Day break, is opened by the applicant on Thursday 8 October,
    /// the first working day after it. The 15 working days count from Friday 9 October (day 0
    /// not counted) and take in Saturday 10 October, a make-up working day: they end on
    /// Wednesday 28 October. A clerk reading it, or a second opening, records nothing; another
    /// applicant cannot open it.
    async fn the_applicant_opening_a_notice_is_its_online_service(app: TestApp) {
        district(&app).await;
        app.set_now(datetime!(2026-09-30 10:00 +8));
        let clerk = app.sign_in("clerk").await;
        let zhang = register(&app, "zhangsan", "张三", "11010519491231002X").await;
        let (case, version) = received_case(&app, &zhang, &clerk).await;
        let corrected = app
            .graphql(
                "mutation($i: RequestCorrectionInput!) { requestCorrection(input: $i) { version } }",
                json!({"i": {"change": {"caseId": case, "version": version}, "items": ["请写明所需文件的名称或文号"]}}),
                Some(&clerk),
            )
            .await;
        let version = data(&corrected)["requestCorrection"]["version"].as_i64().unwrap();
        let notice = issue(&app, &clerk, &case, version, "CORRECTION_NOTICE").await;
        let notice = data(&notice)["issueDocument"].clone();
        let open = |token: String| {
            let (app, id) = (&app, notice["id"].clone());
            async move {
                app.graphql(
                    "mutation($i: OpenDocumentInput!) { openDocument(input: $i) { number html service { method servedOn recordedBy } } }",
                    json!({"i": {"documentId": id}}),
                    Some(&token),
                )
                .await
            }
        };
        let notices = |token: String| {
            let (app, case) = (&app, case.clone());
            async move {
                let read = app
                    .graphql("query($id: ID!) { case(id: $id) { notices { notice servedOn method periodDue } } }", json!({"id": case}), Some(&token))
                    .await;
                data(&read)["case"]["notices"].clone()
            }
        };

        // The clerk reads it: not served.
        let by_clerk = open(clerk.clone()).await;
        assert!(data(&by_clerk)["openDocument"]["service"].is_null(), "{by_clerk}");
        assert_eq!(notices(clerk.clone()).await[0]["servedOn"], Value::Null);

        app.set_now(datetime!(2026-10-08 09:30 +8));
        let zhang = app.sign_in("zhangsan").await;
        let clerk = app.sign_in("clerk").await;
        let opened = open(zhang.clone()).await;
        let opened = &data(&opened)["openDocument"];
        assert_eq!(opened["number"], notice["number"]);
        assert_eq!(opened["html"], notice["html"], "the notice as issued");
        assert_eq!(opened["service"]["method"], "ONLINE", "{opened}");
        assert_eq!(opened["service"]["servedOn"], "2026-10-08", "{opened}");
        assert_eq!(opened["service"]["recordedBy"], "张三 (applicant)", "{opened}");
        let listed = notices(clerk.clone()).await;
        assert_eq!(
            (listed[0]["notice"].as_str(), listed[0]["servedOn"].as_str(), listed[0]["method"].as_str()),
            (Some("CORRECTION_NOTICE"), Some("2026-10-08"), Some("ONLINE")),
            "{listed}"
        );
        assert_eq!(listed[0]["periodDue"], "2026-10-28", "{listed}");

        // Opened again the next day: still served on the 8th, nothing new in the history.
        app.set_now(datetime!(2026-10-09 09:30 +8));
        let zhang = app.sign_in("zhangsan").await;
        let again = open(zhang.clone()).await;
        assert_eq!(data(&again)["openDocument"]["service"]["servedOn"], "2026-10-08", "{again}");
        let history = app
            .graphql("query($id: ID!) { case(id: $id) { history { code } } }", json!({"id": case}), Some(&zhang))
            .await;
        let served = data(&history)["case"]["history"].as_array().unwrap().iter().filter(|e| e["code"] == "SERVED").count();
        assert_eq!(served, 1);

        // Someone else's notice is not found.
        let li = register(&app, "lisi", "李四", "110105198001010016").await;
        let other = open(li).await;
        assert_eq!(error_code(&other), Some("NOT_FOUND"), "{other}");
    }
}

/// `applyWithoutAccount` with `applicant` (and the rest of a valid application) merged in.
async fn apply_without_account(app: &TestApp, applicant: Value) -> Value {
    app.graphql(
        "mutation($i: ApplyWithoutAccountInput!) { applyWithoutAccount(input: $i) {
            applicationNumber queryCode caseId session { token account { login } } } }",
        json!({"i": {"agencyCode": "youxian", "applicant": applicant, "subject": "2026年春节期间值班安排",
            "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "EMAIL"}}),
        None,
    )
    .await
}

foi_e2e::on_both_backends! {
    /// Applying without an account (issue 11): on Sunday 22 February 2026, in the Spring
    /// Festival break, a citizen applies with no account. The answer is an application
    /// number and a query code; the application is received on Tuesday 24 February, the first
    /// working day (the agency's default rule, Reg. 31(3)). The number and code sign in as the
    /// case's applicant, who sees the case (identity masked) and its documents; a wrong code
    /// does not. The identity is checked, a contact is required, the number form is kept from
    /// logins, and one request makes at most one such submission.
    async fn an_application_without_an_account_is_followed_by_number_and_code(app: TestApp) {
        district(&app).await;
        app.set_now(datetime!(2026-02-22 20:00 +8));
        let zhang = json!({"name": "张三", "kind": "NATURAL_PERSON", "idNumber": "11010519491231002X", "email": "zhangsan@example.cn"});
        // The same person also holds an account: identity is on the case, not the account.
        register(&app, "zhangsan", "张三", "11010519491231002X").await;

        let bad_id = apply_without_account(&app, json!({"name": "张三", "kind": "NATURAL_PERSON", "idNumber": "110105194912310021", "phone": "13812345678"})).await;
        assert_eq!(error_code(&bad_id), Some("VALIDATION"), "{bad_id}");
        assert_eq!(bad_id["errors"][0]["extensions"]["field"], "input.applicant.idNumber", "{bad_id}");
        let no_contact = apply_without_account(&app, json!({"name": "张三", "kind": "NATURAL_PERSON", "idNumber": "11010519491231002X"})).await;
        assert_eq!(no_contact["errors"][0]["extensions"]["field"], "input.applicant.phone", "{no_contact}");

        let receipt = apply_without_account(&app, zhang.clone()).await;
        let receipt = data(&receipt)["applyWithoutAccount"].clone();
        let number = receipt["applicationNumber"].as_str().unwrap().to_owned();
        let code = receipt["queryCode"].as_str().unwrap().to_owned();
        assert!(number.starts_with("20260222") && number.len() == 14, "{number}");
        assert_eq!(code.len(), 10, "{code}");
        assert_eq!(receipt["session"]["account"]["login"], number.as_str());

        // Followed with the number and the code.
        let token = app.sign_in_with(&number, &code).await;
        let read = app
            .graphql(
                "query($id: ID!) { case(id: $id) { stage receivedOn applicant { name idNumber masked } documents { number } } }",
                json!({"id": receipt["caseId"]}),
                Some(&token),
            )
            .await;
        let case = &data(&read)["case"];
        assert_eq!(case["receivedOn"], "2026-02-24", "{case}");
        assert_eq!(case["applicant"]["name"], "张三");
        assert_eq!(case["applicant"]["masked"], true);
        assert_ne!(case["applicant"]["idNumber"], "11010519491231002X", "masked: {case}");
        let wrong = app
            .graphql("mutation($i: SignInInput!) { signIn(input: $i) { token } }", json!({"i": {"login": number, "password": "22222222AA"}}), None)
            .await;
        assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"), "{wrong}");

        // The code follows that one application: it does not open new ones.
        let another = app
            .graphql(
                "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }",
                json!({"i": {"agencyCode": "youxian", "subject": "某文件", "formWanted": "PAPER", "deliveryMethod": "POST"}}),
                Some(&token),
            )
            .await;
        assert_eq!(error_code(&another), Some("FORBIDDEN"), "{another}");

        // The clerk handles it like any application, with the identity in full.
        let clerk = app.sign_in("clerk").await;
        let seen = app
            .graphql("query($id: ID!) { case(id: $id) { applicant { idNumber email } } }", json!({"id": receipt["caseId"]}), Some(&clerk))
            .await;
        assert_eq!(data(&seen)["case"]["applicant"]["idNumber"], "11010519491231002X");

        // The number form is not a login; two submissions in one request are refused.
        let squat = app
            .graphql(
                "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login } }",
                json!({"i": {"login": "20260222000001", "password": PASSWORD, "name": "李四", "kind": "NATURAL_PERSON", "idNumber": "110105198001010016"}}),
                None,
            )
            .await;
        assert_eq!(squat["errors"][0]["extensions"]["field"], "input.login", "{squat}");
        let twice = app
            .graphql(
                "mutation($i: ApplyWithoutAccountInput!) { a: applyWithoutAccount(input: $i) { queryCode } b: applyWithoutAccount(input: $i) { queryCode } }",
                json!({"i": {"agencyCode": "youxian", "applicant": zhang, "subject": "某文件", "formWanted": "PAPER", "deliveryMethod": "POST"}}),
                None,
            )
            .await;
        assert_eq!(error_code(&twice), Some("ONE_SIGN_IN_PER_REQUEST"), "{twice}");
    }
}

foi_e2e::on_both_backends! {
    /// Issue 10 items 1, 2 and 10 over HTTP. The fee notice recorded on Wednesday 2026-09-30,
    /// the last working day before the National Day break, and issued on Friday 2026-10-09
    /// would say the clock stopped "自本通知书发出之日起" on a day it did not: refused with
    /// `DOCUMENT_DATE_CONFLICT`, naming 2026-09-30. Dated 09-30 it is issued, states the
    /// payment period from receipt, and is served by post on 10-09. Its proof of service
    /// (送达回证) is printed on demand with the service filled in, for the clerk only; it and
    /// the approval sheet are never issued. The approval sheet waits for a decision. The
    /// district has no contact block: its letters are issued with `AGENCY_CONTACT_MISSING`.
    async fn dates_that_would_be_false_are_refused_and_the_file_forms_print_on_demand(app: TestApp) {
        district(&app).await;
        app.set_now(datetime!(2026-09-30 10:00 +8));
        let clerk = app.sign_in("clerk").await;
        let zhang = register(&app, "zhangsan", "张三", "11010519491231002X").await;
        let (case, version) = received_case(&app, &zhang, &clerk).await;
        let change = |version: i64| json!({"caseId": case, "version": version, "on": "2026-09-30"});
        let accepted = app
            .graphql("mutation($i: CaseChangeInput!) { acceptCase(input: $i) { version } }", json!({"i": change(version)}), Some(&clerk))
            .await;
        let version = data(&accepted)["acceptCase"]["version"].as_i64().unwrap();
        let fee = app
            .graphql(
                "mutation($i: FeeNoticeInput!) { issueFeeNotice(input: $i) { version } }",
                json!({"i": {"change": change(version), "amountYuan": 100, "basis": "PER_APPLICATION"}}),
                Some(&clerk),
            )
            .await;
        let version = data(&fee)["issueFeeNotice"]["version"].as_i64().unwrap();

        app.set_now(datetime!(2026-10-09 10:00 +8));
        let clerk = app.sign_in("clerk").await;
        let zhang = app.sign_in("zhangsan").await;
        let late = issue(&app, &clerk, &case, version, "FEE_NOTICE").await;
        assert_eq!(error_code(&late), Some("DOCUMENT_DATE_CONFLICT"), "{late}");
        assert_eq!(late["errors"][0]["extensions"]["kind"], "FEE_NOTICE", "{late}");
        assert_eq!(late["errors"][0]["extensions"]["useOn"], "2026-09-30", "{late}");
        assert!(late["errors"][0]["message"].as_str().unwrap().contains("Date it 2026-09-30"), "{late}");
        let notice = app
            .graphql(
                &format!("mutation($i: IssueDocumentInput!) {{ issueDocument(input: $i) {{ {DOCUMENT} }} }}"),
                json!({"i": {"caseId": case, "version": version, "kind": "FEE_NOTICE", "on": "2026-09-30"}}),
                Some(&clerk),
            )
            .await;
        // The district has no contact block: issued, with a warning in the answer.
        let warning = &notice["extensions"]["warnings"][0];
        assert_eq!(warning["code"], "AGENCY_CONTACT_MISSING", "{notice}");
        assert!(warning["message"].as_str().unwrap().contains("foi admin agency-contact --agency youxian"), "{notice}");
        let notice = data(&notice)["issueDocument"].clone();
        let html = notice["html"].as_str().unwrap();
        assert!(html.contains("请您自收到本通知书次日起20个工作日内缴纳。"), "{html}");
        assert!(!html.contains("2026年10月") && !html.contains("2026年11月"), "no date counted from the record: {html}");
        let version = notice["case"]["version"].as_i64().unwrap();

        const PREVIEW: &str = "query($i: PreviewDocumentInput!) { previewDocument(input: $i) { kind number title html } }";
        let proof = |token: String| {
            let (app, case, id) = (&app, case.clone(), notice["id"].clone());
            async move {
                app.graphql(PREVIEW, json!({"i": {"caseId": case, "kind": "PROOF_OF_SERVICE", "documentId": id}}), Some(&token))
                    .await
            }
        };
        // Before service: blanks to fill in by hand.
        let blank = proof(clerk.clone()).await;
        let blank = data(&blank)["previewDocument"].clone();
        assert_eq!(blank["title"], "送达回证");
        assert_eq!(blank["number"], "");
        let text = foi_docs::text::text_content(blank["html"].as_str().unwrap());
        assert!(text.contains("送达文书名称及文号\n政府信息公开信息处理费收费通知书（游府信费〔2026〕1号）"), "{text}");
        assert!(text.contains("送达日期\n　　　　年　　月　　日"), "{text}");

        let served = app
            .graphql(
                "mutation($i: ServeDocumentInput!) { serveDocument(input: $i) { case { version } } }",
                json!({"i": {"documentId": notice["id"], "version": version, "method": "POST", "servedOn": "2026-10-09", "recipient": "张三"}}),
                Some(&clerk),
            )
            .await;
        let version = data(&served)["serveDocument"]["case"]["version"].as_i64().unwrap();
        let filled = proof(clerk.clone()).await;
        let text = foi_docs::text::text_content(data(&filled)["previewDocument"]["html"].as_str().unwrap());
        assert!(text.contains("送达方式\n邮寄送达\n送达人\nclerk (clerk)\n受送达人签收\n张三\n送达日期\n2026年10月9日"), "{text}");
        // The applicant sees neither form; neither kind is issued; the proof names its document.
        let by_applicant = proof(zhang.clone()).await;
        assert_eq!(error_code(&by_applicant), Some("FORBIDDEN"), "{by_applicant}");
        for kind in ["PROOF_OF_SERVICE", "APPROVAL_SHEET"] {
            let issued = issue(&app, &clerk, &case, version, kind).await;
            assert_eq!(error_code(&issued), Some("DOCUMENT_NOT_ISSUABLE"), "{issued}");
            assert!(issued["errors"][0]["message"].as_str().unwrap().contains("previewDocument"), "{issued}");
        }
        let nameless = app.graphql(PREVIEW, json!({"i": {"caseId": case, "kind": "PROOF_OF_SERVICE"}}), Some(&clerk)).await;
        assert_eq!(error_code(&nameless), Some("VALIDATION"), "{nameless}");
        // No decision yet: no approval sheet.
        let sheet = app.graphql(PREVIEW, json!({"i": {"caseId": case, "kind": "APPROVAL_SHEET"}}), Some(&clerk)).await;
        assert_eq!(error_code(&sheet), Some("DOCUMENT_NOT_ISSUABLE"), "{sheet}");
        // Paid and replied: the sheet names who prepared and who reviewed, and leaves the
        // 签发人 blank until the reply letter is issued.
        let paid = app
            .graphql(
                "mutation($i: CaseChangeInput!) { recordFeePayment(input: $i) { version } }",
                json!({"i": {"caseId": case, "version": version, "on": "2026-10-09"}}),
                Some(&clerk),
            )
            .await;
        let version = data(&paid)["recordFeePayment"]["version"].as_i64().unwrap();
        let version = reply_disclosed(&app, &clerk, &case, version).await;
        let sheet = app.graphql(PREVIEW, json!({"i": {"caseId": case, "kind": "APPROVAL_SHEET"}}), Some(&clerk)).await;
        let text = foi_docs::text::text_content(data(&sheet)["previewDocument"]["html"].as_str().unwrap());
        assert!(text.contains("拟办意见\n(一)予以公开。拟以《政府信息公开申请答复书》答复"), "{text}");
        assert!(text.contains("承办人\nclerk (clerk)　　2026年10月9日\n审核人\nclerk (clerk)　　2026年9月30日\n签发人\n签名："), "{text}");
        let letter = issue(&app, &clerk, &case, version, "REPLY").await;
        data(&letter);
        let sheet = app.graphql(PREVIEW, json!({"i": {"caseId": case, "kind": "APPROVAL_SHEET"}}), Some(&clerk)).await;
        let text = foi_docs::text::text_content(data(&sheet)["previewDocument"]["html"].as_str().unwrap());
        assert!(text.contains("签发人\nclerk (clerk)　　2026年10月9日"), "{text}");
    }
}

foi_e2e::on_both_backends! {
    /// The application form (申请表, Reg. 29): blank for anyone, without signing in, to print
    /// for an application in person or by post; filled with a case's applicant and
    /// application for the clerk to print for an oral applicant to check and sign, the
    /// identity number in full. The applicant cannot print the office's filled copy.
    async fn the_application_form_is_printed_blank_or_filled(app: TestApp) {
        district(&app).await;
        app.set_now(datetime!(2026-10-09 10:00 +8));
        let blank = app
            .graphql("query($a: String!) { blankApplicationForm(agencyCode: $a) { kind title number html } }", json!({"a": "youxian"}), None)
            .await;
        let blank = &data(&blank)["blankApplicationForm"];
        assert_eq!((blank["kind"].as_str(), blank["title"].as_str()), (Some("APPLICATION_FORM"), Some("政府信息公开申请表")));
        let text = foi_docs::text::text_content(blank["html"].as_str().unwrap());
        assert!(text.contains("绵阳市游仙区人民政府\n政府信息公开申请表") && text.contains("□公民"), "{text}");
        let nowhere = app.graphql("query { blankApplicationForm(agencyCode: \"nowhere\") { html } }", json!({}), None).await;
        assert_eq!(nowhere["errors"][0]["extensions"]["field"], "agencyCode", "{nowhere}");

        let clerk = app.sign_in("clerk").await;
        let zhang = register(&app, "zhangsan", "张三", "11010519491231002X").await;
        let (case, _) = received_case(&app, &zhang, &clerk).await;
        let preview = "query($i: PreviewDocumentInput!) { previewDocument(input: $i) { kind number html } }";
        let filled = app.graphql(preview, json!({"i": {"caseId": case, "kind": "APPLICATION_FORM"}}), Some(&clerk)).await;
        let text = foi_docs::text::text_content(data(&filled)["previewDocument"]["html"].as_str().unwrap());
        assert!(text.contains("姓名\n张三\n身份证明\n居民身份证：11010519491231002X"), "{text}");
        assert!(text.contains("■纸质文本") && text.contains("■邮寄"), "{text}");
        let by_applicant = app.graphql(preview, json!({"i": {"caseId": case, "kind": "APPLICATION_FORM"}}), Some(&zhang)).await;
        assert!(error_code(&by_applicant).is_some(), "{by_applicant}");
    }
}
