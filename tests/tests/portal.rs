//! The portal (`foi-web`) through the real router over HTTP, as a browser without
//! JavaScript uses it: pages, cookies, CSRF, forms and their errors, an applicant's journey
//! from registration to the case page, and no reference to another host.

use std::collections::BTreeMap;

use foi_e2e::{Backend, TestApp, TestOptions};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, LOCATION, SET_COOKIE};

const APPLICANT_PASSWORD: &str = "a quiet river under nine bridges";

/// A browser without JavaScript: keeps cookies, follows no redirect by itself (so a test
/// sees each `Set-Cookie` and `Location`).
struct Browser {
    client: reqwest::Client,
    base: String,
    cookies: BTreeMap<String, String>,
    /// Extra headers sent with every request (e.g. `X-Forwarded-Proto`).
    extra: Vec<(&'static str, &'static str)>,
}

/// One answer: status, headers and body.
struct Got {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Got {
    fn location(&self) -> &str {
        self.headers.get(LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    fn set_cookies(&self) -> Vec<String> {
        self.headers.get_all(SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).map(str::to_owned).collect()
    }

    /// The value of the hidden `csrf` field of the page's first form that has one.
    fn csrf(&self) -> String {
        let at = self.body.find("name=\"csrf\" value=\"").expect("a form with a CSRF field") + 19;
        self.body[at..].split('"').next().unwrap().to_owned()
    }
}

impl Browser {
    fn new(app: &TestApp) -> Browser {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        Browser { client, base: app.address.clone(), cookies: BTreeMap::new(), extra: Vec::new() }
    }

    fn cookie_header(&self) -> String {
        self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ")
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Got {
        let mut request = request.header("cookie", self.cookie_header());
        for (k, v) in &self.extra {
            request = request.header(*k, *v);
        }
        let response = request.send().await.expect("the portal answers");
        let got = Got {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("a body"),
        };
        for c in got.set_cookies() {
            let pair = c.split(';').next().unwrap();
            let (k, v) = pair.split_once('=').unwrap();
            if v.is_empty() || c.contains("Max-Age=0") {
                self.cookies.remove(k);
            } else {
                self.cookies.insert(k.to_owned(), v.to_owned());
            }
        }
        got
    }

    async fn get(&mut self, path: &str) -> Got {
        let request = self.client.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Got {
        let body = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect::<Vec<_>>().join("&");
        let request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    /// GETs the form at `path`, then posts `fields` to `action` with its CSRF token.
    async fn submit(&mut self, path: &str, action: &str, fields: &[(&str, &str)]) -> Got {
        let form = self.get(path).await;
        assert_eq!(form.status, 200, "GET {path}: {}", form.body);
        let csrf = form.csrf();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post(action, &all).await
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The district and a department under it.
async fn agencies(app: &TestApp) {
    app.create_agency("youxian", "游仙区人民政府", None).await;
    app.create_agency("fgj", "游仙区发展和改革局", Some("youxian")).await;
}

/// Registers `login` through the registration page and signs in through the sign-in page.
async fn applicant(app: &TestApp, login: &str, id_number: &str) -> Browser {
    let mut browser = Browser::new(app);
    let registered = browser
        .submit(
            "/register",
            "/register",
            &[
                ("kind", "NATURAL_PERSON"),
                ("name", "张三"),
                ("idNumber", id_number),
                ("phone", "13800138000"),
                ("login", login),
                ("password", APPLICANT_PASSWORD),
            ],
        )
        .await;
    assert_eq!(registered.status, 200, "registration: {}", registered.body);
    assert!(registered.body.contains("注册已提交"), "{}", registered.body);
    let signed_in = browser.submit("/signin", "/signin", &[("login", login), ("password", APPLICANT_PASSWORD)]).await;
    assert_eq!(signed_in.status, 303, "sign-in: {}", signed_in.body);
    assert!(browser.cookies.contains_key("foi_session"));
    browser
}

/// Every `http://` or `https://` in `text`: the portal's own links are relative.
fn absolute_urls(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for scheme in ["http://", "https://"] {
        let mut rest = text;
        while let Some(at) = rest.find(scheme) {
            let url: String = rest[at..].chars().take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<').collect();
            found.push(url);
            rest = &rest[at + scheme.len()..];
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_public_page_renders_with_its_heading() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut browser = Browser::new(&app);
        for (path, heading) in [
            ("/", "<h1>政府信息公开申请</h1>"),
            ("/guide", "<h1>申请指南</h1>"),
            ("/agencies", "<h1>受理机关</h1>"),
            ("/apply", "<h1>在线申请政府信息公开</h1>"),
            ("/signin", "<h1>登录</h1>"),
            ("/register", "<h1>注册申请人账号</h1>"),
            ("/register?as=org", "统一社会信用代码"),
            ("/follow", "<h1>查询办理进度</h1>"),
            ("/statistics", "<h1>公开统计</h1>"),
            ("/statistics?agency=youxian&year=2026", "<table class=\"stats\">"),
        ] {
            let page = browser.get(path).await;
            assert_eq!(page.status, 200, "GET {path}: {}", page.body);
            assert!(page.body.contains(heading), "GET {path} lacks {heading}: {}", page.body);
            assert!(page.body.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\""), "GET {path}");
            assert!(page.body.contains("<a class=\"skip-link\" href=\"#main\">"), "GET {path}: skip link");
            assert!(page.body.contains("<main id=\"main\""), "GET {path}: main");
            let csp = page.headers["content-security-policy"].to_str().unwrap();
            assert!(csp.contains("style-src 'self'") && !csp.contains("script-src"), "{path}: {csp}");
            assert_eq!(page.headers["cache-control"], "no-store");
        }
        // The guide states the limits and remedies with their articles.
        let guide = browser.get("/guide").await.body;
        for text in [
            "20 个工作日",
            "条例第三十三条",
            "条例第四十二条",
            "国办函〔2020〕109号",
            "条例第三十条",
            "60 日",
            "6 个月",
        ] {
            assert!(guide.contains(text), "the guide lacks {text}");
        }
        // The picker shows the tree and searches by name.
        let all = browser.get("/agencies").await.body;
        assert!(all.contains("游仙区人民政府") && all.contains("class=\"depth-1\""), "{all}");
        let found = browser.get("/agencies?q=%E5%8F%91%E5%B1%95").await.body; // 发展
        assert!(found.contains("游仙区发展和改革局") && !found.contains("<span>游仙区人民政府</span>"), "{found}");
        assert!(found.contains("href=\"/apply?agencyCode=fgj\""));
        let picked = browser.get("/apply?agencyCode=fgj").await.body;
        assert!(picked.contains("<option value=\"fgj\" selected>"), "{picked}");
        // The API's existing routes are untouched.
        assert_eq!(browser.get("/healthz").await.body, "ok");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_refers_to_another_host() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut browser = Browser::new(&app);
        let home = browser.get("/").await;
        for path in [
            "/",
            "/guide",
            "/agencies",
            "/apply",
            "/apply?as=org",
            "/signin",
            "/register",
            "/register?as=org",
            "/follow",
            "/statistics?agency=youxian&year=2026",
        ] {
            let page = browser.get(path).await;
            assert_eq!(absolute_urls(&page.body), Vec::<String>::new(), "GET {path}");
        }
        // The stylesheet: linked under its content hash, cached for a year, no `//` URL.
        let at = home.body.find("href=\"/static/site.").expect("the stylesheet link") + 6;
        let css_path = home.body[at..].split('"').next().unwrap().to_owned();
        let css = browser.get(&css_path).await;
        assert_eq!(css.status, 200);
        assert!(css.headers["cache-control"].to_str().unwrap().contains("max-age=31536000"));
        assert!(!css.body.contains("//"), "the stylesheet names a URL");
        assert!(!css.body.contains("@import") && !css.body.contains("@font-face"));
        // GraphiQL works offline: its page loads only this origin's files.
        let graphiql = browser.get("/graphql").await;
        assert_eq!(graphiql.status, 200);
        assert_eq!(absolute_urls(&graphiql.body), Vec::<String>::new());
        let csp = graphiql.headers["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self';") && csp.contains("style-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        assert!(!csp.contains("unpkg") && !csp.contains("https:"), "{csp}");
        let mut assets = 0;
        for part in graphiql.body.split("src=\"").skip(1).chain(graphiql.body.split("href=\"").skip(1)) {
            let src = part.split('"').next().unwrap();
            assert!(src.starts_with("/static/graphiql/"), "GraphiQL loads {src}");
            let asset = browser.get(src).await;
            assert_eq!(asset.status, 200, "GET {src}");
            assets += 1;
        }
        assert_eq!(assets, 6, "four scripts and two stylesheets");
        let init = browser.get("/static/graphiql/init.js").await.body;
        assert!(!init.contains("//") || !init.contains("http"), "init.js names a URL");
        assert!(init.contains("createFetcher"));
        assert!(graphiql.body.contains("data-endpoint=\"/graphql\""));
        assert_eq!(browser.get("/static/graphiql/LICENSE.graphiql").await.status, 200);
        assert_eq!(browser.get("/static/nothing.js").await.status, 404);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_post_without_its_csrf_token_is_refused() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut stranger = Browser::new(&app);
        // No token at all.
        let refused = stranger.post("/signin", &[("login", "x"), ("password", "y")]).await;
        assert_eq!(refused.status, 403);
        assert!(refused.body.contains("表单已失效") && refused.body.contains("刷新页面后重新填写"), "{}", refused.body);
        // The cookie, but another value in the form (a forged page cannot read the cookie).
        stranger.get("/signin").await;
        assert!(stranger.cookies.contains_key("foi_csrf"));
        let forged = stranger.post("/signin", &[("csrf", "0123456789abcdef"), ("login", "x"), ("password", "y")]).await;
        assert_eq!(forged.status, 403);
        // Signed in, the token is the session's: the anonymous one no longer passes.
        let mut zhang = applicant(&app, "zhangsan", "11010519491231002X").await;
        let anonymous_value = stranger.cookies["foi_csrf"].clone();
        for (path, fields) in [
            ("/apply", vec![("subject", "预算"), ("agencyCode", "youxian")]),
            ("/signout", vec![]),
            ("/register", vec![("login", "y")]),
        ] {
            let refused = zhang.post(path, &fields).await;
            assert_eq!(refused.status, 403, "POST {path} without a token");
            let mut with_other = vec![("csrf", anonymous_value.as_str())];
            with_other.extend(fields.iter().copied());
            assert_eq!(zhang.post(path, &with_other).await.status, 403, "POST {path} with another's token");
        }
        // Nothing was submitted.
        let my = zhang.get("/my").await;
        assert!(my.body.contains("您还没有提交过申请"), "{}", my.body);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_sets_an_http_only_same_site_cookie_secure_behind_tls() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        applicant(&app, "zhangsan", "11010519491231002X").await;
        let mut browser = Browser::new(&app);
        let signed_in = browser
            .submit(
                "/signin?next=/my",
                "/signin",
                &[("login", "zhangsan"), ("password", APPLICANT_PASSWORD), ("next", "/my")],
            )
            .await;
        assert_eq!(signed_in.status, 303);
        assert_eq!(signed_in.location(), "/my");
        let cookie =
            signed_in.set_cookies().into_iter().find(|c| c.starts_with("foi_session=")).expect("the session cookie");
        assert!(
            cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Path=/"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain HTTP from no proxy: {cookie}");
        // A client cannot claim TLS: 127.0.0.1 is not a trusted proxy here.
        let mut claims = Browser::new(&app);
        claims.extra.push(("x-forwarded-proto", "https"));
        let got = claims.submit("/signin", "/signin", &[("login", "zhangsan"), ("password", APPLICANT_PASSWORD)]).await;
        assert!(got.set_cookies().iter().all(|c| !c.contains("Secure")));
        // The page knows who is signed in; signing out ends the session and the cookie.
        let home = browser.get("/").await.body;
        assert!(home.contains("张三") && home.contains("我的申请"), "{home}");
        let csrf = browser.get("/").await.csrf();
        let out = browser.post("/signout", &[("csrf", &csrf)]).await;
        assert_eq!(out.status, 303);
        assert!(out.set_cookies().iter().any(|c| c.starts_with("foi_session=;") && c.contains("Max-Age=0")));
        assert_eq!(browser.get("/my").await.location(), "/signin?next=/my");
        // A wrong password: the API's message, the login kept.
        let wrong = browser.submit("/signin", "/signin", &[("login", "zhangsan"), ("password", "not it at all")]).await;
        assert_eq!(wrong.status, 400);
        assert!(
            wrong.body.contains("class=\"error-summary\"") && wrong.body.contains("value=\"zhangsan\""),
            "{}",
            wrong.body
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_a_trusted_tls_proxy_the_cookie_is_secure() {
    let mut options = TestOptions::default();
    options.http.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    let Some(app) = TestApp::spawn_with(Backend::Sqlite, options).await else { return };
    agencies(&app).await;
    let mut browser = Browser::new(&app);
    browser.extra.push(("x-forwarded-proto", "https"));
    let page = browser.get("/signin").await;
    assert!(
        page.set_cookies().iter().any(|c| c.starts_with("foi_csrf=") && c.ends_with("; Secure")),
        "{:?}",
        page.set_cookies()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_value_is_shown_beside_its_field_with_the_input_kept() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut zhang = applicant(&app, "zhangsan", "11010519491231002X").await;
        let refused = zhang
            .submit(
                "/apply",
                "/apply",
                &[
                    ("agencyCode", "fgj"),
                    ("subject", "   "),
                    ("description", "保留的描述 <b>不是标签</b>"),
                    ("formWanted", "PAPER"),
                    ("deliveryMethod", "POST"),
                ],
            )
            .await;
        assert_eq!(refused.status, 400);
        let body = &refused.body;
        // The API's message (extensions.field `input.subject`) beside the subject field …
        let error_at = body.find("<span class=\"error-message\" id=\"subject-error\">").expect("the subject's error");
        let input_at = body.find("<input type=\"text\" id=\"subject\"").expect("the subject field");
        assert!(error_at < input_at);
        assert!(body[error_at..input_at].contains("must not be empty"), "{}", &body[error_at..input_at]);
        assert!(
            body[input_at..].split('>').next().unwrap().contains("aria-describedby=\"subject-hint subject-error\"")
        );
        assert!(body[input_at..].split('>').next().unwrap().contains("aria-invalid=\"true\""));
        // … summarised at the top with a link to it …
        let summary =
            body.split("<a href=\"#subject\">").nth(1).expect("a link to the field").split("</a>").next().unwrap();
        assert!(summary.contains("must not be empty"), "{summary}");
        // … and the rest kept, escaped.
        assert!(body.contains("保留的描述 &lt;b&gt;不是标签&lt;&#x2f;b&gt;</textarea>"), "{body}");
        assert!(body.contains("<option value=\"fgj\" selected>"));
        assert!(body.contains("value=\"PAPER\" checked") && body.contains("value=\"POST\" checked"));
        // An unknown agency: the API's message beside the agency field.
        let unknown = zhang
            .submit(
                "/apply",
                "/apply",
                &[("agencyCode", "nowhere"), ("subject", "预算"), ("formWanted", "PAPER"), ("deliveryMethod", "POST")],
            )
            .await;
        assert_eq!(unknown.status, 400);
        assert!(
            unknown.body.contains("id=\"agencyCode-error\"") && unknown.body.contains("nowhere"),
            "{}",
            unknown.body
        );
        // A wrong identity number on registration: beside the field, the name kept.
        let mut other = Browser::new(&app);
        let bad_id = other
            .submit(
                "/register",
                "/register",
                &[
                    ("kind", "NATURAL_PERSON"),
                    ("name", "李四"),
                    ("idNumber", "110105194912310021"),
                    ("login", "lisi"),
                    ("password", APPLICANT_PASSWORD),
                ],
            )
            .await;
        assert_eq!(bad_id.status, 400);
        assert!(bad_id.body.contains("id=\"idNumber-error\""), "{}", bad_id.body);
        assert!(bad_id.body.contains("value=\"李四\""));
    })
    .await;
}

foi_e2e::on_both_backends! {
    async fn an_applicant_applies_through_the_form_and_follows_the_case(app: TestApp) {
        agencies(&app).await;
        let mut zhang = applicant(&app, "zhangsan", "11010519491231002X").await;
        let submitted = zhang
            .submit(
                "/apply?agencyCode=youxian",
                "/apply",
                &[
                    ("agencyCode", "youxian"),
                    ("subject", "2026年区级部门预算"),
                    ("description", "区财政局汇总的部门预算表"),
                    ("formWanted", "ELECTRONIC_COPY"),
                    ("deliveryMethod", "ONLINE_DOWNLOAD"),
                ],
            )
            .await;
        assert_eq!(submitted.status, 303, "{}", submitted.body);
        let case_path = submitted.location().split('?').next().unwrap().to_owned();
        assert!(case_path.starts_with("/cases/"), "{case_path}");
        let case = zhang.get(submitted.location()).await;
        assert_eq!(case.status, 200, "{}", case.body);
        for text in ["<h1>2026年区级部门预算</h1>", "申请已提交", "游仙区人民政府", "电子文档", "网上下载", "办理过程"] {
            assert!(case.body.contains(text), "the case page lacks {text}: {}", case.body);
        }
        // Submitted online on Friday 18 September 2026 (a working day), received that day
        // under the default rule (Reg. 31(3)), day 0 not counted: 20 working days (Reg. 33)
        // on the 2026 calendar count the make-up Sunday 20 September and Saturday 10
        // October, skip Mid-Autumn (25–27 September) and National Day (1–7 October), and
        // end on Thursday 22 October.
        assert!(case.body.contains("2026-10-22"), "the due date: {}", case.body);
        assert!(case.body.contains("还剩 20 个工作日"), "{}", case.body);
        // 我的申请 lists it.
        let my = zhang.get("/my").await;
        assert!(my.body.contains(&format!("href=\"{case_path}\"")) && my.body.contains("2026年区级部门预算"));
        // Another applicant does not see it.
        let mut li = applicant(&app, "lisi", "110105199001011232").await;
        let hidden = li.get(&case_path).await;
        assert_eq!(hidden.status, 404, "{}", hidden.body);
        assert!(!hidden.body.contains("2026年区级部门预算"));
        // Nor does a visitor who is not signed in: sent to sign in first.
        let mut nobody = Browser::new(&app);
        assert_eq!(nobody.get(&case_path).await.location(), format!("/signin?next={case_path}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_text_is_a_link_and_a_cookie() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        let mut browser = Browser::new(&app);
        let home = browser.get("/guide").await;
        assert!(home.body.contains("href=\"/text-size?size=large&amp;back=/guide\""), "{}", home.body);
        let set = browser.get("/text-size?size=large&back=/guide").await;
        assert_eq!(set.status, 303);
        assert_eq!(set.location(), "/guide");
        assert!(browser.get("/guide").await.body.contains("<html lang=\"zh-CN\" class=\"large\">"));
        // Never back to another host.
        assert_eq!(browser.get("/text-size?size=normal&back=//evil.example/").await.location(), "/");
        assert!(!browser.get("/guide").await.body.contains("class=\"large\""));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_notice_is_read_in_the_page_once_opened_which_serves_it() {
    use foi_e2e::{PASSWORD, data};
    use serde_json::json;
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        // Wednesday 30 September 2026, the last working day before the Mid-Autumn and
        // National Day break.
        app.set_now(time::macros::datetime!(2026-09-30 10:00 +8));
        let mut zhang = applicant(&app, "zhangsan", "11010519491231002X").await;
        let submitted = zhang
            .submit(
                "/apply",
                "/apply",
                &[("agencyCode", "youxian"), ("subject", "道路命名方案"), ("formWanted", "PAPER"), ("deliveryMethod", "POST")],
            )
            .await;
        assert_eq!(submitted.status, 303, "{}", submitted.body);
        let case_path = submitted.location().split('?').next().unwrap().to_owned();
        let case_id = case_path.trim_start_matches("/cases/").to_owned();
        let clerk = app.sign_in("clerk").await;
        let mut version = 1;
        for step in ["receiveApplication", "registerCase"] {
            let done = app
                .graphql(
                    &format!("mutation($i: CaseChangeInput!) {{ {step}(input: $i) {{ version }} }}"),
                    json!({"i": {"caseId": case_id, "version": version}}),
                    Some(&clerk),
                )
                .await;
            version = data(&done)[step]["version"].as_i64().unwrap();
        }
        let corrected = app
            .graphql(
                "mutation($i: RequestCorrectionInput!) { requestCorrection(input: $i) { version } }",
                json!({"i": {"change": {"caseId": case_id, "version": version}, "items": ["请写明所需文件的名称或文号"]}}),
                Some(&clerk),
            )
            .await;
        version = data(&corrected)["requestCorrection"]["version"].as_i64().unwrap();
        let issued = app
            .graphql(
                "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id number } }",
                json!({"i": {"caseId": case_id, "version": version, "kind": "CORRECTION_NOTICE"}}),
                Some(&clerk),
            )
            .await;
        let document_id = data(&issued)["issueDocument"]["id"].as_str().unwrap().to_owned();

        // Thursday 8 October, the first working day after the break: the case page offers
        // the notice to open, and does not show its text before.
        app.set_now(time::macros::datetime!(2026-10-08 09:00 +8));
        // The session of eight days ago has expired: the page sends to sign in again.
        assert_eq!(zhang.get(&case_path).await.location(), format!("/signin?next={case_path}"));
        let signed_in = zhang.submit("/signin", "/signin", &[("login", "zhangsan"), ("password", APPLICANT_PASSWORD)]).await;
        assert_eq!(signed_in.status, 303);
        let before = zhang.get(&case_path).await;
        assert!(before.body.contains(&format!("action=\"/documents/{document_id}/open\"")), "{}", before.body);
        assert!(!before.body.contains("请写明所需文件的名称或文号</p>"), "the text before opening");
        assert!(before.body.contains("需要补正"), "{}", before.body);
        // Opening is a form with the CSRF token, never a link.
        assert_eq!(zhang.post(&format!("/documents/{document_id}/open"), &[]).await.status, 403);
        let csrf = before.csrf();
        let opened = zhang.post(&format!("/documents/{document_id}/open"), &[("csrf", &csrf)]).await;
        assert_eq!(opened.status, 303);
        let after = zhang.get(opened.location()).await;
        assert!(after.body.contains("<article class=\"letter\""), "{}", after.body);
        assert!(after.body.contains("请写明所需文件的名称或文号"), "{}", after.body);
        // Its service is the opening, dated that day (rules.md §2), and stays on reload.
        let reloaded = zhang.get(&case_path).await;
        assert!(reloaded.body.contains("，2026-10-08 送达"), "{}", reloaded.body);
        // No CJK font configured in the test server: the PDF link says so plainly.
        let pdf = zhang.get(&format!("/documents/{document_id}/pdf")).await;
        assert_eq!(pdf.status, 503);
        assert!(pdf.body.contains("没有配置中文字体"), "{}", pdf.body);
        // Another applicant cannot open it.
        let mut li = applicant(&app, "lisi", "110105199001011232").await;
        let csrf = li.get("/").await.csrf();
        assert_eq!(li.post(&format!("/documents/{document_id}/open"), &[("csrf", &csrf)]).await.status, 404);
    })
    .await;
}

/// The form without an account, filled by `browser` (not signed in) for `name` with
/// `id_number`; the answer.
async fn apply_as_guest(browser: &mut Browser, name: &str, id_number: &str, subject: &str) -> Got {
    browser
        .submit(
            "/apply",
            "/apply",
            &[
                ("kind", "NATURAL_PERSON"),
                ("name", name),
                ("idNumber", id_number),
                ("phone", "13800138000"),
                ("address", "绵阳市游仙区沈家坝北街1号"),
                ("agencyCode", "youxian"),
                ("subject", subject),
                ("formWanted", "ELECTRONIC_COPY"),
                ("deliveryMethod", "ONLINE_DOWNLOAD"),
            ],
        )
        .await
}

/// The text of `<dt>{label}</dt><dd>…</dd>` in `body`.
fn dd_after(body: &str, label: &str) -> String {
    let at = body.find(&format!("<dt>{label}</dt><dd>")).unwrap_or_else(|| panic!("{label} in {body}"));
    body[at..].split("<dd>").nth(1).unwrap().split("</dd>").next().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_visitor_applies_without_an_account_and_keeps_the_number_and_code() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut visitor = Browser::new(&app);
        // Not signed in: the form asks who applies (Reg. 29 (1)), in two variants.
        let form = visitor.get("/apply").await;
        assert_eq!(form.status, 200);
        for text in
            ["<legend>申请人信息</legend>", "居民身份证号码", "id=\"idNumber\"", "id=\"phone\"", "id=\"address\""]
        {
            assert!(form.body.contains(text), "the form lacks {text}: {}", form.body);
        }
        let org = visitor.get("/apply?as=org&agencyCode=fgj").await.body;
        assert!(org.contains("统一社会信用代码") && org.contains("id=\"kind\""), "{org}");
        assert!(org.contains("action=\"/apply?as=org\"") && org.contains("<option value=\"fgj\" selected>"));
        // A wrong check digit: the API's error (input.applicant.idNumber) beside the field,
        // the rest kept, nothing submitted.
        let refused = apply_as_guest(&mut visitor, "王五", "110105194912310021", "2026年区级部门预算").await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        let body = &refused.body;
        let error_at = body.find("<span class=\"error-message\" id=\"idNumber-error\">").expect("the number's error");
        let input_at = body.find("<input type=\"text\" id=\"idNumber\"").expect("the number's field");
        assert!(error_at < input_at);
        assert!(body[input_at..].split('>').next().unwrap().contains("aria-invalid=\"true\""));
        assert!(body.contains("<a href=\"#idNumber\">证件号码："), "the summary links to the field: {body}");
        assert!(body.contains("value=\"王五\"") && body.contains("value=\"2026年区级部门预算\""), "{body}");
        assert!(!visitor.cookies.contains_key("foi_session"));
        // Fixed: the receipt shows the number and the code once, and signs the visitor in.
        let done = apply_as_guest(&mut visitor, "王五", "11010519491231002X", "2026年区级部门预算").await;
        assert_eq!(done.status, 200, "{}", done.body);
        let number = dd_after(&done.body, "申请编号");
        let code = dd_after(&done.body, "查询码");
        assert!(number.len() == 14 && number.bytes().all(|b| b.is_ascii_digit()), "{number}");
        assert_eq!(code.len(), 10, "{code}");
        assert!(done.body.contains("请妥善保存") && done.body.contains("打印"), "{}", done.body);
        let cookie = done.set_cookies().into_iter().find(|c| c.starts_with("foi_session=")).expect("signed in");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(done.body.contains("王五"), "the header names who is signed in");
        let at = done.body.find("href=\"/cases/").expect("a link to the case") + 6;
        let case_path = done.body[at..].split('"').next().unwrap().to_owned();
        let case = visitor.get(&case_path).await;
        assert_eq!(case.status, 200, "{}", case.body);
        assert!(case.body.contains("<h1>2026年区级部门预算</h1>") && case.body.contains("王五"), "{}", case.body);
        // The code is shown only on the receipt: not on the case page.
        assert!(!case.body.contains(&code));
        // The page of a follower offers the form without an account again (a follower's
        // session cannot submit another application).
        let again = visitor.get("/apply").await.body;
        assert!(again.contains("<legend>申请人信息</legend>"), "{again}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_number_and_code_open_the_case_and_wrong_codes_are_slowed_down() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut first = Browser::new(&app);
        let done = apply_as_guest(&mut first, "王五", "11010519491231002X", "道路命名方案").await;
        assert_eq!(done.status, 200, "{}", done.body);
        let number = dd_after(&done.body, "申请编号");
        let code = dd_after(&done.body, "查询码");
        // Another browser: the number with spaces, the code in lower case with a space.
        let mut later = Browser::new(&app);
        let page = later.get("/follow").await;
        assert!(page.body.contains("<h1>查询办理进度</h1>") && page.body.contains("id=\"number\""), "{}", page.body);
        let spaced = format!("{} {}", &number[..8], &number[8..]);
        let typed = format!("{} {}", code[..5].to_lowercase(), code[5..].to_lowercase());
        let opened = later.submit("/follow", "/follow", &[("number", &spaced), ("code", &typed)]).await;
        assert_eq!(opened.status, 303, "{}", opened.body);
        assert!(opened.location().starts_with("/cases/"), "{}", opened.location());
        let case = later.get(opened.location()).await;
        assert!(case.body.contains("<h1>道路命名方案</h1>"), "{}", case.body);
        // A wrong code: one message that does not say which of the two was wrong.
        let mut guesser = Browser::new(&app);
        let wrong = guesser.submit("/follow", "/follow", &[("number", &number), ("code", "AAAAAAAAAA")]).await;
        assert_eq!(wrong.status, 400);
        assert!(wrong.body.contains("申请编号或查询码不正确"), "{}", wrong.body);
        assert!(wrong.body.contains(&format!("value=\"{number}\"")), "the number kept");
        assert!(!guesser.cookies.contains_key("foi_session"));
        // Guessing on: the API's throttle, with the wait (the test clock stands still).
        let mut limited = None;
        for _ in 0..8 {
            let got = guesser.submit("/follow", "/follow", &[("number", &number), ("code", "BBBBBBBBBB")]).await;
            if got.body.contains("尝试次数过多") {
                limited = Some(got);
                break;
            }
        }
        let limited = limited.expect("RATE_LIMITED after a few wrong codes");
        assert_eq!(limited.status, 400);
        assert!(limited.body.contains("秒后再试") || limited.body.contains("分钟后再试"), "{}", limited.body);
        // Empty fields: said beside them, without asking the API.
        let empty = guesser.submit("/follow", "/follow", &[("number", ""), ("code", "")]).await;
        assert!(
            empty.body.contains("id=\"number-error\"") && empty.body.contains("id=\"code-error\""),
            "{}",
            empty.body
        );
    })
    .await;
}

foi_e2e::on_both_backends! {
    async fn the_applicant_corrects_and_withdraws_where_allowed_actions_allow(app: TestApp) {
        use foi_e2e::{PASSWORD, data};
        use serde_json::json;
        agencies(&app).await;
        app.create_staff("clerk", "youxian", &["clerk"], PASSWORD).await;
        let mut wang = Browser::new(&app);
        let done = apply_as_guest(&mut wang, "王五", "11010519491231002X", "道路命名方案").await;
        assert_eq!(done.status, 200, "{}", done.body);
        let at = done.body.find("href=\"/cases/").unwrap() + 6;
        let case_path = done.body[at..].split('"').next().unwrap().to_owned();
        let case_id = case_path.trim_start_matches("/cases/").to_owned();
        // Submitted: withdrawing is offered, a correction is not (none was asked for).
        let first = wang.get(&case_path).await.body;
        assert!(first.contains("您可以办理的事项") && first.contains("/withdraw\""), "{first}");
        assert!(!first.contains("id=\"correction-text\""), "{first}");
        // The clerk asks for a correction and issues the notice (the API, as a clerk does).
        let clerk = app.sign_in("clerk").await;
        let mut version = 1;
        for step in ["receiveApplication", "registerCase"] {
            let done = app
                .graphql(
                    &format!("mutation($i: CaseChangeInput!) {{ {step}(input: $i) {{ version }} }}"),
                    json!({"i": {"caseId": case_id, "version": version}}),
                    Some(&clerk),
                )
                .await;
            version = data(&done)[step]["version"].as_i64().unwrap();
        }
        let corrected = app
            .graphql(
                "mutation($i: RequestCorrectionInput!) { requestCorrection(input: $i) { version } }",
                json!({"i": {"change": {"caseId": case_id, "version": version}, "items": ["请写明所需文件的名称或文号"]}}),
                Some(&clerk),
            )
            .await;
        version = data(&corrected)["requestCorrection"]["version"].as_i64().unwrap();
        let issued = app
            .graphql(
                "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id } }",
                json!({"i": {"caseId": case_id, "version": version, "kind": "CORRECTION_NOTICE"}}),
                Some(&clerk),
            )
            .await;
        let document_id = data(&issued)["issueDocument"]["id"].as_str().unwrap().to_owned();
        // Two files: one disclosed, one the office's working file.
        const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
        let mut file_ids = Vec::new();
        for (name, purpose) in [("disclosed.pdf", "DISCLOSURE"), ("internal-memo.pdf", "INTERNAL")] {
            let uploaded = app
                .client()
                .post(app.url(&format!("/cases/{case_id}/attachments")))
                .header("X-File-Name", name)
                .header("X-Attachment-Purpose", purpose)
                .header("Content-Type", "application/pdf")
                .bearer_auth(&clerk)
                .body(PDF)
                .send()
                .await
                .unwrap();
            assert_eq!(uploaded.status(), 201);
            let body: serde_json::Value = uploaded.json().await.unwrap();
            file_ids.push(body["id"].as_str().unwrap().to_owned());
        }
        let listed = wang.get(&case_path).await.body;
        assert!(listed.contains(&format!("<a href=\"/files/{}\" download>disclosed.pdf</a>", file_ids[0])), "{listed}");
        assert!(!listed.contains("internal-memo.pdf"), "the office's working file: {listed}");
        // The download link works with the session cookie alone.
        let file = wang.client.get(format!("{}/files/{}", wang.base, file_ids[0])).header("cookie", wang.cookie_header()).send().await.unwrap();
        assert_eq!(file.status(), 200);
        assert_eq!(file.headers()["content-type"], "application/pdf");
        assert_eq!(file.bytes().await.unwrap().as_ref(), PDF);
        // Not the working file, and nothing without a session.
        assert_eq!(wang.get(&format!("/files/{}", file_ids[1])).await.status, 404);
        let mut nobody = Browser::new(&app);
        assert!(nobody.get(&format!("/files/{}", file_ids[0])).await.location().starts_with("/signin?next="));
        // The applicant opens the notice (its online service), then the form is there.
        let csrf = wang.get(&case_path).await.csrf();
        assert_eq!(wang.post(&format!("/documents/{document_id}/open"), &[("csrf", &csrf)]).await.status, 303);
        let page = wang.get(&case_path).await;
        assert!(page.body.contains("id=\"correction-text\""), "{}", page.body);
        assert!(!page.body.contains("id=\"reasons-text\"") && !page.body.contains("id=\"fee-text\""));
        let version_field = page.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = page.csrf();
        // Correction papers: a multipart form, the CSRF field first, the file streamed on to
        // the attachment route as CORRECTION.
        assert!(page.body.contains("enctype=\"multipart/form-data\"") && page.body.contains("id=\"papers-file\""));
        let multipart = |csrf: &str, name: &str, media: &str, bytes: &[u8]| {
            let mut body = Vec::new();
            body.extend_from_slice(
                format!("--XyZ\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: {media}\r\n\r\n").as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n--XyZ--\r\n");
            body
        };
        let upload = |body: Vec<u8>| {
            wang.client
                .post(format!("{}{case_path}/papers", wang.base))
                .header("content-type", "multipart/form-data; boundary=XyZ")
                .header("cookie", wang.cookie_header())
                .body(body)
                .send()
        };
        let papers = upload(multipart(&csrf, "补正材料.pdf", "application/pdf", PDF)).await.unwrap();
        assert_eq!(papers.status(), 303);
        assert!(papers.headers()["location"].to_str().unwrap().contains("done=papers"));
        // Not a PDF though it says so: the attachment route's refusal beside the file field.
        let refused = upload(multipart(&csrf, "x.pdf", "application/pdf", b"not a pdf at all")).await.unwrap();
        assert_eq!(refused.status(), 400);
        let refused = refused.text().await.unwrap();
        assert!(refused.contains("id=\"papers-file-error\""), "{refused}");
        // Without the CSRF token, nothing is read further.
        assert_eq!(upload(multipart("0000", "y.pdf", "application/pdf", PDF)).await.unwrap().status(), 403);
        let page = wang.get(&case_path).await;
        assert!(page.body.contains("补正材料：<a href=\"/files/") && page.body.contains("补正材料.pdf</a>"), "{}", page.body);
        assert_eq!(page.body.matches("补正材料：<a").count(), 1, "one upload only");
        let version_field = page.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let csrf = page.csrf();
        // An empty correction: the API's refusal beside the text box.
        let empty = wang
            .post(&format!("{case_path}/correction"), &[("csrf", &csrf), ("version", &version_field), ("text", "  ")])
            .await;
        assert_eq!(empty.status, 400, "{}", empty.body);
        assert!(empty.body.contains("id=\"correction-text-error\""), "{}", empty.body);
        assert!(empty.body.contains("aria-describedby=\"correction-text-hint correction-text-error\""));
        // A stale version: said plainly, the text kept.
        let stale = wang
            .post(&format!("{case_path}/correction"), &[("csrf", &csrf), ("version", "1"), ("text", "《道路命名方案》游府发〔2026〕3号")])
            .await;
        assert_eq!(stale.status, 400);
        assert!(stale.body.contains("刚刚有了新的进展") && stale.body.contains("游府发〔2026〕3号</textarea>"), "{}", stale.body);
        // Without the CSRF token: refused before anything runs.
        assert_eq!(wang.post(&format!("{case_path}/correction"), &[("version", &version_field), ("text", "x")]).await.status, 403);
        let sent = wang
            .post(
                &format!("{case_path}/correction"),
                &[("csrf", &csrf), ("version", &version_field), ("text", "《道路命名方案》游府发〔2026〕3号")],
            )
            .await;
        assert_eq!(sent.status, 303, "{}", sent.body);
        let after = wang.get(sent.location()).await.body;
        assert!(after.contains("补正已提交"), "{after}");
        assert!(after.contains("游府发〔2026〕3号"), "the correction is in the history: {after}");
        assert!(!after.contains("id=\"correction-text\""), "offered once only: {after}");
        // Withdrawing: a confirmation step first; the POST without it goes back to it.
        let confirm = wang.get(&format!("{case_path}/withdraw")).await;
        assert_eq!(confirm.status, 200, "{}", confirm.body);
        assert!(confirm.body.contains("<h1>确认撤回申请</h1>") && confirm.body.contains("确认撤回"), "{}", confirm.body);
        let csrf = confirm.csrf();
        let v = confirm.body.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let unconfirmed = wang.post(&format!("{case_path}/withdraw"), &[("csrf", &csrf), ("version", &v)]).await;
        assert_eq!(unconfirmed.location(), format!("{case_path}/withdraw"));
        let withdrawn =
            wang.post(&format!("{case_path}/withdraw"), &[("csrf", &csrf), ("version", &v), ("confirm", "yes")]).await;
        assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
        let closed = wang.get(withdrawn.location()).await.body;
        assert!(closed.contains("申请已撤回"), "{closed}");
        assert!(!closed.contains("您可以办理的事项"), "nothing left to do: {closed}");
        // Withdrawn: the confirmation step is no longer offered, and a replayed POST is the
        // API's refusal beside the withdraw section's place.
        assert_eq!(wang.get(&format!("{case_path}/withdraw")).await.location(), case_path);
        let again = wang.post(&format!("{case_path}/withdraw"), &[("csrf", &csrf), ("version", &v), ("confirm", "yes")]).await;
        assert_eq!(again.status, 400, "{}", again.body);
        // Another visitor cannot act on it.
        let mut stranger = Browser::new(&app);
        let other = apply_as_guest(&mut stranger, "赵六", "110105199001011232", "其他").await;
        assert_eq!(other.status, 200);
        let csrf = stranger.get("/").await.csrf();
        let refused = stranger.post(&format!("{case_path}/correction"), &[("csrf", &csrf), ("version", "9"), ("text", "x")]).await;
        assert_eq!(refused.status, 404, "{}", refused.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_statistics_draw_table_three_and_download_as_csv() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut visitor = Browser::new(&app);
        // One application this month (September 2026) to count.
        assert_eq!(apply_as_guest(&mut visitor, "王五", "11010519491231002X", "预算").await.status, 200);
        let mut anyone = Browser::new(&app);
        let picker = anyone.get("/statistics").await;
        assert_eq!(picker.status, 200, "{}", picker.body);
        assert!(
            picker.body.contains("<h1>公开统计</h1>") && picker.body.contains("<option value=\"youxian\">"),
            "{}",
            picker.body
        );
        assert!(!picker.body.contains("<table"), "no table before a choice");
        let page = anyone.get("/statistics?agency=youxian&year=2026&month=9").await;
        assert_eq!(page.status, 200, "{}", page.body);
        let body = &page.body;
        assert!(
            body.contains("<table class=\"stats\">") && body.contains("<h2>游仙区人民政府 · 2026年9月</h2>"),
            "{body}"
        );
        for col in ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "总计"] {
            assert!(body.contains(&format!("<th scope=\"col\">{col}</th>")), "column {col}: {body}");
        }
        // Row 一 (new applications): one natural person, total one.
        let row = body.split("<td>一</td>").nth(1).expect("row 一").split("</tr>").next().unwrap();
        let figures: Vec<&str> =
            row.split("<td class=\"num\">").skip(1).map(|c| c.split('<').next().unwrap()).collect();
        assert_eq!(figures, ["1", "0", "0", "0", "0", "0", "1"], "{row}");
        assert!(body.contains("href=\"/statistics.csv?agency=youxian&amp;year=2026&amp;month=9\""), "{body}");
        // The CSV: UTF-8 with a BOM, named after the agency and the period.
        let response = anyone
            .client
            .get(format!("{}/statistics.csv?agency=youxian&year=2026&month=9", anyone.base))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
        let disposition = response.headers()["content-disposition"].to_str().unwrap().to_owned();
        assert!(
            disposition.starts_with("attachment; filename=\"statistics-youxian-2026-09.csv\"; filename*=UTF-8''"),
            "{disposition}"
        );
        assert!(disposition.contains("%E6%B8%B8%E4%BB%99"), "游仙 in the name: {disposition}");
        let bytes = response.bytes().await.unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "a BOM");
        assert_eq!(bytes.windows(3).filter(|w| *w == b"\xEF\xBB\xBF").count(), 1, "one BOM only");
        // A year before the tables: the API's refusal beside the year.
        let refused = anyone.get("/statistics?agency=youxian&year=2017").await;
        assert_eq!(refused.status, 400, "{}", refused.body);
        assert!(refused.body.contains("id=\"year-error\""), "{}", refused.body);
        // No agency chosen: said beside the picker.
        let none = anyone.get("/statistics?agency=&year=2026").await;
        assert!(none.body.contains("id=\"agencyCode-error\""), "{}", none.body);
        // A CSV of a refused period goes back to the page that says why.
        assert!(anyone.get("/statistics.csv?agency=youxian&year=2017").await.location().starts_with("/statistics?"));
    })
    .await;
}

/// The agency picker offers each agency's paper application form (申请表, Reg. 29) as a PDF,
/// without signing in. This test server has no CJK font: the page says so (503) instead of a
/// broken file; an unknown agency is 404.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_agency_offers_its_paper_application_form() {
    foi_e2e::run(Backend::Sqlite, |app| async move {
        agencies(&app).await;
        let mut browser = Browser::new(&app);
        let list = browser.get("/agencies").await;
        assert!(list.body.contains("href=\"/agencies/fgj/form.pdf\""), "{}", list.body);
        let form = browser.get("/agencies/fgj/form.pdf").await;
        assert_eq!(form.status, 503, "{}", form.body);
        assert!(form.body.contains("没有配置中文字体"), "{}", form.body);
        let nowhere = browser.get("/agencies/nowhere/form.pdf").await;
        assert_eq!(nowhere.status, 404, "{}", nowhere.body);
    })
    .await;
}
