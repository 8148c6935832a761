//! The clerk queue's filters and scope, applications recorded by a clerk, and loading a new
//! year's holiday notice, which turns provisional due dates into certain ones. On SQLite and
//! PostgreSQL.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};
use time::macros::datetime;

const RECORD: &str = "mutation($i: RecordApplicationInput!) {
    recordApplication(input: $i) { id version stage channel receivedOn applicant { idNumber masked }
        clock { dueOn provisional provisionalYears } } }";

fn in_person(received_on: &str, id_number: &str) -> Value {
    json!({"i": {"channel": "IN_PERSON", "receivedOn": received_on, "applicantName": "王五",
        "applicantKind": "NATURAL_PERSON", "applicantIdNumber": id_number, "applicantPhone": "13900001111",
        "subject": "某路段交通规划", "formWanted": "PAPER", "deliveryMethod": "COLLECT"}})
}

async fn queue(app: &TestApp, token: &str, filter: Value) -> Vec<Value> {
    let response = app
        .graphql(
            "query($f: QueueFilter) { queue(filter: $f) { edges { node { id subject clock { urgency } } } } }",
            json!({"f": filter}),
            Some(token),
        )
        .await;
    data(&response)["queue"]["edges"].as_array().unwrap().iter().map(|e| e["node"].clone()).collect()
}

foi_e2e::on_both_backends! {
    /// A clerk records an application handed in at the counter; bad identity numbers and
    /// future dates are refused with the field named.
    async fn a_clerk_records_an_application_handed_in(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        let response = app.graphql(RECORD, in_person("2026-09-18", "11010519491231002X"), Some(&clerk)).await;
        let case = &data(&response)["recordApplication"];
        assert_eq!((case["stage"].as_str(), case["channel"].as_str()), (Some("RECEIVED"), Some("IN_PERSON")));
        assert_eq!(case["clock"]["dueOn"], "2026-10-22");
        assert_eq!(case["applicant"]["idNumber"], "11010519491231002X");
        let response = app.graphql(RECORD, in_person("2026-09-18", "11010519491231002Y"), Some(&clerk)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"));
        assert_eq!(response["errors"][0]["extensions"]["field"], "input.applicantIdNumber");
        let response = app.graphql(RECORD, in_person("2026-09-21", "11010519491231002X"), Some(&clerk)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "the 21st has not come yet: {response}");
        assert_eq!(response["errors"][0]["extensions"]["field"], "input.receivedOn");
    }

    /// Staff see their agency and those below it; the queue filters by assignee and by
    /// "due soon"; applicants use myCases and staff may not.
    async fn queue_scope_and_filters(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("youxian-fgj", "绵阳市游仙区发展和改革局", Some("youxian")).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let officer = app.create_staff("fgj", "youxian-fgj", &["clerk"], PASSWORD).await;
        app.set_now(datetime!(2026-09-18 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let fgj = app.sign_in("fgj").await;
        let response = app.graphql(RECORD, in_person("2026-09-18", "11010519491231002X"), Some(&clerk)).await;
        let district_case = data(&response)["recordApplication"].clone();
        let response = app.graphql(RECORD, in_person("2026-09-18", "110101199003078515"), Some(&fgj)).await;
        let department_case = data(&response)["recordApplication"].clone();

        assert_eq!(queue(&app, &clerk, json!(null)).await.len(), 2, "the district sees its department");
        let own = queue(&app, &fgj, json!(null)).await;
        assert_eq!(own.len(), 1, "the department does not see the district");
        assert_eq!(own[0]["id"], department_case["id"]);
        let response = app.graphql("query($id: ID!) { case(id: $id) { id } }", json!({"id": district_case["id"]}), Some(&fgj)).await;
        assert_eq!(error_code(&response), Some("NOT_FOUND"));
        let only_department = queue(&app, &clerk, json!({"agencyCode": "youxian-fgj"})).await;
        assert_eq!(only_department.len(), 1);

        // Register, accept and assign the department's case to its officer.
        let id = department_case["id"].as_str().unwrap();
        for (mutation, version) in [("registerCase", 1), ("acceptCase", 2)] {
            let response = app
                .graphql(&format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ id }} }}"),
                    json!({"i": {"caseId": id, "version": version}}), Some(&fgj))
                .await;
            data(&response);
        }
        let response = app
            .graphql("mutation($i: AssignInput!) { assignCase(input: $i) { id } }",
                json!({"i": {"change": {"caseId": id, "version": 3}, "officerId": officer.id.to_string()}}), Some(&fgj))
            .await;
        data(&response);
        // The district clerk finds the officer in the staff list of its subtree.
        let response = app.graphql("{ staff { id login } }", json!({}), Some(&clerk)).await;
        let staff = data(&response)["staff"].as_array().unwrap().clone();
        assert!(staff.iter().any(|a| a["id"] == officer.id.to_string() && a["login"] == "fgj"), "{staff:?}");
        let response = app.graphql("{ staff { login } }", json!({}), Some(&fgj)).await;
        assert_eq!(data(&response)["staff"], json!([{"login": "fgj"}]), "a department sees only its own staff");
        let assigned = queue(&app, &clerk, json!({"assigneeId": officer.id.to_string()})).await;
        assert_eq!(assigned.len(), 1);
        assert_eq!(assigned[0]["id"], department_case["id"]);

        // Due 22 October 2026; on 19 October 3 working days are left: due soon.
        assert!(queue(&app, &clerk, json!({"dueSoon": true})).await.is_empty());
        app.set_now(datetime!(2026-10-19 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let soon = queue(&app, &clerk, json!({"dueSoon": true})).await;
        assert_eq!(soon.len(), 2);
        assert!(soon.iter().all(|c| c["clock"]["urgency"] == "DUE_SOON"));
        let response = app.graphql("{ myCases { edges { node { id } } } }", json!({}), Some(&clerk)).await;
        assert_eq!(error_code(&response), Some("FORBIDDEN"));
    }

    /// A case is assigned only to a case worker of its agency or of an agency above it
    /// (issue 9): never to a clerk of an unrelated tree, of a department below, to an
    /// applicant or to an administrator without a case role; an unknown id gets the same
    /// answer, so the field cannot probe for accounts.
    async fn assign_case_stays_within_the_agency_tree(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("youxian-fgj", "绵阳市游仙区发展和改革局", Some("youxian")).await;
        app.create_agency("fucheng", "绵阳市涪城区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let district_head = app.create_staff("head", "youxian", &["office_head"], PASSWORD).await;
        let department = app.create_staff("fgj", "youxian-fgj", &["clerk"], PASSWORD).await;
        let outsider = app.create_staff("fc", "fucheng", &["clerk"], PASSWORD).await;
        let admin = app.create_staff("admin", "youxian", &["system_admin"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        let fgj = app.sign_in("fgj").await;
        let response = app.graphql(RECORD, in_person("2026-09-18", "11010519491231002X"), Some(&clerk)).await;
        let district_case = data(&response)["recordApplication"]["id"].as_str().unwrap().to_owned();
        let response = app.graphql(RECORD, in_person("2026-09-18", "110101199003078515"), Some(&fgj)).await;
        let department_case = data(&response)["recordApplication"]["id"].as_str().unwrap().to_owned();
        // Registered and accepted (version 3): a case is assigned in handling.
        for (case, token) in [(&district_case, &clerk), (&department_case, &fgj)] {
            for (mutation, version) in [("registerCase", 1), ("acceptCase", 2)] {
                let response = app
                    .graphql(&format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ id }} }}"),
                        json!({"i": {"caseId": case, "version": version}}), Some(token))
                    .await;
                data(&response);
            }
        }
        let assign = |case: &str, officer: String| {
            json!({"i": {"change": {"caseId": case, "version": 3}, "officerId": officer}})
        };
        const ASSIGN: &str = "mutation($i: AssignInput!) { assignCase(input: $i) { id assignee } }";
        for (who, officer) in [
            ("a clerk of an unrelated district", outsider.id.to_string()),
            ("a clerk of a department below", department.id.to_string()),
            ("an administrator without a case role", admin.id.to_string()),
            ("an unknown account", "00000000-0000-4000-8000-000000000000".to_owned()),
        ] {
            let response = app.graphql(ASSIGN, assign(&district_case, officer), Some(&clerk)).await;
            assert_eq!(error_code(&response), Some("VALIDATION"), "{who}: {response}");
            assert_eq!(response["errors"][0]["extensions"]["field"], "input.officerId", "{who}");
        }
        // Nothing was written by the refusals: the case is still at version 3.
        let response = app.graphql("query($id: ID!) { case(id: $id) { version assignee } }",
            json!({"id": district_case}), Some(&clerk)).await;
        assert_eq!(data(&response)["case"], json!({"version": 3, "assignee": null}));
        // The district's own head, and for a department's case an officer above it, are fine.
        let response = app.graphql(ASSIGN, assign(&district_case, district_head.id.to_string()), Some(&clerk)).await;
        assert_eq!(data(&response)["assignCase"]["assignee"], district_head.display_name.as_str());
        let response = app.graphql(ASSIGN, assign(&department_case, district_head.id.to_string()), Some(&fgj)).await;
        assert_eq!(data(&response)["assignCase"]["assignee"], district_head.display_name.as_str());
    }

    /// A receipt in late December 2026 has a provisional due date while 2027 has no notice
    /// (rules.md §3: statutory holidays only, 1 January 2027 off); loading the 2027 notice
    /// makes it final.
    async fn loading_a_year_recomputes_open_due_dates(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("admin", "youxian", &["system_admin"], PASSWORD).await;
        app.set_now(datetime!(2026-12-21 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let response = app.graphql(RECORD, in_person("2026-12-21", "11010519491231002X"), Some(&clerk)).await;
        let case = data(&response)["recordApplication"].clone();
        // Provisional 2027: 22–25, 28–31 Dec (8), 1 Jan off (元旦), 4–8 (13), 11–15 (18), 18–19 Jan.
        assert_eq!(case["clock"]["dueOn"], "2027-01-19");
        assert_eq!(case["clock"]["provisional"], true);
        assert_eq!(case["clock"]["provisionalYears"], json!([2027]));

        let notice = json!({"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03"], "makeup_workdays": [],
            "by_holiday": {"元旦": {"off": ["2027-01-01", "2027-01-02", "2027-01-03"], "work": []}}}).to_string();
        let load = "mutation($y: Int!, $n: String!) { loadCalendarYear(year: $y, noticeJson: $n) { years version } }";
        let response = app.graphql(load, json!({"y": 2027, "n": notice}), Some(&clerk)).await;
        assert_eq!(error_code(&response), Some("FORBIDDEN"));
        let response = app.graphql(load, json!({"y": 2027, "n": "{\"all_off_days\": 1}"}), Some(&app.sign_in("admin").await)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"));
        let response = app.graphql(load, json!({"y": 2027, "n": notice}), Some(&app.sign_in("admin").await)).await;
        assert_eq!(data(&response)["loadCalendarYear"]["years"], "2018-2027");

        let response = app
            .graphql("query($id: ID!) { case(id: $id) { clock { dueOn provisional provisionalYears calendarUnknownYears calendarVersion } } }",
                json!({"id": case["id"]}), Some(&clerk))
            .await;
        let clock = &data(&response)["case"]["clock"];
        // The notice agrees here (1–3 January off): 19 January, now final.
        assert_eq!(clock["dueOn"], "2027-01-19");
        assert_eq!(clock["provisional"], false);
        assert_eq!((&clock["provisionalYears"], &clock["calendarUnknownYears"]), (&json!([]), &json!([])));
        assert!(clock["calendarVersion"].as_str().unwrap().starts_with("2018-2027@"));
        // The queue's cached due date moved with it: the case is due soon on 14 January 2027.
        app.set_now(datetime!(2027-01-14 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let soon = queue(&app, &clerk, json!({"dueSoon": true})).await;
        assert_eq!(soon.len(), 1);
        // A restarted server loads the year from the database.
        let state = foi_api::ApiState::load(app.store.clone(), std::sync::Arc::new(foi_domain::clock::SystemClock)).await;
        assert_eq!(state.map(|s| s.calendar().loaded_years()).ok().as_deref(), Some("2018-2027"));
    }

    /// The year-end case: on Monday 2026-12-21 the office head extends the reply limit
    /// by 20 working days, and the due date lands in January 2027, whose notice is not loaded.
    /// The extension notice is issued all the same, printing the provisional mark; the API
    /// shows `provisional: true`; loading a (test) 2027 notice moves the date and the mark goes.
    async fn an_extension_into_2027_is_provisional_until_the_notice_is_loaded(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("head", "youxian", &["clerk", "office_head"], PASSWORD).await;
        app.create_staff("admin", "youxian", &["system_admin"], PASSWORD).await;
        app.set_now(datetime!(2026-11-23 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        // Received Monday 2026-11-23: 20 working days → Monday 2026-12-21, all in 2026.
        let response = app.graphql(RECORD, in_person("2026-11-23", "11010519491231002X"), Some(&clerk)).await;
        let case = data(&response)["recordApplication"].clone();
        assert_eq!((&case["clock"]["dueOn"], &case["clock"]["provisional"]), (&json!("2026-12-21"), &json!(false)));
        let id = case["id"].as_str().unwrap().to_owned();
        for (mutation, version) in [("registerCase", 1), ("acceptCase", 2)] {
            let response = app
                .graphql(&format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ id }} }}"),
                    json!({"i": {"caseId": id, "version": version, "on": "2026-11-23"}}), Some(&clerk))
                .await;
            data(&response);
        }
        app.set_now(datetime!(2026-12-21 10:00 +8));
        // A session lasts 12 hours: sign in again four weeks on.
        let clerk = app.sign_in("clerk").await;
        let head = app.sign_in("head").await;
        let response = app
            .graphql("mutation($i: ExtendInput!) { extendDeadline(input: $i) { version clock { dueOn provisional provisionalYears } } }",
                json!({"i": {"change": {"caseId": id, "version": 3, "on": "2026-12-21"}, "workingDays": 20,
                    "reason": "所申请的资料需从区档案馆调取并逐页审查"}}), Some(&head))
            .await;
        let extended = data(&response)["extendDeadline"].clone();
        // +20 from 21 December: 22–25 (4), 28–31 (8), 1 January off (元旦, provisional),
        // 4–8 (13), 11–15 (18), 18–19 January (20).
        assert_eq!(extended["clock"], json!({"dueOn": "2027-01-19", "provisional": true, "provisionalYears": [2027]}));
        // The queue shows the same mark.
        let response = app.graphql("{ queue { edges { node { id clock { dueOn provisional } } } } }", json!({}), Some(&clerk)).await;
        let node = &data(&response)["queue"]["edges"][0]["node"];
        assert_eq!((&node["id"], &node["clock"]["provisional"]), (&json!(id), &json!(true)));

        // The extension notice can be issued, and prints the date with the provisional mark.
        let response = app
            .graphql("mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { kind html case { version } } }",
                json!({"i": {"caseId": id, "version": extended["version"], "kind": "EXTENSION_NOTICE"}}), Some(&clerk))
            .await;
        let notice = data(&response)["issueDocument"].clone();
        assert_eq!(notice["kind"], "EXTENSION_NOTICE");
        let html = notice["html"].as_str().unwrap();
        assert!(html.contains("本机关将于2027年1月19日（以国务院办公厅公布的放假安排为准）前作出答复"), "{html}");

        // A (test) 2027 notice that also gives Monday 4 January off: the date moves to
        // 20 January and is final.
        let notice_json = json!({"all_off_days": ["2027-01-01", "2027-01-02", "2027-01-03", "2027-01-04"],
            "makeup_workdays": []}).to_string();
        let response = app
            .graphql("mutation($y: Int!, $n: String!) { loadCalendarYear(year: $y, noticeJson: $n) { years } }",
                json!({"y": 2027, "n": notice_json}), Some(&app.sign_in("admin").await))
            .await;
        assert_eq!(data(&response)["loadCalendarYear"]["years"], "2018-2027");
        let response = app
            .graphql("query($id: ID!) { case(id: $id) { clock { dueOn provisional provisionalYears } } }",
                json!({"id": id}), Some(&clerk))
            .await;
        assert_eq!(data(&response)["case"]["clock"], json!({"dueOn": "2027-01-20", "provisional": false, "provisionalYears": []}));
        // A preview of the notice now prints the final date without the mark.
        let response = app
            .graphql("query($i: PreviewDocumentInput!) { previewDocument(input: $i) { html } }",
                json!({"i": {"caseId": id, "kind": "EXTENSION_NOTICE"}}), Some(&clerk))
            .await;
        let html = data(&response)["previewDocument"]["html"].as_str().unwrap();
        assert!(html.contains("本机关将于2027年1月20日前作出答复") && !html.contains("放假安排为准"), "{html}");
    }
}

foi_e2e::on_both_backends! {
    /// Case numbers are gap-free and unique when clerks register at the same moment.
    async fn concurrent_registrations_get_consecutive_numbers(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        let mut ids = Vec::new();
        for _ in 0..12 {
            let response = app.graphql(RECORD, in_person("2026-09-18", "11010519491231002X"), Some(&clerk)).await;
            ids.push(data(&response)["recordApplication"]["id"].as_str().unwrap().to_owned());
        }
        let app = std::sync::Arc::new(app);
        let tasks: Vec<_> = ids
            .into_iter()
            .map(|id| {
                let (app, clerk) = (app.clone(), clerk.clone());
                tokio::spawn(async move {
                    let response = app
                        .graphql("mutation($i: CaseChangeInput!) { registerCase(input: $i) { caseNumber } }",
                            json!({"i": {"caseId": id, "version": 1}}), Some(&clerk))
                        .await;
                    data(&response)["registerCase"]["caseNumber"].as_str().unwrap().to_owned()
                })
            })
            .collect();
        let mut numbers = Vec::new();
        for task in tasks {
            let number = task.await.unwrap();
            let seq: u32 = number.split('〕').nth(1).and_then(|rest| rest.trim_end_matches('号').parse().ok()).unwrap();
            numbers.push(seq);
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=12).collect::<Vec<_>>());
    }
}

const PAGE: &str = "query($after: String, $first: Int) { queue(after: $after, first: $first) {
    edges { cursor node { id clock { dueOn } } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";

foi_e2e::on_both_backends! {
    /// The queue pages with opaque cursors: following `endCursor` two at a time lists every
    /// case once, soonest due first, even when a case due sooner arrives between pages; a
    /// cursor that is not one is `VALIDATION` on `after`.
    async fn the_queue_pages_with_cursors(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        // Received Monday 14 to Friday 18 September 2026: due 20 working days on, with the
        // 中秋节 and National Day holidays passed over and the make-up days counted.
        for day in ["2026-09-18", "2026-09-14", "2026-09-16", "2026-09-15", "2026-09-17"] {
            data(&app.graphql(RECORD, in_person(day, "11010519491231002X"), Some(&clerk)).await);
        }
        let all = app.graphql(PAGE, json!({"first": 10}), Some(&clerk)).await;
        let all = data(&all)["queue"].clone();
        let due: Vec<&str> = all["edges"].as_array().unwrap().iter().map(|e| e["node"]["clock"]["dueOn"].as_str().unwrap()).collect();
        assert_eq!(due, ["2026-10-16", "2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22"]);
        assert_eq!((all["pageInfo"]["hasNextPage"].as_bool(), all["pageInfo"]["hasPreviousPage"].as_bool()), (Some(false), Some(false)));
        let ids = |page: &Value| -> Vec<Value> { page["edges"].as_array().unwrap().iter().map(|e| e["node"]["id"].clone()).collect() };

        let mut seen = Vec::new();
        let mut after = Value::Null;
        for page in 0.. {
            let response = app.graphql(PAGE, json!({"first": 2, "after": after}), Some(&clerk)).await;
            let queue = data(&response)["queue"].clone();
            assert_eq!(queue["pageInfo"]["hasPreviousPage"], page > 0);
            seen.extend(ids(&queue));
            if page == 0 {
                // Received on Friday 11 September, due before everything listed so far.
                data(&app.graphql(RECORD, in_person("2026-09-11", "11010519491231002X"), Some(&clerk)).await);
            }
            if queue["pageInfo"]["hasNextPage"] == false {
                break;
            }
            after = queue["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(seen, ids(&all), "every case once, in order; the one added before the cursor is not listed");

        let bad = app.graphql(PAGE, json!({"first": 2, "after": "3"}), Some(&clerk)).await;
        assert_eq!(error_code(&bad), Some("VALIDATION"), "{bad}");
        assert_eq!(bad["errors"][0]["extensions"]["field"], "after");
    }
}

foi_e2e::on_both_backends! {
    /// The fee is counted per applicant per calendar month (rules.md §2, 国办函〔2020〕109号),
    /// by identity number across the online account and applications recorded at the counter,
    /// not by account. October 2026: ten applications handed in on Friday 9 October by one
    /// resident ID (written with a lower-case x), then the same person's online application
    /// received on Monday 12 October is the 11th: 100 yuan. Another person's application, and
    /// the same person's in September, do not count.
    async fn the_fee_quote_counts_the_identity_across_account_and_counter(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.set_now(datetime!(2026-10-12 09:00 +8));
        let clerk = app.sign_in("clerk").await;
        let id_number = "11010519491231002X";
        data(&app.graphql(RECORD, in_person("2026-09-30", id_number), Some(&clerk)).await);
        data(&app.graphql(RECORD, in_person("2026-10-09", "110101199003078515"), Some(&clerk)).await);
        let mut counter = Vec::new();
        // Recorded one after another: a minute apart, as the stopped test clock would
        // otherwise give them all the same moment, and recording order breaks the tie.
        for minute in 0..10 {
            app.set_now(datetime!(2026-10-12 09:00 +8) + time::Duration::minutes(minute + 1));
            let response = app.graphql(RECORD, in_person("2026-10-09", "11010519491231002x"), Some(&clerk)).await;
            counter.push(data(&response)["recordApplication"]["id"].as_str().unwrap().to_owned());
        }
        let register = "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login } }";
        data(&app.graphql(register, json!({"i": {"login": "wangwu", "password": PASSWORD, "name": "王五",
            "kind": "NATURAL_PERSON", "idNumber": id_number}}), None).await);
        let applicant = app.sign_in("wangwu").await;
        let response = app
            .graphql("mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }",
                json!({"i": {"agencyCode": "youxian", "subject": "仙人路改造工程招标文件",
                    "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "EMAIL"}}), Some(&applicant))
            .await;
        let online = data(&response)["submitApplication"]["id"].as_str().unwrap().to_owned();
        for (mutation, version) in [("receiveApplication", 1), ("registerCase", 2), ("acceptCase", 3)] {
            data(&app
                .graphql(&format!("mutation($i: CaseChangeInput!) {{ {mutation}(input: $i) {{ id }} }}"),
                    json!({"i": {"caseId": online, "version": version, "on": "2026-10-12"}}), Some(&clerk))
                .await);
        }
        let quote = |id: String, basis: &'static str, pages: Option<i32>, token: String| {
            let app = &app;
            async move {
                app.graphql("query($id: ID!, $b: FeeBasis!, $p: Int) { case(id: $id) {
                        feeQuote(basis: $b, pages: $p) { basis month nthApplication pages amountYuan explanation } } }",
                    json!({"id": id, "b": basis, "p": pages}), Some(&token))
                    .await
            }
        };
        let response = quote(online.clone(), "PER_APPLICATION", None, clerk.clone()).await;
        let q = &data(&response)["case"]["feeQuote"];
        assert_eq!((&q["month"], &q["nthApplication"], &q["amountYuan"]), (&json!("2026-10"), &json!(11), &json!(100)), "{q}");
        assert!(q["explanation"].as_str().unwrap().contains("国办函〔2020〕109号"));
        let response = quote(counter[2].clone(), "PER_APPLICATION", None, clerk.clone()).await;
        let q = &data(&response)["case"]["feeQuote"];
        assert_eq!((&q["nthApplication"], &q["amountYuan"]), (&json!(3), &json!(0)), "{q}");
        // Per page: 101 pages → 70 × 10 + 1 × 20 = 720 yuan; without pages, VALIDATION.
        let response = quote(online.clone(), "PER_PAGE", Some(101), clerk.clone()).await;
        assert_eq!(data(&response)["case"]["feeQuote"]["amountYuan"], 720);
        let response = quote(online.clone(), "PER_PAGE", None, clerk.clone()).await;
        assert_eq!(error_code(&response), Some("VALIDATION"));
        // The applicant does not get the quote.
        let response = quote(online.clone(), "PER_APPLICATION", None, applicant.clone()).await;
        assert_eq!(error_code(&response), Some("FORBIDDEN"));

        // A fee notice without an amount charges the quote.
        let response = app
            .graphql("mutation($i: FeeNoticeInput!) { issueFeeNotice(input: $i) { fee { amountYuan basis } } }",
                json!({"i": {"change": {"caseId": online, "version": 4, "on": "2026-10-12"}, "basis": "PER_APPLICATION"}}),
                Some(&clerk))
            .await;
        assert_eq!(data(&response)["issueFeeNotice"]["fee"], json!({"amountYuan": 100, "basis": "PER_APPLICATION"}));
    }
}
