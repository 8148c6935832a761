//! Documents over HTTP, on SQLite and PostgreSQL: a clerk issues the receipt acknowledgement
//! and the reply letter of a case and reads them back (HTML, hash, PDF); the applicant of
//! the case reads them; the applicant of another case cannot; a reply letter for a case not
//! replied to is refused with `DOCUMENT_NOT_ISSUABLE`; the history shows each issue; the
//! de-identification preview is for clerks only.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use foi_server::admin::AgencySpec;
use serde_json::{Value, json};
use time::macros::datetime;

async fn register(app: &TestApp, login: &str, name: &str, id_number: &str) -> String {
    let response = app
        .graphql(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { id } }",
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

fn sha256_hex(text: &str) -> String {
    foi_docs::sha256_hex(text)
}

foi_e2e::on_both_backends! {
    async fn a_clerk_issues_and_reads_back_the_receipt_and_the_reply(app: TestApp) {
        app.create_agency_with(AgencySpec {
            code: "youxian".into(),
            name: "绵阳市游仙区人民政府".into(),
            case_prefix: Some("游府信申".into()),
            reconsideration_body: Some("绵阳市人民政府".into()),
            ..AgencySpec::default()
        })
        .await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
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
        let replied = app
            .graphql(
                "mutation($i: ReplyInput!) { reply(input: $i) { version } }",
                json!({"i": {"change": {"caseId": case, "version": version}, "outcome": "DISCLOSED"}}),
                Some(&clerk),
            )
            .await;
        let version = data(&replied)["reply"]["version"].as_i64().unwrap();
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
