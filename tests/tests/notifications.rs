//! Notifications over HTTP: an applicant applies online, a clerk works the case over
//! GraphQL, and the applicant's `notifications` list tells each step that matters to them,
//! newest first; another applicant sees none of it. And the `queueChanged` subscription over
//! a real websocket (`/graphql/ws`): a clerk's screen hears of a change in its agency, and
//! not of one in another district. On SQLite and PostgreSQL.

use std::time::Duration;

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use time::OffsetDateTime;
use time::macros::datetime;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

async fn register(app: &TestApp, login: &str, id_number: &str, email: &str) -> String {
    let response = app
        .graphql(
            "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login message } }",
            json!({"i": {"login": login, "password": PASSWORD, "name": "张三", "kind": "NATURAL_PERSON",
                "idNumber": id_number, "email": email}}),
            None,
        )
        .await;
    data(&response);
    app.sign_in(login).await
}

/// Moves the clock to `at`, signs `login` in (sessions last 12 hours) and runs `mutation`
/// (`name:InputType`, taking `$i`); returns the case.
async fn step(app: &TestApp, login: &str, at: OffsetDateTime, mutation: &str, input: Value) -> Value {
    app.set_now(at);
    let token = app.sign_in(login).await;
    let (name, ty) = mutation.split_once(':').unwrap();
    let query = format!("mutation($i: {ty}!) {{ {name}(input: $i) {{ id version stage }} }}");
    let response = app.graphql(&query, json!({ "i": input }), Some(&token)).await;
    data(&response)[name].clone()
}

fn change(case: &Value) -> Value {
    json!({"caseId": case["id"], "version": case["version"]})
}

const NOTIFICATIONS: &str = "query($first: Int, $after: String) { notifications(first: $first, after: $after) {
    edges { cursor node { id kind subject body createdAt readAt caseId } }
    pageInfo { hasNextPage hasPreviousPage endCursor } } }";

foi_e2e::on_both_backends! {
    /// Received, correction, extension, fee, reply: five notifications, newest first, in
    /// the applicant's own list only; read one, and the unread count drops.
    async fn an_applicant_is_told_every_step(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("head", "youxian", &["office_head"], PASSWORD).await;
        register(&app, "zhangsan", "11010519491231002X", "zhangsan@example.cn").await;
        register(&app, "lisi", "110101199003078515", "lisi@example.cn").await;

        let at = |d: u8, m: u8| OffsetDateTime::new_in_offset(
            time::Date::from_calendar_date(2026, time::Month::try_from(m).unwrap(), d).unwrap(),
            time::macros::time!(10:00),
            time::macros::offset!(+8),
        );
        let mut case = step(&app, "zhangsan", at(17, 9), "submitApplication:SubmitApplicationInput",
            json!({"agencyCode": "youxian", "subject": "2026年区级部门预算", "formWanted": "ELECTRONIC_COPY",
                "deliveryMethod": "EMAIL"})).await;
        let case_id = case["id"].clone();
        case = step(&app, "clerk", at(18, 9), "receiveApplication:CaseChangeInput", change(&case)).await;
        case = step(&app, "clerk", at(18, 9), "registerCase:CaseChangeInput", change(&case)).await;
        case = step(&app, "clerk", at(21, 9), "requestCorrection:RequestCorrectionInput",
            json!({"change": change(&case), "items": ["请写明所需预算的部门名称"]})).await;
        case = step(&app, "clerk", at(12, 10), "receiveCorrection:CaseChangeInput", change(&case)).await;
        case = step(&app, "clerk", at(12, 10), "acceptCase:CaseChangeInput", change(&case)).await;
        case = step(&app, "head", at(13, 10), "extendDeadline:ExtendInput",
            json!({"change": change(&case), "workingDays": 20, "reason": "需调取档案"})).await;
        case = step(&app, "clerk", at(14, 10), "issueFeeNotice:FeeNoticeInput",
            json!({"change": change(&case), "amountYuan": 100, "basis": "PER_APPLICATION"})).await;
        case = step(&app, "clerk", at(15, 10), "recordFeePayment:CaseChangeInput", change(&case)).await;
        case = step(&app, "clerk", at(20, 10), "reply:ReplyInput",
            json!({"change": change(&case), "outcome": "DISCLOSED"})).await;
        assert_eq!(case["stage"], "REPLIED");
        let zhang = app.sign_in("zhangsan").await;
        let li = app.sign_in("lisi").await;

        let response = app.graphql(NOTIFICATIONS, json!({}), Some(&zhang)).await;
        let list = &data(&response)["notifications"];
        let nodes: Vec<&Value> = list["edges"].as_array().unwrap().iter().map(|e| &e["node"]).collect();
        let kinds: Vec<&str> = nodes.iter().map(|n| n["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["REPLIED", "FEE_DUE", "EXTENDED", "CORRECTION_REQUESTED", "RECEIVED"], "newest first");
        assert!(nodes.iter().all(|n| n["caseId"] == case_id && n["readAt"].is_null()));
        assert_eq!(nodes[4]["subject"], "政府信息公开申请已签收");
        // Submitted online on Thursday 17 Sep 2026, a working day: received that day under the
        // default rule (Reg. 31(3)), signed for on Friday the 18th; Reg. 33: due 20 working
        // days after receipt (中秋节 and National Day off, 20 Sep and 10 Oct worked).
        let received = nodes[4]["body"].as_str().unwrap();
        assert!(received.contains("已于2026年9月18日签收") && received.contains("收到申请之日为2026年9月17日"), "{received}");
        assert!(received.contains("答复期限至2026年10月21日"), "{received}");
        assert!(nodes[3]["body"].as_str().unwrap().contains("请写明所需预算的部门名称"));
        assert!(nodes[0]["subject"].as_str().unwrap().starts_with("政府信息公开申请已答复（"), "with the case number");
        assert_eq!(list["pageInfo"]["hasNextPage"], false);

        // Pages of two.
        let response = app.graphql(NOTIFICATIONS, json!({"first": 2}), Some(&zhang)).await;
        let page = &data(&response)["notifications"];
        assert_eq!(page["edges"].as_array().unwrap().len(), 2);
        assert_eq!(page["pageInfo"]["hasNextPage"], true);
        let after = page["pageInfo"]["endCursor"].clone();
        let response = app.graphql(NOTIFICATIONS, json!({"first": 10, "after": after}), Some(&zhang)).await;
        let rest = &data(&response)["notifications"];
        let kinds: Vec<&str> = rest["edges"].as_array().unwrap().iter().map(|e| e["node"]["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["EXTENDED", "CORRECTION_REQUESTED", "RECEIVED"]);
        assert_eq!((rest["pageInfo"]["hasNextPage"].as_bool(), rest["pageInfo"]["hasPreviousPage"].as_bool()), (Some(false), Some(true)));
        let response = app.graphql(NOTIFICATIONS, json!({"after": "garbage"}), Some(&zhang)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"));

        // Another applicant sees none of them, and cannot mark them read.
        let response = app.graphql(NOTIFICATIONS, json!({}), Some(&li)).await;
        assert_eq!(data(&response)["notifications"]["edges"], json!([]));
        let count = "{ unreadNotificationCount }";
        assert_eq!(data(&app.graphql(count, json!({}), Some(&li)).await)["unreadNotificationCount"], 0);
        let mark = "mutation($i: MarkNotificationReadInput!) { markNotificationRead(input: $i) { id kind readAt } }";
        let first_id = nodes[4]["id"].clone();
        let response = app.graphql(mark, json!({"i": {"id": first_id}}), Some(&li)).await;
        assert_eq!(error_code(&response), Some("NOT_FOUND"));

        // The applicant reads one.
        assert_eq!(data(&app.graphql(count, json!({}), Some(&zhang)).await)["unreadNotificationCount"], 5);
        app.set_now(datetime!(2026-10-21 08:00 +8));
        let zhang = app.sign_in("zhangsan").await;
        let response = app.graphql(mark, json!({"i": {"id": first_id}}), Some(&zhang)).await;
        let read = &data(&response)["markNotificationRead"];
        assert_eq!(read["kind"], "RECEIVED");
        assert_eq!(read["readAt"], "2026-10-21T00:00:00Z");
        assert_eq!(data(&app.graphql(count, json!({}), Some(&zhang)).await)["unreadNotificationCount"], 4);

        // Signed out: nothing.
        let response = app.graphql(NOTIFICATIONS, json!({}), None).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"));
    }

    /// A clerk's screen subscribed over a websocket hears of a change in its agency, and
    /// not of one in another district; an applicant may not subscribe; a bad token is shut out.
    async fn a_clerk_sees_the_queue_change_live(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_agency("fucheng", "绵阳市涪城区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        app.create_staff("fc-clerk", "fucheng", &["clerk"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        let fc_clerk = app.sign_in("fc-clerk").await;
        let zhang = register(&app, "zhangsan", "11010519491231002X", "zhangsan@example.cn").await;

        let mut ws = connect(&app, json!({"Authorization": format!("Bearer {clerk}")})).await;
        let ack = next(&mut ws).await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        send(&mut ws, json!({"id": "q", "type": "subscribe", "payload": {
            "query": "subscription { queueChanged { caseId stage agencyCode version } }"}})).await;
        // The subscription listens once the feed has a subscriber.
        let waited = tokio::time::timeout(Duration::from_secs(20), async {
            while app.queue_feed.subscribers() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        });
        waited.await.expect("the subscription started");

        // Another district's case first, then ours: the first message is ours.
        record(&app, &fc_clerk).await;
        let ours = record(&app, &clerk).await;
        let message = next(&mut ws).await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], "q");
        let change = &message["payload"]["data"]["queueChanged"];
        assert_eq!(change, &json!({"caseId": ours["id"], "stage": "RECEIVED", "agencyCode": "youxian", "version": 1}));
        let registered = step(&app, "clerk", foi_e2e::DEFAULT_NOW, "registerCase:CaseChangeInput", change_of(&ours)).await;
        let message = next(&mut ws).await;
        assert_eq!(message["payload"]["data"]["queueChanged"]["version"], 2);
        assert_eq!(message["payload"]["data"]["queueChanged"]["stage"], "IN_REVIEW");
        assert_eq!(registered["version"], 2);
        ws.close(None).await.ok();

        // An applicant's subscription is refused with FORBIDDEN.
        let mut ws = connect(&app, json!({"token": zhang})).await;
        assert_eq!(next(&mut ws).await["type"], "connection_ack");
        send(&mut ws, json!({"id": "a", "type": "subscribe", "payload": {
            "query": "subscription { queueChanged { caseId } }"}})).await;
        let refused = next(&mut ws).await;
        assert_eq!(refused["type"], "next", "{refused}");
        assert_eq!(refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN", "{refused}");
        ws.close(None).await.ok();

        // A token that is no session: the connection is closed with the reason.
        let mut ws = connect(&app, json!({"Authorization": "Bearer not-a-token"})).await;
        let closed = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("an answer");
        match closed {
            Some(Ok(Message::Close(Some(frame)))) => assert!(frame.reason.contains("sign in"), "{frame:?}"),
            other => panic!("expected the connection to close, got {other:?}"),
        }

        // Without a GraphQL subprotocol the upgrade is refused.
        let response = app.get("/graphql/ws").await;
        assert_eq!(response.status(), 400);
    }
}

foi_e2e::on_both_backends! {
    /// The deadline sweep of `foi serve` marks a case overdue and closes one whose
    /// correction period ended (Reg. 30), and a clerk's screen hears of each like any other
    /// change, once: on SQLite from the sweep itself, on PostgreSQL from the database. Real
    /// calendar: received on Friday 18 September 2026, a reply is due on Thursday 22 October
    /// (Reg. 33); the correction notice of Tuesday 29 September gives until Monday 26
    /// October (National Day week and the make-up Saturday 10 October counted), so that
    /// case closes on the 27th, not the 26th.
    async fn the_live_queue_hears_the_sweep_close_a_case(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let clerk = app.sign_in("clerk").await;
        let case = record(&app, &clerk).await;
        let case = step(&app, "clerk", foi_e2e::DEFAULT_NOW, "registerCase:CaseChangeInput", change_of(&case)).await;
        let waiting = step(&app, "clerk", datetime!(2026-09-29 10:00 +8), "requestCorrection:RequestCorrectionInput",
            json!({"change": change_of(&case), "items": ["请写明文件名称"]})).await;
        assert_eq!(waiting["stage"], "AWAITING_CORRECTION");
        // The correction period runs from the notice's service: handed over the same day.
        let waiting = issue_and_serve(&app, "clerk", &waiting, "CORRECTION_NOTICE", "2026-09-29").await;
        app.set_now(foi_e2e::DEFAULT_NOW);
        let clerk = app.sign_in("clerk").await;
        let late = record(&app, &clerk).await;
        app.set_now(datetime!(2026-09-29 10:00 +8));

        let clerk = app.sign_in("clerk").await;
        let mut ws = connect(&app, json!({"Authorization": format!("Bearer {clerk}")})).await;
        assert_eq!(next(&mut ws).await["type"], "connection_ack");
        send(&mut ws, json!({"id": "q", "type": "subscribe", "payload": {
            "query": "subscription { queueChanged { caseId stage version } }"}})).await;
        tokio::time::timeout(Duration::from_secs(20), async {
            while app.queue_feed.subscribers() == 0 {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the subscription started");

        let sweep = |now| foi_server::sweeper::sweep_and_publish(&app.store, now, &app.queue_feed);
        // The last day of the correction period: nothing closes; the other case is overdue.
        let report = sweep(datetime!(2026-10-26 23:00 +8)).await.expect("the sweep runs");
        assert_eq!((report.corrections_lapsed, report.marked_overdue, report.changed.len()), (0, 1, 1), "{report:?}");
        let message = next(&mut ws).await;
        assert_eq!(
            message["payload"]["data"]["queueChanged"],
            json!({"caseId": late["id"], "stage": "RECEIVED", "version": 1}),
            "{message}"
        );
        // The next day the sweep closes it, and the screen hears of it.
        let report = sweep(datetime!(2026-10-27 00:30 +8)).await.expect("the sweep runs");
        assert_eq!(report.corrections_lapsed, 1);
        let message = next(&mut ws).await;
        assert_eq!(
            message["payload"]["data"]["queueChanged"],
            json!({"caseId": case["id"], "stage": "CLOSED", "version": waiting["version"].as_i64().unwrap() + 1}),
            "{message}"
        );
        // Sweeping again changes nothing and says nothing.
        let report = sweep(datetime!(2026-10-27 01:30 +8)).await.expect("the sweep runs");
        assert_eq!((report.corrections_lapsed, report.changed.len()), (0, 0));
        let quiet = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
        assert!(quiet.is_err(), "no further message: {quiet:?}");
        ws.close(None).await.ok();
    }
}

/// Issues the notice `kind` of `case` on `on` (the clock already there) and records its
/// service in person the same day; returns the case's `id version stage`.
async fn issue_and_serve(app: &TestApp, login: &str, case: &Value, kind: &str, on: &str) -> Value {
    let token = app.sign_in(login).await;
    let response = app
        .graphql(
            "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id case { version } } }",
            json!({"i": {"caseId": case["id"], "version": case["version"], "kind": kind, "on": on}}),
            Some(&token),
        )
        .await;
    let document = data(&response)["issueDocument"].clone();
    let response = app
        .graphql(
            "mutation($i: ServeDocumentInput!) { serveDocument(input: $i) { case { id version stage } } }",
            json!({"i": {"documentId": document["id"], "version": document["case"]["version"],
                "method": "IN_PERSON", "servedOn": on}}),
            Some(&token),
        )
        .await;
    data(&response)["serveDocument"]["case"].clone()
}

fn change_of(case: &Value) -> Value {
    json!({"caseId": case["id"], "version": case["version"]})
}

/// Records an in-person application in the clerk's own agency; returns the case.
async fn record(app: &TestApp, token: &str) -> Value {
    let response = app
        .graphql(
            "mutation($i: RecordApplicationInput!) { recordApplication(input: $i) { id version stage } }",
            json!({"i": {"channel": "IN_PERSON", "applicantName": "王五", "applicantKind": "NATURAL_PERSON",
                "subject": "某路段交通规划", "formWanted": "PAPER", "deliveryMethod": "COLLECT"}}),
            Some(token),
        )
        .await;
    data(&response)["recordApplication"].clone()
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens `/graphql/ws` with the `graphql-transport-ws` protocol and sends `connection_init`.
async fn connect(app: &TestApp, init: Value) -> Ws {
    let url = app.url("/graphql/ws").replacen("http://", "ws://", 1);
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, response) = tokio_tungstenite::connect_async(request).await.expect("the websocket opens");
    assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
    send(&mut ws, json!({"type": "connection_init", "payload": init})).await;
    ws
}

async fn send(ws: &mut Ws, message: Value) {
    ws.send(Message::Text(message.to_string().into())).await.expect("sent");
}

/// The next GraphQL message (pings skipped); fails after 20 s.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(20), ws.next())
            .await
            .expect("a message within 20 s")
            .expect("the connection is open")
            .expect("a websocket message");
        match message {
            Message::Text(text) => {
                let value: Value = serde_json::from_str(&text).unwrap();
                if value["type"] == "ping" {
                    send(ws, json!({"type": "pong"})).await;
                    continue;
                }
                return value;
            }
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected websocket message {other:?}"),
        }
    }
}

/// Two replicas of the service over one PostgreSQL database: a clerk's screen connected to
/// the first hears of a change made through the second and of one made through itself,
/// each exactly once. (SQLite is one process; there is nothing to relay.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_queue_screen_hears_every_replica() {
    let Some(first) = TestApp::spawn(foi_e2e::Backend::Postgres).await else { return };
    let second = first.replica().await;
    first.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
    first.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
    let clerk_on_first = first.sign_in("clerk").await;
    let clerk_on_second = second.sign_in("clerk").await;

    let mut ws = connect(&first, json!({"Authorization": format!("Bearer {clerk_on_first}")})).await;
    assert_eq!(next(&mut ws).await["type"], "connection_ack");
    send(
        &mut ws,
        json!({"id": "q", "type": "subscribe", "payload": {
        "query": "subscription { queueChanged { caseId stage version } }"}}),
    )
    .await;
    tokio::time::timeout(Duration::from_secs(20), async {
        while first.queue_feed.subscribers() == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the subscription started");

    // Recorded through the second replica, registered through the first.
    let case = record(&second, &clerk_on_second).await;
    let message = next(&mut ws).await;
    assert_eq!(
        message["payload"]["data"]["queueChanged"],
        json!({"caseId": case["id"], "stage": "RECEIVED", "version": 1})
    );
    step(&first, "clerk", foi_e2e::DEFAULT_NOW, "registerCase:CaseChangeInput", change_of(&case)).await;
    let message = next(&mut ws).await;
    assert_eq!(message["payload"]["data"]["queueChanged"]["version"], 2, "once, not twice: {message}");
    // Nothing else is pending: no duplicate of either change.
    let quiet = tokio::time::timeout(Duration::from_millis(500), ws.next()).await;
    assert!(quiet.is_err(), "no further message: {quiet:?}");
    ws.close(None).await.ok();
}
