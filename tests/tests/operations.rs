//! What an operator and a browser see of `foi serve`: security headers, request ids, CORS,
//! `/readyz`, `/metrics`, and GraphiQL and introspection off in production mode.

use foi_e2e::{Backend, TestApp, TestOptions, on_both_backends};
use serde_json::{Value, json};

async fn spawn(options: TestOptions) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, options).await.expect("SQLite always runs")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

/// A production configuration as `foi serve` derives it from `mode = "production"`.
fn production() -> TestOptions {
    let mut options = TestOptions::default();
    options.http.graphiql = false;
    options.api.introspection = false;
    options
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_a_request_id() {
    let app = spawn(TestOptions::default()).await;
    let health = app.get("/healthz").await;
    let graphql = app.post_graphql_raw(r#"{"query":"{ __typename }"}"#, Some("application/json")).await;
    let not_found = app.get("/no/such/route").await;
    for response in [&health, &graphql, &not_found] {
        let csp = header(response, "content-security-policy").unwrap_or_default();
        assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
        assert_eq!(header(response, "x-content-type-options"), Some("nosniff"));
        assert_eq!(header(response, "x-frame-options"), Some("DENY"));
        assert_eq!(header(response, "referrer-policy"), Some("no-referrer"));
        assert_eq!(header(response, "strict-transport-security"), None, "HSTS is off by default");
        let id = header(response, "x-request-id").expect("a request id");
        assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    }
    assert_ne!(header(&health, "x-request-id"), header(&graphql, "x-request-id"), "one id per request");

    // GraphiQL's page gets a policy of its own: its vendored scripts and styles, from this
    // origin only (crates/foi-web/static/README.md), and nothing from another host.
    let page = app.get("/graphql").await;
    assert_eq!(page.status(), 200);
    let csp = header(&page, "content-security-policy").unwrap_or_default();
    assert!(csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!csp.contains("https:") && !csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header(&page, "x-frame-options"), Some("DENY"));

    let mut options = TestOptions::default();
    options.http.hsts = true;
    let app = spawn(options).await;
    let response = app.get("/healthz").await;
    let hsts = header(&response, "strict-transport-security").expect("HSTS when configured");
    assert!(hsts.starts_with("max-age="), "{hsts}");
}

#[tokio::test]
async fn a_safe_request_id_is_kept_and_an_unsafe_one_replaced() {
    let app = spawn(TestOptions::default()).await;
    let sent = |id: &'static str| app.client().get(app.url("/healthz")).header("x-request-id", id).send();
    let kept = sent("edge-7f3a.42").await.unwrap();
    assert_eq!(header(&kept, "x-request-id"), Some("edge-7f3a.42"));
    for bad in ["has space", "<script>", "x".repeat(65).leak() as &str] {
        let replaced = sent(bad).await.unwrap();
        let id = header(&replaced, "x-request-id").unwrap();
        assert_ne!(id, bad);
        assert_eq!(id.len(), 32, "{id}");
    }
}

async fn preflight(app: &TestApp, origin: &str) -> reqwest::Response {
    app.client()
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization, content-type")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn cors_is_closed_by_default_and_open_to_the_allowed_origins_only() {
    // Closed: no CORS header at all, so a browser refuses the call.
    let app = spawn(TestOptions::default()).await;
    let response = preflight(&app, "https://portal.example.gov.cn").await;
    assert_eq!(header(&response, "access-control-allow-origin"), None);
    let response = app
        .client()
        .post(app.url("/graphql"))
        .header("origin", "https://portal.example.gov.cn")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "access-control-allow-origin"), None);

    let mut options = TestOptions::default();
    options.http.cors_allowed_origins = vec!["https://portal.example.gov.cn".to_owned()];
    let app = spawn(options).await;
    let allowed = preflight(&app, "https://portal.example.gov.cn").await;
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(header(&allowed, "access-control-allow-origin"), Some("https://portal.example.gov.cn"));
    let methods = header(&allowed, "access-control-allow-methods").unwrap_or_default().to_ascii_uppercase();
    assert!(methods.contains("POST"), "{methods}");
    let headers = header(&allowed, "access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");

    let refused = preflight(&app, "https://evil.example").await;
    assert_eq!(header(&refused, "access-control-allow-origin"), None);
    // A look-alike is another origin.
    let refused = preflight(&app, "https://portal.example.gov.cn.evil.example").await;
    assert_eq!(header(&refused, "access-control-allow-origin"), None);

    let actual = app
        .client()
        .post(app.url("/graphql"))
        .header("origin", "https://portal.example.gov.cn")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .unwrap();
    assert_eq!(header(&actual, "access-control-allow-origin"), Some("https://portal.example.gov.cn"));
    let exposed = header(&actual, "access-control-expose-headers").unwrap_or_default().to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
}

on_both_backends! {
    async fn readyz_is_ready_on_a_migrated_database(app: TestApp) {
        let response = app.get("/readyz").await;
        assert_eq!(response.status(), 200);
        assert_eq!(response.text().await.unwrap(), "ready");
        assert_eq!(app.get("/healthz").await.status(), 200);
    }
}

#[tokio::test]
async fn production_mode_serves_neither_graphiql_nor_introspection() {
    let introspect = "{ __schema { queryType { name } } }";
    let dev = spawn(TestOptions::default()).await;
    let answer = dev.graphql(introspect, json!({}), None).await;
    assert_eq!(answer["data"]["__schema"]["queryType"]["name"], "QueryRoot", "{answer}");

    let app = spawn(production()).await;
    let page = app.get("/graphql").await;
    assert_eq!(page.status(), 404);
    let body: Value = page.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "NOT_FOUND", "{body}");
    // async-graphql answers a disabled introspection with nulls, not an error.
    let answer = app.graphql(introspect, json!({}), None).await;
    assert!(answer["data"]["__schema"].is_null(), "{answer}");
    let answer = app.graphql(r#"{ __type(name: "Case") { fields { name } } }"#, json!({}), None).await;
    assert!(answer["data"]["__type"].is_null(), "{answer}");
    let answer = dev.graphql(r#"{ __type(name: "Case") { fields { name } } }"#, json!({}), None).await;
    assert!(answer["data"]["__type"]["fields"].is_array(), "{answer}");
    // Ordinary queries still work.
    let answer = app.graphql("{ __typename }", json!({}), None).await;
    assert_eq!(answer["data"]["__typename"], "QueryRoot", "{answer}");
}

/// The value of the series `name{labels…}` whose labels include every one of `labels`.
fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
        if metric != name {
            return None;
        }
        labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))).then(|| value.parse().ok())?
    })
}

async fn scrape(app: &TestApp) -> String {
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let kind = header(&response, "content-type").unwrap_or_default().to_owned();
    assert!(kind.starts_with("text/plain"), "{kind}");
    response.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_operation_outcome_and_code() {
    let app = spawn(TestOptions::default()).await;
    // Names no other test uses: the recorder is the process's, shared by every app.
    let query = "query OpsMetricsProbe { __typename }";
    let before = scrape(&app).await;
    let ok = [("operation", "OpsMetricsProbe"), ("outcome", "ok")];
    let count_before = sample(&before, "foi_graphql_requests_total", &ok).unwrap_or(0.0);
    app.graphql(query, json!({}), None).await;
    let after = scrape(&app).await;
    assert_eq!(sample(&after, "foi_graphql_requests_total", &ok), Some(count_before + 1.0), "{after}");
    let bucket = after
        .lines()
        .find(|l| l.starts_with("foi_graphql_request_duration_seconds_bucket") && l.contains("OpsMetricsProbe"));
    assert!(bucket.is_some(), "no latency histogram:\n{after}");

    // A document refused by validation never reaches the executor, so its name is unknown:
    // it counts as an anonymous error, with its code.
    let errors = [("code", "GRAPHQL_VALIDATION_FAILED")];
    let anonymous = [("operation", "anonymous"), ("outcome", "error")];
    let codes_before = sample(&after, "foi_graphql_errors_total", &errors).unwrap_or(0.0);
    let anonymous_before = sample(&after, "foi_graphql_requests_total", &anonymous).unwrap_or(0.0);
    let refused = app.graphql("query OpsMetricsBroken { noSuchField }", json!({}), None).await;
    assert_eq!(foi_e2e::error_code(&refused), Some("GRAPHQL_VALIDATION_FAILED"), "{refused}");
    let text = scrape(&app).await;
    assert!(!text.contains("OpsMetricsBroken"), "{text}");
    assert!(sample(&text, "foi_graphql_requests_total", &anonymous).unwrap() >= anonymous_before + 1.0, "{text}");
    assert!(sample(&text, "foi_graphql_errors_total", &errors).unwrap() >= codes_before + 1.0, "{text}");

    // A hostile name does not become a label.
    app.post_graphql_raw(
        r#"{"query":"{ __typename }","operationName":"x\"} 1\nfoi_fake 9"}"#,
        Some("application/json"),
    )
    .await;
    let text = scrape(&app).await;
    assert!(!text.contains("foi_fake"), "{text}");
    assert!(sample(&text, "foi_graphql_requests_total", &[("operation", "invalid")]).is_some(), "{text}");

    assert!(sample(&text, "foi_http_requests_total", &[("status", "200")]).unwrap() >= 3.0, "{text}");
    let idle = sample(&text, "foi_db_pool_connections", &[("state", "idle")]).expect("pool idle");
    let in_use = sample(&text, "foi_db_pool_connections", &[("state", "in_use")]).expect("pool in use");
    let max = sample(&text, "foi_db_pool_max_connections", &[]).expect("pool max");
    assert!(idle >= 0.0 && in_use >= 0.0 && idle + in_use <= max && max >= 1.0, "{idle} {in_use} {max}");
    for gauge in ["foi_cases_open", "foi_cases_overdue", "foi_outbox_backlog"] {
        let value = sample(&text, gauge, &[]).unwrap_or_else(|| panic!("{gauge} missing:\n{text}"));
        assert!(value >= 0.0 && value.fract() == 0.0, "{gauge} = {value}");
    }
    for counter in ["foi_sweep_runs_total", "foi_sweep_cases_changed_total", "foi_sign_in_refusals_total"] {
        assert!(text.contains(&format!("# TYPE {counter} counter")), "{counter} missing:\n{text}");
    }
}

#[tokio::test]
async fn the_case_gauges_count_open_and_overdue_cases() {
    let app = spawn(TestOptions::default()).await;
    let today = time::macros::date!(2026 - 09 - 18);
    assert_eq!(app.store.open_and_overdue(today).await.unwrap(), (0, 0));
    let agency = app.create_agency("opsgauge", "运维测试局", None).await;
    let calendar = app.store.load_calendar().await.unwrap();
    let actor = foi_store::Actor { account_id: None, label: "test".into() };
    // One received today, one received in July: its 20 working days ran out in August.
    for received in [today, time::macros::date!(2026 - 07 - 01)] {
        let application =
            foi_store::testing::paper_application(agency.id, foi_domain::applicant::ApplicantKind::NaturalPerson);
        let first =
            foi_domain::lifecycle::Event::Received { on: received, channel: foi_domain::applicant::Channel::InPerson };
        app.store
            .open_case(application, first, &actor, &calendar, foi_e2e::DEFAULT_NOW)
            .await
            .unwrap_or_else(|e| panic!("open_case: {e:?}"));
    }
    assert_eq!(app.store.open_and_overdue(today).await.unwrap(), (2, 1));
    // Read at scrape time (this app's cache is empty: it was never scraped).
    let text = scrape(&app).await;
    assert_eq!(sample(&text, "foi_cases_open", &[]), Some(2.0), "{text}");
    assert_eq!(sample(&text, "foi_cases_overdue", &[]), Some(1.0), "{text}");
}

#[tokio::test]
async fn metrics_can_require_a_token() {
    let mut options = TestOptions::default();
    options.http.metrics_token = Some("a-long-metrics-token-0001".to_owned());
    let app = spawn(options).await;
    let refused = app.get("/metrics").await;
    assert_eq!(refused.status(), 401);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let wrong = app.client().get(app.url("/metrics")).bearer_auth("a-long-metrics-token-0002").send().await.unwrap();
    assert_eq!(wrong.status(), 401);
    let allowed = app.client().get(app.url("/metrics")).bearer_auth("a-long-metrics-token-0001").send().await.unwrap();
    assert_eq!(allowed.status(), 200);
    assert!(allowed.text().await.unwrap().contains("foi_http_requests_total"));
}
