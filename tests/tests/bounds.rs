//! The bounds of one request and one connection, over HTTP, each shown refusing with its
//! own code: the exponential fragment query, alias floods, a hundred password guesses in
//! one request, depth and cost at their limits, control characters and over-long texts in
//! every kind of input (on PostgreSQL too, where a NUL used to be `INTERNAL`), the
//! execution deadline, the header-read timeout and the connection cap. Memory is measured
//! in `bounds_memory.rs`, alone in its process.

use std::time::{Duration, Instant};

use foi_api::config::Limits;
use foi_api::limits::GRAPHIQL_INTROSPECTION_QUERY;
use foi_e2e::attacks::{aliased, fragment_bomb};
use foi_e2e::{Backend, PASSWORD, TestApp, TestOptions, data, error_code};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app_with(limits: Limits) -> TestApp {
    let mut options = TestOptions::default();
    options.api.limits = limits;
    TestApp::spawn_with(Backend::Sqlite, options).await.expect("SQLite needs no setup")
}

async fn clerk(app: &TestApp) -> String {
    app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
    app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
    app.sign_in("clerk").await
}

fn field(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["field"].as_str()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fragment_bomb_is_refused_at_once_and_healthz_answers_meanwhile() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let query = fragment_bomb();
    assert!(query.len() < 700, "{} bytes", query.len());
    let started = Instant::now();
    let (bombs, health) =
        tokio::join!(futures_util::future::join_all((0..4).map(|_| app.graphql(&query, json!({}), None))), async {
            let started = Instant::now();
            let status = app.get("/healthz").await.status();
            (status, started.elapsed())
        });
    let elapsed = started.elapsed();
    for response in &bombs {
        assert_eq!(error_code(response), Some("QUERY_TOO_COMPLEX"), "{response}");
        assert_eq!(response["errors"][0]["extensions"]["limit"], 5_000);
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("5000"), "{response}");
    }
    println!("four fragment bombs refused in {elapsed:?}; /healthz answered in {:?}", health.1);
    assert!(elapsed < Duration::from_secs(2), "took {elapsed:?}");
    assert_eq!(health.0, 200);
    assert!(health.1 < Duration::from_secs(2), "/healthz took {:?}", health.1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_password_guesses_in_one_request_check_none() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
    app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
    let sign_in = |password: &str| format!("signIn(input: {{login: \"clerk\", password: \"{password}\"}}) {{ token }}");

    // One wrong guess: what one password check costs.
    let started = Instant::now();
    let one = app.graphql(&format!("mutation {{ {} }}", sign_in("guess")), json!({}), None).await;
    let one_hash = started.elapsed();
    assert_eq!(error_code(&one), Some("UNAUTHENTICATED"), "{one}");

    let guesses: String = (0..100).map(|i| format!(" g{i}: {}", sign_in(&format!("guess{i}")))).collect();
    let started = Instant::now();
    let response = app.graphql(&format!("mutation {{{guesses} }}"), json!({}), None).await;
    let refused_in = started.elapsed();
    println!("one password check: {one_hash:?}; a hundred guesses refused in {refused_in:?}");
    assert_eq!(error_code(&response), Some("ONE_SIGN_IN_PER_REQUEST"), "{response}");
    assert!(response["data"].is_null(), "nothing ran: {response}");
    // A hundred checks would take a hundred times one; refusing takes less than a few.
    assert!(refused_in < one_hash * 10, "{refused_in:?} against one check of {one_hash:?}");

    // Through a fragment, and with registration: the same refusal.
    let both = format!(
        "mutation {{ ...S registerApplicant(input: {{login: \"x\", password: \"y\", name: \"z\", kind: NATURAL_PERSON, \
         idNumber: \"11010519491231002X\"}}) {{ id }} }} fragment S on MutationRoot {{ {} }}",
        sign_in("guess")
    );
    assert_eq!(error_code(&app.graphql(&both, json!({}), None).await), Some("ONE_SIGN_IN_PER_REQUEST"));
    // The right password still signs in.
    assert!(!app.sign_in("clerk").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alias_floods_are_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = clerk(&app).await;
    for (what, query) in [
        ("1000 × queue(first: 100)", aliased(1000, "queue(first: 100) { nodes { id subject } }")),
        ("1000 × pdfBase64", aliased(1000, "document(id: \"00000000-0000-0000-0000-000000000000\") { pdfBase64 }")),
    ] {
        let started = Instant::now();
        let response = app.graphql(&query, json!({}), Some(&token)).await;
        println!("{what}: refused in {:?} ({} bytes sent)", started.elapsed(), query.len());
        assert_eq!(error_code(&response), Some("TOO_MANY_ALIASES"), "{what}: {response}");
        assert_eq!(response["errors"][0]["extensions"]["limit"], 30);
    }
    // Within the alias limit, the cost still refuses: 30 pages of 100 cases.
    let response = app.graphql(&aliased(30, "queue(first: 100) { nodes { id } }"), json!({}), Some(&token)).await;
    assert_eq!(error_code(&response), Some("QUERY_TOO_COMPLEX"), "{response}");
    // And 30 PDFs.
    let pdfs = aliased(30, "document(id: \"00000000-0000-0000-0000-000000000000\") { pdfBase64 }");
    assert_eq!(error_code(&app.graphql(&pdfs, json!({}), Some(&token)).await), Some("QUERY_TOO_COMPLEX"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn depth_and_cost_just_under_pass_and_just_over_are_refused() {
    // Depth alone: the lists of this chain would cost far more than the default allows.
    let app = app_with(Limits { max_complexity: 1_000_000_000, ..Limits::default() }).await;
    let token = clerk(&app).await;
    // document → case → documents → case …: `levels` fields deep.
    let deep = |levels: usize| {
        let mut inner = String::from("id");
        for level in (1..levels - 1).rev() {
            inner = format!("{} {{ {inner} }}", if level % 2 == 1 { "case" } else { "documents" });
        }
        format!("query {{ document(id: \"00000000-0000-0000-0000-000000000000\") {{ {inner} }} }}")
    };
    // 16 levels: past the check, answered by the resolver.
    let response = app.graphql(&deep(16), json!({}), Some(&token)).await;
    assert_eq!(error_code(&response), Some("NOT_FOUND"), "{response}");
    let response = app.graphql(&deep(17), json!({}), Some(&token)).await;
    assert_eq!(error_code(&response), Some("QUERY_TOO_DEEP"), "{response}");
    assert_eq!(response["errors"][0]["extensions"]["limit"], 16);

    // Cost: a page of 50 cases with two fields each is 10 + 50 × 3 = 160.
    let app = app_with(Limits { max_complexity: 160, ..Limits::default() }).await;
    let token = clerk(&app).await;
    let page = |n: u32| format!("query {{ queue(first: {n}) {{ nodes {{ id subject }} }} }}");
    let response = app.graphql(&page(50), json!({}), Some(&token)).await;
    assert!(data(&response)["queue"]["nodes"].is_array());
    let response = app.graphql(&page(51), json!({}), Some(&token)).await;
    assert_eq!(error_code(&response), Some("QUERY_TOO_COMPLEX"), "{response}");
    assert_eq!(response["errors"][0]["extensions"]["limit"], 160);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphiqls_introspection_query_passes() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let started = Instant::now();
    let response = app.graphql(GRAPHIQL_INTROSPECTION_QUERY, json!({}), None).await;
    let types = data(&response)["__schema"]["types"].as_array().unwrap();
    println!("introspection: {} types in {:?}", types.len(), started.elapsed());
    assert!(types.iter().any(|t| t["name"] == "Case"));
}

foi_e2e::on_both_backends! {
    /// Control characters in a variable, a nested input field and a literal argument, from
    /// an anonymous caller: `VALIDATION` naming each, before anything reaches the database.
    async fn control_characters_are_refused_with_their_field(app: TestApp) {
        let submit = "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }";
        let response = app
            .graphql(submit, json!({"i": {"agencyCode": "youxian", "subject": "a\u{0}b",
                "formWanted": "PAPER", "deliveryMethod": "POST"}}), None)
            .await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
        assert_eq!(field(&response), Some("$i.subject"));

        let nested = "mutation($i: RequestCorrectionInput!) { requestCorrection(input: $i) { id } }";
        let response = app
            .graphql(nested, json!({"i": {"change": {"caseId": "x", "version": 1, "reason": "ok"},
                "items": ["fine", "bell\u{7}"]}}), None)
            .await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
        assert_eq!(field(&response), Some("$i.items[1]"));

        let literal = r#"mutation { signIn(input: {login: "clerk\u0000", password: "x"}) { token } }"#;
        let response = app.graphql(literal, json!({}), None).await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
        assert_eq!(field(&response), Some("input.login"));

        // A NUL in a login that reached the database used to be `INTERNAL` on PostgreSQL.
        let response = app
            .graphql("mutation($i: SignInInput!) { signIn(input: $i) { token } }",
                json!({"i": {"login": "\u{0}", "password": "x"}}), None)
            .await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
    }

    /// Texts over their field's limit are refused; line breaks and tabs are kept.
    async fn long_texts_are_refused_and_line_breaks_kept(app: TestApp) {
        app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
        let response = app
            .graphql(
                "mutation($i: RegisterApplicantInput!) { registerApplicant(input: $i) { login } }",
                json!({"i": {"login": "zhang", "password": PASSWORD, "name": "张三", "kind": "NATURAL_PERSON",
                    "idNumber": "11010519491231002X"}}),
                None,
            )
            .await;
        data(&response);
        let applicant = app.sign_in("zhang").await;
        let submit = "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id subject description } }";
        let application = |subject: String, description: &str| {
            json!({"i": {"agencyCode": "youxian", "subject": subject, "description": description,
                "formWanted": "PAPER", "deliveryMethod": "POST"}})
        };

        // 900 KB: within the body limit, refused by the API's text limit.
        let huge = "x".repeat(900 * 1024);
        let response = app.graphql(submit, application(huge, ""), Some(&applicant)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{}", &response.to_string()[..300]);
        assert_eq!(field(&response), Some("$i.subject"));
        assert_eq!(response["errors"][0]["extensions"]["limit"], 20_000);

        // 501 characters: over the subject's own limit.
        let response = app.graphql(submit, application("字".repeat(501), ""), Some(&applicant)).await;
        assert_eq!(error_code(&response), Some("VALIDATION"), "{response}");
        assert_eq!(field(&response), Some("input.subject"));
        assert!(response["errors"][0]["message"].as_str().unwrap().contains("500"), "{response}");

        let response = app
            .graphql(submit, application("字".repeat(500), "第一行\n第二行\t（附表）\r\n"), Some(&applicant))
            .await;
        let case = &data(&response)["submitApplication"];
        assert_eq!(case["subject"].as_str().unwrap().chars().count(), 500);
        assert_eq!(case["description"], "第一行\n第二行\t（附表）");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_execution_deadline_stops_a_long_operation() {
    let query = "query($i: StatisticsInput!) { statistics(input: $i) { csv xlsxBase64 } }";
    let variables = json!({"i": {"month": "2026-08"}});

    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = clerk(&app).await;
    let started = Instant::now();
    let response = app.graphql(query, variables.clone(), Some(&token)).await;
    let normal = started.elapsed();
    assert!(data(&response)["statistics"]["xlsxBase64"].as_str().unwrap().len() > 1_000);

    let app = app_with(Limits { execution_timeout_ms: 1, ..Limits::default() }).await;
    app.create_agency("youxian", "绵阳市游仙区人民政府", None).await;
    let account = app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
    // Not through `signIn`: hashing a password takes longer than this deadline.
    let session = app.store.create_session(account.id, foi_e2e::DEFAULT_NOW, time::Duration::hours(1)).await.unwrap();
    let token = session.token;
    let started = Instant::now();
    let response = app.graphql(query, variables, Some(&token)).await;
    let stopped = started.elapsed();
    println!("statistics with XLSX: {normal:?} by default; stopped after {stopped:?} with a 1 ms deadline");
    assert_eq!(error_code(&response), Some("DEADLINE_EXCEEDED"), "{response}");
    assert_eq!(response["errors"][0]["extensions"]["limit"], 1);
    assert_eq!(response["errors"].as_array().unwrap().len(), 1, "one error says it: {response}");
}

/// Reads one HTTP/1.1 response with a body of `Content-Length` bytes; `None` once the
/// server closed the connection.
async fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap()))
                .unwrap_or(0usize);
            if bytes.len() >= end + 4 + length {
                return Some(text);
            }
        }
        match stream.read(&mut buffer).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => bytes.extend_from_slice(&buffer[..n]),
        }
    }
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.address.trim_start_matches("http://")).await.expect("connect")
}

const HEALTHZ: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: foi\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_sent_request_head_is_cut_off() {
    let mut options = TestOptions::default();
    options.http.header_read_timeout = Duration::from_millis(500);
    let app = TestApp::spawn_with(Backend::Sqlite, options).await.unwrap();
    let mut stream = connect(&app).await;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: fo").await.unwrap();
    let started = Instant::now();
    let answer = tokio::time::timeout(Duration::from_secs(10), read_response(&mut stream)).await;
    let closed_after = started.elapsed();
    println!("half a request head: connection closed after {closed_after:?} (timeout 500 ms)");
    let answer = answer.expect("the server closed the connection rather than wait");
    assert!(answer.is_none() || answer.as_deref().is_some_and(|a| a.starts_with("HTTP/1.1 408")), "{answer:?}");
    assert!(closed_after >= Duration::from_millis(400), "{closed_after:?}");
    assert!(closed_after < Duration::from_secs(5), "{closed_after:?}");
    // A whole request on a new connection is served.
    let mut stream = connect(&app).await;
    stream.write_all(HEALTHZ).await.unwrap();
    assert!(read_response(&mut stream).await.unwrap().ends_with("ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_third_connection_waits_while_two_are_served() {
    let mut options = TestOptions::default();
    options.http.max_connections = 2;
    let app = TestApp::spawn_with(Backend::Sqlite, options).await.unwrap();
    // Two keep-alive connections, each served once and left open.
    let mut first = connect(&app).await;
    let mut second = connect(&app).await;
    for stream in [&mut first, &mut second] {
        stream.write_all(HEALTHZ).await.unwrap();
        assert!(read_response(stream).await.unwrap().ends_with("ok"));
    }
    let mut third = connect(&app).await;
    third.write_all(HEALTHZ).await.unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(700), read_response(&mut third)).await;
    assert!(waited.is_err(), "a third connection was served while two were open: {waited:?}");
    // One closes: the third is served.
    drop(first);
    let started = Instant::now();
    let served = tokio::time::timeout(Duration::from_secs(5), read_response(&mut third)).await;
    println!("the third connection was served {:?} after the first closed", started.elapsed());
    assert!(served.expect("served once a connection closed").unwrap().ends_with("ok"));
    // The second still works.
    second.write_all(HEALTHZ).await.unwrap();
    assert!(read_response(&mut second).await.unwrap().ends_with("ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_lets_the_request_in_flight_finish() {
    use foi_server::attachments::{Attachments, AttachmentsConfig, DEFAULT_MAX_BYTES, Location};
    let database = foi_store::testing::TestDatabase::create(Backend::Sqlite).await.unwrap();
    let store = foi_store::Store::connect(database.url()).await.unwrap();
    let clock = std::sync::Arc::new(foi_e2e::TestClock::new(foi_e2e::DEFAULT_NOW));
    let state = foi_api::ApiState::load(store, clock).await.unwrap_or_else(|e| panic!("{}", e.message()));
    let dir = tempfile::tempdir().unwrap();
    let attachments = Attachments::open(&AttachmentsConfig {
        location: Location::Dir(dir.path().to_owned()),
        max_bytes: DEFAULT_MAX_BYTES,
    })
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(foi_server::serve_with(
        listener,
        state,
        attachments,
        foi_server::HttpConfig::default(),
        async move {
            let _ = stopped.await;
        },
    ));

    // A request whose body is half sent when the shutdown comes.
    let body = br#"{"query":"{ apiVersion }"}"#;
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: foi\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body[..10]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    stop.send(()).unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!server.is_finished(), "the server stopped with a request in flight");
    stream.write_all(&body[10..]).await.unwrap();
    let answer = read_response(&mut stream).await.expect("the request in flight is answered");
    assert!(answer.starts_with("HTTP/1.1 200") && answer.contains("apiVersion"), "{answer}");
    // Then the server stops, and accepts nobody.
    let stopped = tokio::time::timeout(Duration::from_secs(5), server).await;
    stopped.expect("the server stops once the request is answered").unwrap().unwrap();
    assert!(TcpStream::connect(address).await.is_err(), "a connection accepted after the shutdown");
}

/// The websocket executes operations through the same schema: the same check refuses there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_websocket_refuses_the_fragment_bomb_too() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    let token = clerk(&app).await;
    let mut request = app.url("/graphql/ws").replacen("http://", "ws://", 1).into_client_request().unwrap();
    request.headers_mut().insert("Sec-WebSocket-Protocol", "graphql-transport-ws".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(request).await.expect("the websocket opens");
    let send = async |ws: &mut tokio_tungstenite::WebSocketStream<_>, message: Value| {
        ws.send(Message::Text(message.to_string().into())).await.expect("sent");
    };
    send(&mut ws, json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {token}")}})).await;
    let mut bomb = String::from("subscription { ...F0 }\n");
    for level in 0..10 {
        let next = format!("...F{}", level + 1);
        bomb.push_str(&format!("fragment F{level} on SubscriptionRoot {{ {next} {next} {next} {next} }}\n"));
    }
    bomb.push_str("fragment F10 on SubscriptionRoot { queueChanged { caseId } }\n");
    send(&mut ws, json!({"id": "b", "type": "subscribe", "payload": {"query": bomb}})).await;
    let started = Instant::now();
    let answer = loop {
        let message =
            tokio::time::timeout(Duration::from_secs(10), ws.next()).await.expect("an answer").unwrap().unwrap();
        let Message::Text(text) = message else { continue };
        let value: Value = serde_json::from_str(&text).unwrap();
        if value["type"] == "error" || value["type"] == "next" {
            break value;
        }
    };
    let error = if answer["type"] == "error" { &answer["payload"][0] } else { &answer["payload"]["errors"][0] };
    assert_eq!(error["extensions"]["code"], "QUERY_TOO_COMPLEX", "{answer}");
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());
}
