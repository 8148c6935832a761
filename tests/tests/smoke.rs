//! Smoke tests of the HTTP surface: health, the GraphQL endpoint, GraphiQL, and the errors a
//! careless or hostile client gets instead of a hang or a crash. Each runs on SQLite and,
//! with `FOI_TEST_POSTGRES_URL`, on PostgreSQL.

use foi_e2e::{PASSWORD, TestApp, data, error_code};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

foi_e2e::on_both_backends! {
    /// `/healthz` answers `200 ok` while the database answers.
    async fn healthz_is_ok(app: TestApp) {
        let response = app.get("/healthz").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "ok");
    }

    /// The smallest query works over HTTP, without signing in.
    async fn api_version_answers(app: TestApp) {
        let response = app.graphql("{ apiVersion }", json!({}), None).await;
        assert!(data(&response)["apiVersion"].as_str().is_some_and(|v| !v.is_empty()), "{response}");
    }

    /// GET /graphql is GraphiQL, pointed at /graphql.
    async fn graphiql_is_served_on_get(app: TestApp) {
        let response = app.get("/graphql").await;
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(content_type.starts_with("text/html"), "{content_type}");
        let page = response.text().await.unwrap();
        assert!(page.contains("graphiql"), "no GraphiQL in:\n{page}");
        assert!(page.contains("/graphql"), "GraphiQL is not pointed at /graphql");
    }

    /// Garbage JSON is a 400 with a GraphQL-shaped error.
    async fn garbage_json_is_bad_request(app: TestApp) {
        let response = app.post_graphql_raw("{\"query\": ", Some("application/json")).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
        // Valid JSON that is not a GraphQL request is refused the same way.
        let response = app.post_graphql_raw("[1, 2, 3]", Some("application/json")).await;
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{body}");
    }

    /// A body over 1 MiB is a 413, not a hang and not an out-of-memory.
    async fn huge_body_is_payload_too_large(app: TestApp) {
        let huge = format!("{{\"query\": \"{}\"}}", " ".repeat(2 * 1024 * 1024));
        let response = app.post_graphql_raw(huge, Some("application/json")).await;
        assert_eq!(response.status(), 413);
        let body: Value = response.json().await.unwrap();
        assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
        // And the server is still there.
        assert_eq!(app.get("/healthz").await.status(), 200);
    }

    /// A body without a declared length (chunked) is cut off at 1 MiB just the same.
    async fn huge_chunked_body_is_payload_too_large(app: TestApp) {
        let address = app.address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(address).await.unwrap();
        let head = format!(
            "POST /graphql HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let chunk = [b' '; 64 * 1024];
        for _ in 0..32 {
            stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.unwrap();
            stream.write_all(&chunk).await.unwrap();
            stream.write_all(b"\r\n").await.unwrap();
        }
        stream.write_all(b"0\r\n\r\n").await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("PAYLOAD_TOO_LARGE"), "{answer}");
    }

    /// A body that is not declared as JSON is a 415.
    async fn wrong_content_type_is_unsupported(app: TestApp) {
        for content_type in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
            let response = app.post_graphql_raw("{\"query\": \"{ apiVersion }\"}", content_type).await;
            assert_eq!(response.status(), 415, "{content_type:?}");
            let body: Value = response.json().await.unwrap();
            assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"), "{body}");
        }
    }

    /// `me` needs a session: without one (or with a made-up one) it is `UNAUTHENTICATED`.
    async fn protected_fields_need_a_session(app: TestApp) {
        let response = app.graphql("{ me { login } }", json!({}), None).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"), "{response}");
        let response = app.graphql("{ me { login } }", json!({}), Some("not-a-token")).await;
        assert_eq!(error_code(&response), Some("UNAUTHENTICATED"), "{response}");
    }

    /// A staff account made like `foi admin create-staff` signs in over HTTP, and its token
    /// reaches the API through the `Authorization` header.
    async fn staff_created_by_the_admin_path_can_sign_in(app: TestApp) {
        app.create_agency("youxian", "游仙区人民政府", None).await;
        app.create_agency("youxian-edu", "游仙区教育局", Some("youxian")).await;
        app.create_staff("clerk", "youxian-edu", &["clerk"], PASSWORD).await;
        let response = app
            .graphql(
                "mutation($input: SignInInput!) { signIn(input: $input) { token } }",
                json!({ "input": { "login": "clerk", "password": PASSWORD } }),
                None,
            )
            .await;
        let token = data(&response)["signIn"]["token"].as_str().expect("a token").to_owned();
        let response = app.graphql("{ me { login roles } }", json!({}), Some(&token)).await;
        assert_eq!(data(&response)["me"], json!({ "login": "clerk", "roles": ["clerk"] }));
    }

    /// Malformed operations, missing fields and values of the wrong type get a code too.
    async fn malformed_operations_have_a_code(app: TestApp) {
        for (query, variables) in [
            ("{ apiVersion", json!({})),
            ("{ noSuchField }", json!({})),
            ("mutation($i: SignInInput!) { signIn(input: $i) { token } }", json!({"i": {"login": "x"}})),
            ("query($id: ID!) { case(id: $id) { id } }", json!({})),
            ("mutation($i: CaseChangeInput!) { acceptCase(input: $i) { id } }",
                json!({"i": {"caseId": "x", "version": 1, "on": "2026-02-30"}})),
        ] {
            let response = app.graphql(query, variables, None).await;
            assert_eq!(error_code(&response), Some("GRAPHQL_VALIDATION_FAILED"), "{query}: {response}");
        }
    }
}
