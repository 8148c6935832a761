//! The `statistics` query over HTTP: applications recorded and replied to by a clerk through
//! GraphQL, then October's table 三 read back, with its CSV and XLSX downloads. Staff only;
//! a malformed period is refused naming the field. On SQLite and PostgreSQL.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};
use time::macros::datetime;

/// Records an application handed in on `received_on` by a natural person; returns its id.
async fn record(app: &TestApp, token: &str, received_on: &str) -> String {
    let response = app
        .graphql(
            "mutation($i: RecordApplicationInput!) { recordApplication(input: $i) { id } }",
            json!({"i": {"channel": "IN_PERSON", "receivedOn": received_on, "applicantName": "王五",
                "applicantKind": "NATURAL_PERSON", "applicantIdNumber": "11010519491231002X",
                "applicantPhone": "13900001111", "subject": "某路段交通规划", "formWanted": "PAPER",
                "deliveryMethod": "COLLECT"}}),
            Some(token),
        )
        .await;
    data(&response)["recordApplication"]["id"].as_str().unwrap().to_owned()
}

/// Registers and accepts the case on `on`, then replies "disclosed" on `reply_on`.
async fn disclose(app: &TestApp, token: &str, id: &str, on: &str, reply_on: &str) {
    for (mutation, version) in [("registerCase", 1), ("acceptCase", 2)] {
        let response = app
            .graphql(
                &format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ id }} }}"),
                json!({"i": {"caseId": id, "version": version, "on": on}}),
                Some(token),
            )
            .await;
        data(&response);
    }
    let response = app
        .graphql(
            "mutation($i: ReplyInput!) { reply(input: $i) { stage } }",
            json!({"i": {"change": {"caseId": id, "version": 3, "on": reply_on}, "outcome": "DISCLOSED"}}),
            Some(token),
        )
        .await;
    assert_eq!(data(&response)["reply"]["stage"], "REPLIED");
}

const STATISTICS: &str = "query($i: StatisticsInput!) { statistics(input: $i) {
    periodLabel from to format formatDocument columns
    agencies { agencyCode agencyName rows { row values } }
    summary { agencyCode agencyName rows { row section group item values } }
    csv xlsxBase64 } }";

fn row<'a>(table: &'a Value, label: &str) -> &'a Value {
    let rows = table["rows"].as_array().unwrap();
    &rows.iter().find(|r| r["row"] == label).unwrap_or_else(|| panic!("no row {label} in {table}"))["values"]
}

foi_e2e::on_both_backends! {
    /// Three applications: one from September still open, two received in October, one of
    /// them disclosed in October. October's table counts them cell by cell.
    async fn octobers_table_over_graphql(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("youxian-fgj", "绵阳市游仙区发展和改革局", Some("youxian")).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("fgj", "youxian-fgj", &["reviewer"], PASSWORD).await;
        app.set_now(datetime!(2026-10-20 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        record(&app, &clerk, "2026-09-28").await;
        let disclosed = record(&app, &clerk, "2026-10-09").await;
        record(&app, &clerk, "2026-10-12").await;
        disclose(&app, &clerk, &disclosed, "2026-10-09", "2026-10-15").await;

        let response = app.graphql(STATISTICS, json!({"i": {"month": "2026-10"}}), Some(&clerk)).await;
        let report = &data(&response)["statistics"];
        assert_eq!(report["periodLabel"], "2026年10月");
        assert_eq!((report["from"].as_str(), report["to"].as_str()), (Some("2026-10-01"), Some("2026-10-31")));
        assert_eq!(report["format"], "FORMAT_2021");
        assert_eq!(report["formatDocument"], "国办公开办函〔2021〕30号");
        assert_eq!(report["columns"][0], "自然人");
        let codes: Vec<&str> = report["agencies"].as_array().unwrap().iter().map(|a| a["agencyCode"].as_str().unwrap()).collect();
        assert_eq!(codes, ["youxian", "youxian-fgj"], "the caller's whole subtree");
        let summary = &report["summary"];
        assert_eq!(summary["agencyCode"], "合计");
        assert_eq!(summary["rows"].as_array().unwrap().len(), 25);
        assert_eq!(row(summary, "一"), &json!([2, 0, 0, 0, 0, 0, 2]));
        assert_eq!(row(summary, "二"), &json!([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(row(summary, "(一)"), &json!([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(row(summary, "(二)"), &json!([0, 0, 0, 0, 0, 0, 0]));
        assert_eq!(row(summary, "(七)"), &json!([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(row(summary, "四"), &json!([2, 0, 0, 0, 0, 0, 2]));
        let third = summary["rows"].as_array().unwrap().iter().find(|r| r["row"] == "(三)4").unwrap();
        assert_eq!((third["group"].as_str(), third["item"].as_str()), (Some("（三）不予公开"), Some("4.保护第三方合法权益")));
        assert_eq!(row(&report["agencies"][1], "一"), &json!([0, 0, 0, 0, 0, 0, 0]));
        let csv = report["csv"].as_str().unwrap();
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("合计,2个机关汇总,2026年10月,四,四、结转下期继续办理,,,2,0,0,0,0,0,2"), "{csv}");
        let xlsx = report["xlsxBase64"].as_str().unwrap();
        assert!(xlsx.starts_with("UEsDB"), "base64 of a zip archive (PK\\x03\\x04)");

        // One department only; outside the caller's scope is refused.
        let response = app.graphql(STATISTICS, json!({"i": {"month": "2026-10", "agencyCode": "youxian-fgj"}}), Some(&clerk)).await;
        assert_eq!(data(&response)["statistics"]["agencies"].as_array().unwrap().len(), 1);
        let fgj = app.sign_in("fgj").await;
        let response = app.graphql(STATISTICS, json!({"i": {"month": "2026-10", "agencyCode": "youxian"}}), Some(&fgj)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"));
        assert_eq!(response["errors"][0]["extensions"]["field"], "input.agencyCode");
        let response = app.graphql(STATISTICS, json!({"i": {"year": 2026}}), Some(&fgj)).await;
        assert_eq!(row(&data(&response)["statistics"]["summary"], "一"), &json!([0, 0, 0, 0, 0, 0, 0]));
    }

    /// Public statistics (公开统计, issue 11): anyone, signed in or not, reads an agency's table
    /// 三 for a month or the year so far, with its CSV.
    /// Months and years to come are refused naming the field.
    async fn public_statistics_need_no_sign_in(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("youxian-fgj", "绵阳市游仙区发展和改革局", Some("youxian")).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.set_now(datetime!(2026-10-20 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        record(&app, &clerk, "2026-09-28").await;
        let disclosed = record(&app, &clerk, "2026-10-09").await;
        disclose(&app, &clerk, &disclosed, "2026-10-09", "2026-10-15").await;

        let public = "query($i: PublicStatisticsInput!) { publicStatistics(input: $i) {
            periodLabel from to agencies { agencyCode } summary { rows { row values } } csv } }";
        let october = app.graphql(public, json!({"i": {"agencyCode": "youxian", "year": 2026, "month": 10}}), None).await;
        let october = &data(&october)["publicStatistics"];
        assert_eq!(october["periodLabel"], "2026年10月");
        assert_eq!(row(&october["summary"], "一"), &json!([1, 0, 0, 0, 0, 0, 1]));
        assert_eq!(row(&october["summary"], "(一)"), &json!([1, 0, 0, 0, 0, 0, 1]));
        assert!(october["csv"].as_str().unwrap().starts_with('\u{feff}'));
        let year = app.graphql(public, json!({"i": {"agencyCode": "youxian-fgj", "year": 2026}}), None).await;
        let year = &data(&year)["publicStatistics"];
        assert_eq!((year["from"].as_str(), year["to"].as_str()), (Some("2026-01-01"), Some("2026-10-20")), "the year so far");
        assert_eq!(year["agencies"].as_array().unwrap().len(), 1, "the department alone");
        let whole = app.graphql(public, json!({"i": {"agencyCode": "youxian", "year": 2026}}), None).await;
        assert_eq!(row(&data(&whole)["publicStatistics"]["summary"], "一"), &json!([2, 0, 0, 0, 0, 0, 2]));
        for (input, field) in [
            (json!({"agencyCode": "youxian", "year": 2026, "month": 11}), "input.month"),
            (json!({"agencyCode": "youxian", "year": 2027}), "input.year"),
            (json!({"agencyCode": "nowhere", "year": 2026}), "input.agencyCode"),
        ] {
            let refused = app.graphql(public, json!({"i": input}), None).await;
            assert_eq!(refused["errors"][0]["extensions"]["field"], field, "{refused}");
        }

    }

    /// A reconsideration of a reply recorded and decided over GraphQL, counted in table 四;
    /// the processing figures beside the table.
    async fn challenges_and_processing_figures_over_graphql(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.set_now(datetime!(2026-10-20 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let disclosed = record(&app, &clerk, "2026-10-09").await;
        let open = record(&app, &clerk, "2026-10-12").await;
        // Received Fri 9 Oct, replied Thu 15 Oct: 5 working days counted from the day after
        // receipt (Sat 10 Oct was a make-up working day: 10, 12, 13, 14, 15 Oct).
        disclose(&app, &clerk, &disclosed, "2026-10-09", "2026-10-15").await;

        const RECORD: &str = "mutation($i: RecordChallengeInput!) { recordChallenge(input: $i) { id kind result filedOn decidedOn body } }";
        // The open case has no reply to challenge.
        let response = app
            .graphql(RECORD, json!({"i": {"change": {"caseId": open, "version": 1, "on": "2026-10-16"},
                "kind": "RECONSIDERATION", "body": "绵阳市人民政府"}}), Some(&clerk))
            .await;
        assert_eq!(error_code(&response), Some("RULE_VIOLATION"), "{response}");
        // Filed before the reply: refused.
        let response = app
            .graphql(RECORD, json!({"i": {"change": {"caseId": disclosed, "version": 4, "on": "2026-10-14"},
                "kind": "RECONSIDERATION", "body": "绵阳市人民政府"}}), Some(&clerk))
            .await;
        assert_eq!(error_code(&response), Some("RULE_VIOLATION"), "{response}");
        let response = app
            .graphql(RECORD, json!({"i": {"change": {"caseId": disclosed, "version": 4, "on": "2026-10-19"},
                "kind": "RECONSIDERATION", "body": "绵阳市人民政府"}}), Some(&clerk))
            .await;
        let challenge = &data(&response)["recordChallenge"];
        assert_eq!((challenge["kind"].as_str(), challenge["result"].as_str()), (Some("RECONSIDERATION"), Some("PENDING")));
        let id = challenge["id"].as_str().unwrap().to_owned();
        // The stale version is a conflict.
        let response = app
            .graphql(RECORD, json!({"i": {"change": {"caseId": disclosed, "version": 4, "on": "2026-10-19"},
                "kind": "SUIT_DIRECT", "body": "游仙区人民法院"}}), Some(&clerk))
            .await;
        assert_eq!(error_code(&response), Some("CONFLICT"), "{response}");

        app.set_now(datetime!(2026-12-01 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let decide = "mutation($i: DecideChallengeInput!) { decideChallenge(input: $i) { result decidedOn } }";
        let response = app.graphql(decide, json!({"i": {"challengeId": id, "result": "UPHELD"}}), Some(&clerk)).await;
        assert_eq!(error_code(&response), Some("RULE_VIOLATION"), "a result needs its date: {response}");
        let response = app
            .graphql(decide, json!({"i": {"challengeId": id, "result": "UPHELD", "decidedOn": "2026-11-18"}}), Some(&clerk))
            .await;
        assert_eq!(data(&response)["decideChallenge"]["decidedOn"], "2026-11-18");
        let response = app
            .graphql("query($id: ID!) { case(id: $id) { challenges { kind result } history { code label } } }",
                json!({"id": disclosed}), Some(&clerk))
            .await;
        let case = &data(&response)["case"];
        assert_eq!(case["challenges"], json!([{"kind": "RECONSIDERATION", "result": "UPHELD"}]));
        let labels: Vec<&str> = case["history"].as_array().unwrap().iter().map(|e| e["code"].as_str().unwrap()).collect();
        assert_eq!(&labels[labels.len() - 2..], ["CHALLENGE_FILED", "CHALLENGE_DECIDED"]);

        let query = "query($i: StatisticsInput!) { statistics(input: $i) { summary {
            table4 { kind result resultLabel count }
            processing { replied onTime late daysToReplyMedian daysToReplyShortest daysToReplyLongest
                daysToReplyBands { label count } openNow overdueNow oldestOpen { caseId receivedOn workingDaysOpen } } } } }";
        let figures = |response: &Value| data(response)["statistics"]["summary"].clone();
        // October: filed, pending at the end of the month.
        let october = figures(&app.graphql(query, json!({"i": {"month": "2026-10"}}), Some(&clerk)).await);
        let t4 = october["table4"].as_array().unwrap();
        assert_eq!(t4.len(), 15);
        assert_eq!(t4[3], json!({"kind": "RECONSIDERATION", "result": "PENDING", "resultLabel": "尚未审结", "count": 1}));
        assert_eq!(t4[4], json!({"kind": "RECONSIDERATION", "result": null, "resultLabel": "总计", "count": 1}));
        let p = &october["processing"];
        // 10, 12, 13, 14, 15 October: 5 working days, within the limit.
        assert_eq!((p["replied"].as_i64(), p["onTime"].as_i64(), p["late"].as_i64()), (Some(1), Some(1), Some(0)));
        assert_eq!((p["daysToReplyMedian"].as_f64(), p["daysToReplyLongest"].as_i64()), (Some(5.0), Some(5)));
        assert_eq!(p["daysToReplyBands"][0], json!({"label": "5个工作日以内", "count": 1}));
        // Now (1 Dec) the 12 Oct case is open and past its due date of 9 Nov.
        assert_eq!((p["openNow"].as_i64(), p["overdueNow"].as_i64()), (Some(1), Some(1)));
        assert_eq!(p["oldestOpen"][0]["caseId"], open.as_str());
        // 13–16, 19–23, 26–30 October: 14 working days by 31 October.
        assert_eq!(p["oldestOpen"][0]["workingDaysOpen"], 14);
        // The year: upheld.
        let year = figures(&app.graphql(query, json!({"i": {"year": 2026}}), Some(&clerk)).await);
        assert_eq!(year["table4"][0]["count"], 1);
        assert_eq!(year["table4"][3]["count"], 0);
    }

    /// Applicants may not read the statistics; a bad or missing period names its field.
    async fn statistics_are_for_staff_and_check_the_period(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let response = app
            .graphql(
                "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
                json!({"i": {"login": "zhang", "password": PASSWORD, "name": "张三", "kind": "NATURAL_PERSON",
                    "idNumber": "11010519491231002X"}}),
                None,
            )
            .await;
        data(&response);
        let applicant = app.sign_in("zhang").await;
        let response = app.graphql(STATISTICS, json!({"i": {"month": "2026-10"}}), Some(&applicant)).await;
        assert_eq!(error_code(&response), Some("FORBIDDEN"), "{response}");
        let response = app.graphql(STATISTICS, json!({"i": {"month": "2026-10"}}), None).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"));

        let clerk = app.sign_in("clerk").await;
        for (input, field) in [
            (json!({"month": "2026-13"}), "input.month"),
            (json!({"quarter": "2026-Q5"}), "input.quarter"),
            (json!({}), "input"),
            (json!({"month": "2026-10", "year": 2026}), "input.year"),
            (json!({"from": "2026-10-01"}), "input.to"),
            (json!({"from": "2026-10-31", "to": "2026-10-01"}), "input.to"),
        ] {
            let response = app.graphql(STATISTICS, json!({"i": input}), Some(&clerk)).await;
            assert_eq!(error_code(&response), Some("VALIDATION"), "{input}: {response}");
            assert_eq!(response["errors"][0]["extensions"]["field"], field, "{input}");
        }
    }
}
