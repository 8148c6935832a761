//! The page handlers. Each reads through [`gql::run`] and renders one template.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::Web;
use crate::gql::{self, Answer, GqlError};
use crate::render::{Frame, Page, render};
use crate::session::{SESSION_COOKIE, TEXT_COOKIE, Visitor};

/// `FormWanted`, in the order and words of the standard form (Reg. 29).
const FORM_CHOICES: &[(&str, &str)] =
    &[("PAPER", "纸质"), ("ELECTRONIC_COPY", "电子文档"), ("EMAIL", "电子邮件"), ("INSPECTION", "当场查阅")];

/// `DeliveryMethod`.
const DELIVERY_CHOICES: &[(&str, &str)] =
    &[("ONLINE_DOWNLOAD", "网上下载"), ("EMAIL", "电子邮件"), ("POST", "邮寄"), ("COLLECT", "自行领取")];

/// The five kinds of 法人或者其他组织 of the statistics (rules.md §1).
const ORG_KINDS: &[(&str, &str)] = &[
    ("COMMERCIAL_ENTERPRISE", "商业企业"),
    ("RESEARCH_INSTITUTION", "科研机构"),
    ("SOCIAL_WELFARE_ORGANISATION", "社会公益组织"),
    ("LEGAL_SERVICE_ORGANISATION", "法律服务机构"),
    ("OTHER_ORGANISATION", "其他组织"),
];

/// The page's layout context: who is signed in. A token the API no longer accepts (expired,
/// signed out elsewhere) is dropped, and its cookie cleared.
async fn frame(web: &Web, visitor: Visitor) -> (Visitor, Value, Vec<String>) {
    if visitor.token.is_none() {
        return (visitor, Value::Null, Vec::new());
    }
    let answer = gql::run(&web.schema, &visitor, gql::ME, json!({})).await;
    let me = answer.data.get("me").cloned().unwrap_or(Value::Null);
    if me.is_null() {
        let clear = visitor.clear_cookie(SESSION_COOKIE);
        let anonymous = Visitor { token: None, ..visitor };
        return (anonymous, Value::Null, vec![clear]);
    }
    (visitor, me, Vec::new())
}

/// Renders `template` for `visitor` at `uri`, with the layout's context.
async fn page(
    web: &Web,
    visitor: Visitor,
    uri: &Uri,
    status: StatusCode,
    template: &str,
    title: &str,
    data: Value,
) -> Page {
    let (visitor, me, cookies) = frame(web, visitor).await;
    page_as(web, &visitor, me, cookies, uri, status, template, title, data)
}

#[allow(clippy::too_many_arguments)]
fn page_as(
    web: &Web,
    visitor: &Visitor,
    me: Value,
    mut cookies: Vec<String>,
    uri: &Uri,
    status: StatusCode,
    template: &str,
    title: &str,
    data: Value,
) -> Page {
    let here = uri.path_and_query().map_or("/", |p| p.as_str()).to_owned();
    let frame = Frame { visitor, me, here };
    let mut page = render(&web.templates, &frame, status, template, title, data);
    cookies.append(&mut page.cookies);
    page.cookies = cookies;
    page
}

/// A page that says what happened and what to do.
async fn message(
    web: &Web,
    visitor: Visitor,
    uri: &Uri,
    status: StatusCode,
    title: &str,
    paragraphs: &[&str],
    links: &[(&str, &str)],
) -> Page {
    page(web, visitor, uri, status, "message.html", title, json!({ "paragraphs": paragraphs, "links": links })).await
}

/// `403`: a form came back without this visitor's CSRF token.
async fn csrf_refused(web: &Web, visitor: Visitor, uri: &Uri) -> Response {
    message(
        web,
        visitor,
        uri,
        StatusCode::FORBIDDEN,
        "表单已失效",
        &[
            "为了保护您的账号，本站只接受从本站页面提交的表单。这份表单已经失效（可能是页面停留太久、已经退出登录，或者浏览器禁用了 Cookie）。",
            "请返回上一页，刷新页面后重新填写并提交。您填写的内容没有被保存。",
        ],
        &[(uri.path(), "重新打开表单"), ("/", "返回首页")],
    )
    .await
    .into_response()
}

/// The page answering a failed read: sign in, not found, or trouble.
async fn read_failed(web: &Web, visitor: Visitor, uri: &Uri, answer: &Answer) -> Response {
    if answer.error("UNAUTHENTICATED").is_some() {
        return sign_in_first(uri);
    }
    if answer.error("NOT_FOUND").is_some() || answer.error("FORBIDDEN").is_some() {
        return message(
            web,
            visitor,
            uri,
            StatusCode::NOT_FOUND,
            "没有找到这个页面",
            &["您要找的申请或文书不存在，或者不属于当前登录的账号。"],
            &[("/my", "我的申请"), ("/", "返回首页")],
        )
        .await
        .into_response();
    }
    let first = answer.errors.first().map(|e| e.message.as_str()).unwrap_or("未知错误");
    message(
        web,
        visitor,
        uri,
        StatusCode::SERVICE_UNAVAILABLE,
        "暂时无法显示",
        &["服务暂时无法完成这个请求，请稍后再试。", first],
        &[("/", "返回首页")],
    )
    .await
    .into_response()
}

fn sign_in_first(uri: &Uri) -> Response {
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    Redirect::to(&format!("/signin?next={}", urlencode(next))).into_response()
}

/// What the error summary calls each form field.
const FIELD_LABELS: &[(&str, &str)] = &[
    ("agencyCode", "受理机关"),
    ("subject", "所需信息的名称"),
    ("description", "特征描述"),
    ("formWanted", "形式要求"),
    ("deliveryMethod", "获取方式"),
    ("login", "用户名"),
    ("password", "密码"),
    ("name", "姓名或名称"),
    ("kind", "组织类型"),
    ("idNumber", "证件号码"),
    ("phone", "联系电话"),
    ("email", "电子邮箱"),
    ("address", "通信地址"),
    ("q", "按名称查找"),
    ("number", "申请编号"),
    ("code", "查询码"),
    ("year", "年度"),
    ("month", "月份"),
];

/// `errors` and the `field → message` map the templates read. `input.subject` is the form
/// field `subject`; an error without a field goes to the summary only.
fn error_context(errors: &[GqlError]) -> (Value, Value) {
    let mut fields = serde_json::Map::new();
    let list: Vec<Value> = errors
        .iter()
        .map(|e| {
            // `input.applicant.idNumber` (the form without an account) is the field `idNumber`.
            let field = e.field.as_deref().map(|f| {
                let f = f.strip_prefix("input.").unwrap_or(f);
                f.strip_prefix("applicant.").unwrap_or(f).to_owned()
            });
            // "input.subject: must not be empty" beside the subject field: the path is the
            // field the message already sits by.
            let message = e
                .field
                .as_deref()
                .and_then(|f| e.message.strip_prefix(f))
                .and_then(|rest| rest.strip_prefix(": "))
                .unwrap_or(&e.message);
            if let Some(f) = &field {
                fields.entry(f.clone()).or_insert_with(|| json!(message));
            }
            let label = field.as_deref().and_then(|f| FIELD_LABELS.iter().find(|(k, _)| *k == f)).map(|(_, l)| *l);
            json!({ "message": message, "field": field, "label": label })
        })
        .collect();
    (Value::Array(list), Value::Object(fields))
}

fn field_error(field: &str, message: &str) -> GqlError {
    GqlError {
        message: message.to_owned(),
        code: "VALIDATION".into(),
        field: Some(format!("input.{field}")),
        retry_after_secs: None,
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A local path to return to after signing in or switching text size: `/…` but not `//…`
/// (another host), else `/`.
fn local_path(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.to_owned(),
        _ => "/".to_owned(),
    }
}

fn text(form: &HashMap<String, String>, key: &str) -> String {
    form.get(key).map(|v| v.trim().to_owned()).unwrap_or_default()
}

fn optional(form: &HashMap<String, String>, key: &str) -> Value {
    let v = text(form, key);
    if v.is_empty() { Value::Null } else { json!(v) }
}

// ---------------------------------------------------------------------------------------
// Home, guide, agencies

/// `GET /`.
pub async fn home(State(web): State<Web>, visitor: Visitor, uri: Uri) -> Page {
    page(&web, visitor, &uri, StatusCode::OK, "home.html", "首页", json!({})).await
}

/// `GET /guide`.
pub async fn guide(State(web): State<Web>, visitor: Visitor, uri: Uri) -> Page {
    page(&web, visitor, &uri, StatusCode::OK, "guide.html", "申请指南", json!({})).await
}

#[derive(Deserialize)]
pub struct AgencyQuery {
    #[serde(default)]
    q: String,
}

/// `GET /agencies?q=`: the tree, or the agencies whose name contains `q`.
pub async fn agencies(State(web): State<Web>, visitor: Visitor, uri: Uri, Query(query): Query<AgencyQuery>) -> Page {
    let q = query.q.trim().to_owned();
    let answer =
        gql::run(&web.schema, &visitor, gql::DIRECTORY, json!({ "nameContains": (!q.is_empty()).then_some(&q) })).await;
    let errors: Vec<GqlError> = answer
        .errors
        .iter()
        .map(|e| GqlError { field: e.field.as_ref().map(|_| "input.q".to_owned()), ..e.clone() })
        .collect();
    let (errors, field_errors) = error_context(&errors);
    let list = answer.data.get("directory").cloned().unwrap_or(json!([]));
    let status = if answer.errors.is_empty() { StatusCode::OK } else { StatusCode::BAD_REQUEST };
    page(
        &web,
        visitor,
        &uri,
        status,
        "agencies.html",
        "受理机关",
        json!({ "q": q, "agencies": list, "errors": errors, "field_errors": field_errors }),
    )
    .await
}

// ---------------------------------------------------------------------------------------
// The application form

#[derive(Deserialize)]
pub struct ApplyQuery {
    #[serde(default, rename = "agencyCode")]
    agency_code: String,
    /// `org` for the organisation's variant of the form without an account.
    #[serde(default, rename = "as")]
    who: Option<String>,
}

async fn directory(web: &Web, visitor: &Visitor) -> Value {
    gql::run(&web.schema, visitor, gql::DIRECTORY, json!({})).await.data.get("directory").cloned().unwrap_or(json!([]))
}

/// Whether the form is the one without an account: nobody signed in, or a session of an
/// application number and query code (which follows that one application only and cannot
/// submit another, so it applies like a visitor).
fn applies_as_guest(me: &Value) -> bool {
    me.is_null() || me.get("roles").and_then(Value::as_array).is_some_and(|r| r.iter().any(|x| x == "case_follower"))
}

fn apply_data(agencies: Value, form: Value, errors: &[GqlError], guest: bool, org: bool) -> Value {
    let (errors, field_errors) = error_context(errors);
    json!({
        "agencies": agencies,
        "form": form,
        "errors": errors,
        "field_errors": field_errors,
        "form_choices": FORM_CHOICES,
        "delivery_choices": DELIVERY_CHOICES,
        "org_kinds": ORG_KINDS,
        "guest": guest,
        "org": org,
    })
}

/// `GET /apply?agencyCode=&as=org`: signed in, the application form; otherwise the form
/// without an account, with the applicant's details (Reg. 29 (1)).
pub async fn apply_form(State(web): State<Web>, visitor: Visitor, uri: Uri, Query(query): Query<ApplyQuery>) -> Page {
    let (visitor, me, cookies) = frame(&web, visitor).await;
    let guest = applies_as_guest(&me);
    let org = guest && query.who.as_deref() == Some("org");
    let agencies = directory(&web, &visitor).await;
    let form = json!({ "agencyCode": query.agency_code, "formWanted": "ELECTRONIC_COPY", "deliveryMethod": "ONLINE_DOWNLOAD" });
    let data = apply_data(agencies, form, &[], guest, org);
    page_as(&web, &visitor, me, cookies, &uri, StatusCode::OK, "apply.html", "在线申请", data)
}

/// `POST /apply`: signed in, `submitApplication` and then the new case's page; otherwise
/// `applyWithoutAccount` and then the receipt (number and query code, shown once), signed
/// in with its session. The API's errors beside their fields, the input kept.
pub async fn apply(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Query(query): Query<ApplyQuery>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let (visitor, me, cookies) = frame(&web, visitor).await;
    let guest = applies_as_guest(&me);
    let org = guest && query.who.as_deref() == Some("org");
    let kind = text(&form, "kind");
    let kept = json!({
        "agencyCode": text(&form, "agencyCode"),
        "subject": text(&form, "subject"),
        "description": text(&form, "description"),
        "formWanted": text(&form, "formWanted"),
        "deliveryMethod": text(&form, "deliveryMethod"),
        "kind": kind, "name": text(&form, "name"), "idNumber": text(&form, "idNumber"),
        "phone": text(&form, "phone"), "email": text(&form, "email"), "address": text(&form, "address"),
    });
    // The choices are enums: a value outside them would fail the whole request before the
    // API could say which field, so the page names the field itself.
    let mut local = Vec::new();
    if guest {
        let kind_ok = if org { ORG_KINDS.iter().any(|(v, _)| *v == kind) } else { kind == "NATURAL_PERSON" };
        if !kind_ok {
            local.push(field_error("kind", "请选择组织类型"));
        }
    }
    if !FORM_CHOICES.iter().any(|(v, _)| *v == text(&form, "formWanted")) {
        local.push(field_error("formWanted", "请选择信息的形式要求"));
    }
    if !DELIVERY_CHOICES.iter().any(|(v, _)| *v == text(&form, "deliveryMethod")) {
        local.push(field_error("deliveryMethod", "请选择获取信息的方式"));
    }
    let errors = if !local.is_empty() {
        local
    } else if guest {
        let input = json!({
            "agencyCode": text(&form, "agencyCode"),
            "applicant": {
                "name": text(&form, "name"),
                "kind": kind,
                "idNumber": text(&form, "idNumber"),
                "phone": optional(&form, "phone"),
                "email": optional(&form, "email"),
                "address": optional(&form, "address"),
            },
            "subject": text(&form, "subject"),
            "description": optional(&form, "description"),
            "formWanted": text(&form, "formWanted"),
            "deliveryMethod": text(&form, "deliveryMethod"),
        });
        // A follower's session is not sent along: the application is a new one, by whoever
        // fills the form.
        let anonymous = Visitor { token: None, ..visitor.clone() };
        let answer = gql::run(&web.schema, &anonymous, gql::APPLY_WITHOUT_ACCOUNT, json!({ "input": input })).await;
        if let Some(receipt) = answer.data.get("applyWithoutAccount").filter(|r| !r.is_null()).cloned() {
            return receipt_page(&web, &visitor, &uri, receipt).await;
        }
        answer.errors
    } else {
        let input = json!({
            "agencyCode": text(&form, "agencyCode"),
            "subject": text(&form, "subject"),
            "description": optional(&form, "description"),
            "formWanted": text(&form, "formWanted"),
            "deliveryMethod": text(&form, "deliveryMethod"),
        });
        let answer = gql::run(&web.schema, &visitor, gql::SUBMIT_APPLICATION, json!({ "input": input })).await;
        if answer.error("UNAUTHENTICATED").is_some() {
            return sign_in_first(&uri);
        }
        if let Some(id) = answer.data.pointer("/submitApplication/id").and_then(Value::as_str) {
            return Redirect::to(&format!("/cases/{}?created=1", urlencode(id))).into_response();
        }
        answer.errors
    };
    let agencies = directory(&web, &visitor).await;
    let data = apply_data(agencies, kept, &errors, guest, org);
    page_as(&web, &visitor, me, cookies, &uri, StatusCode::BAD_REQUEST, "apply.html", "在线申请", data).into_response()
}

/// The answer to an application without an account: the number and query code, shown
/// this once, and the browser signed in with the receipt's session so that the case page
/// opens at once.
async fn receipt_page(web: &Web, visitor: &Visitor, uri: &Uri, receipt: Value) -> Response {
    let token = receipt.pointer("/session/token").and_then(Value::as_str).map(str::to_owned);
    let signed_in = Visitor { token: token.clone(), ..visitor.clone() };
    let mut page = page(
        web,
        signed_in.clone(),
        uri,
        StatusCode::OK,
        "receipt.html",
        "申请已提交",
        json!({ "receipt": {
            "applicationNumber": receipt.get("applicationNumber"),
            "queryCode": receipt.get("queryCode"),
            "caseId": receipt.get("caseId"),
        } }),
    )
    .await;
    if let Some(token) = token {
        page.cookies.push(signed_in.cookie(SESSION_COOKIE, &token, None));
    }
    page.into_response()
}

// ---------------------------------------------------------------------------------------
// 查询: following a case with its number and query code

/// `GET /follow`.
pub async fn follow_form(State(web): State<Web>, visitor: Visitor, uri: Uri) -> Page {
    page(&web, visitor, &uri, StatusCode::OK, "follow.html", "查询", json!({})).await
}

/// The application number as typed: spaces (and the separators a phone keyboard adds)
/// dropped.
fn clean_number(number: &str) -> String {
    number.chars().filter(|c| !c.is_whitespace() && *c != '-').collect()
}

/// The query code as typed: spaces dropped, upper case (codes are printed in capitals).
fn clean_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').collect::<String>().to_uppercase()
}

/// `POST /follow`: `signIn` with the number and the code, then the case page. A wrong
/// pair is one message for both fields (which one was wrong is not said); a throttled
/// attempt says how long to wait.
pub async fn follow(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let number = clean_number(form.get("number").map(String::as_str).unwrap_or(""));
    let code = clean_code(form.get("code").map(String::as_str).unwrap_or(""));
    let anonymous = Visitor { token: None, ..visitor.clone() };
    let mut errors = Vec::new();
    if number.is_empty() {
        errors.push(field_error("number", "请填写申请编号"));
    }
    if code.is_empty() {
        errors.push(field_error("code", "请填写查询码"));
    }
    if errors.is_empty() {
        let input = json!({ "login": number, "password": code });
        let answer = gql::run(&web.schema, &anonymous, gql::SIGN_IN, json!({ "input": input })).await;
        if let Some(token) = answer.data.pointer("/signIn/token").and_then(Value::as_str) {
            let signed_in = Visitor { token: Some(token.to_owned()), ..anonymous.clone() };
            let case = gql::run(&web.schema, &signed_in, gql::FOLLOWED_CASE, json!({})).await;
            // A registered applicant who typed their own login here lands on their list.
            let to = match case.data.pointer("/myCases/nodes/0/id").and_then(Value::as_str) {
                Some(id) if guest_number(&number) => format!("/cases/{}", urlencode(id)),
                _ => "/my".to_owned(),
            };
            let mut response = Redirect::to(&to).into_response();
            if let Ok(v) = HeaderValue::from_str(&visitor.cookie(SESSION_COOKIE, token, None)) {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            return response;
        }
        errors = answer
            .errors
            .iter()
            .map(|e| match e.code.as_str() {
                "UNAUTHENTICATED" => {
                    GqlError { field: None, message: "申请编号或查询码不正确。".into(), ..e.clone() }
                }
                "RATE_LIMITED" => GqlError {
                    field: None,
                    message: format!("尝试次数过多，请 {}后再试。", wait_text(e.retry_after_secs.unwrap_or(60))),
                    ..e.clone()
                },
                _ => GqlError { field: None, ..e.clone() },
            })
            .collect();
    }
    let (errors, field_errors) = error_context(&errors);
    page(
        &web,
        anonymous,
        &uri,
        StatusCode::BAD_REQUEST,
        "follow.html",
        "查询",
        json!({ "form": { "number": number }, "errors": errors, "field_errors": field_errors }),
    )
    .await
    .into_response()
}

/// Whether `login` has the form of an application number (14 digits).
fn guest_number(login: &str) -> bool {
    login.len() == 14 && login.bytes().all(|b| b.is_ascii_digit())
}

/// A wait in words: `30 秒`, `2 分钟`, `1 小时 5 分钟`.
fn wait_text(secs: u64) -> String {
    match secs {
        0..=59 => format!("{} 秒", secs.max(1)),
        60..=3599 => format!("{} 分钟", secs.div_ceil(60)),
        _ => {
            let minutes = secs.div_ceil(60);
            match minutes % 60 {
                0 => format!("{} 小时", minutes / 60),
                m => format!("{} 小时 {m} 分钟", minutes / 60),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Signing in and out, registration

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// `GET /signin?next=`.
pub async fn sign_in_form(State(web): State<Web>, visitor: Visitor, uri: Uri, Query(q): Query<NextQuery>) -> Page {
    let next = local_path(q.next.as_deref());
    page(&web, visitor, &uri, StatusCode::OK, "signin.html", "登录", json!({ "next": next })).await
}

/// `POST /signin`: `signIn`; the token goes into the session cookie.
pub async fn sign_in(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let next = local_path(form.get("next").map(String::as_str));
    let input = json!({ "login": text(&form, "login"), "password": form.get("password").cloned().unwrap_or_default() });
    // Signing in as someone else: the old session's token is not sent along.
    let anonymous = Visitor { token: None, ..visitor.clone() };
    let answer = gql::run(&web.schema, &anonymous, gql::SIGN_IN, json!({ "input": input })).await;
    if let Some(token) = answer.data.pointer("/signIn/token").and_then(Value::as_str) {
        // A cookie for the browser's session: the API decides when the token expires (and
        // its clock, not this process's, is the one that counts).
        let cookie = visitor.cookie(SESSION_COOKIE, token, None);
        let mut response = Redirect::to(&next).into_response();
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
        return response;
    }
    let (errors, field_errors) = error_context(&answer.errors);
    let kept = json!({ "login": text(&form, "login") });
    page(
        &web,
        anonymous,
        &uri,
        StatusCode::BAD_REQUEST,
        "signin.html",
        "登录",
        json!({ "next": next, "form": kept, "errors": errors, "field_errors": field_errors }),
    )
    .await
    .into_response()
}

/// `POST /signout`: ends the session (`signOut`) and clears the cookie.
pub async fn sign_out(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let _ = gql::run(&web.schema, &visitor, gql::SIGN_OUT, json!({})).await;
    let mut response = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&visitor.clear_cookie(SESSION_COOKIE)) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[derive(Deserialize)]
pub struct RegisterQuery {
    #[serde(rename = "as")]
    who: Option<String>,
}

fn register_data(org: bool, form: Value, errors: &[GqlError]) -> Value {
    let (errors, field_errors) = error_context(errors);
    json!({ "org": org, "org_kinds": ORG_KINDS, "form": form, "errors": errors, "field_errors": field_errors })
}

/// `GET /register?as=person|org`.
pub async fn register_form(State(web): State<Web>, visitor: Visitor, uri: Uri, Query(q): Query<RegisterQuery>) -> Page {
    let org = q.who.as_deref() == Some("org");
    page(&web, visitor, &uri, StatusCode::OK, "register.html", "注册", register_data(org, json!({}), &[])).await
}

/// `POST /register`: `registerApplicant`, then the sign-in page.
pub async fn register(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Query(q): Query<RegisterQuery>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let org = q.who.as_deref() == Some("org");
    let kind = text(&form, "kind");
    let kept = json!({
        "kind": kind, "name": text(&form, "name"), "idNumber": text(&form, "idNumber"),
        "phone": text(&form, "phone"), "email": text(&form, "email"), "address": text(&form, "address"),
        "login": text(&form, "login"),
    });
    let kind_ok = if org { ORG_KINDS.iter().any(|(v, _)| *v == kind) } else { kind == "NATURAL_PERSON" };
    let errors = if !kind_ok {
        vec![field_error("kind", "请选择组织类型")]
    } else {
        let input = json!({
            "login": text(&form, "login"),
            "password": form.get("password").cloned().unwrap_or_default(),
            "name": text(&form, "name"),
            "kind": kind,
            "idNumber": text(&form, "idNumber"),
            "phone": optional(&form, "phone"),
            "email": optional(&form, "email"),
            "address": optional(&form, "address"),
        });
        let answer = gql::run(&web.schema, &visitor, gql::REGISTER_APPLICANT, json!({ "input": input })).await;
        if let Some(receipt) = answer.data.get("registerApplicant").filter(|r| !r.is_null()) {
            let message_text = receipt.get("message").and_then(Value::as_str).unwrap_or("").to_owned();
            return message(
                &web,
                visitor,
                &uri,
                StatusCode::OK,
                "注册已提交",
                &[&message_text, "请使用您设置的用户名和密码登录。"],
                &[("/signin", "登录")],
            )
            .await
            .into_response();
        }
        answer.errors
    };
    page(&web, visitor, &uri, StatusCode::BAD_REQUEST, "register.html", "注册", register_data(org, kept, &errors))
        .await
        .into_response()
}

// ---------------------------------------------------------------------------------------
// My applications, the case page, documents

#[derive(Deserialize)]
pub struct AfterQuery {
    after: Option<String>,
}

/// `GET /my`.
pub async fn my_cases(State(web): State<Web>, visitor: Visitor, uri: Uri, Query(q): Query<AfterQuery>) -> Response {
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    let answer = gql::run(&web.schema, &visitor, gql::MY_CASES, json!({ "after": q.after })).await;
    if !answer.errors.is_empty() {
        return read_failed(&web, visitor, &uri, &answer).await;
    }
    let cases = answer.data.pointer("/myCases/nodes").cloned().unwrap_or(json!([]));
    let next_after = answer
        .data
        .pointer("/myCases/pageInfo")
        .filter(|p| p.get("hasNextPage") == Some(&json!(true)))
        .and_then(|p| p.get("endCursor").cloned());
    page(
        &web,
        visitor,
        &uri,
        StatusCode::OK,
        "my.html",
        "我的申请",
        json!({ "cases": cases, "next_after": next_after }),
    )
    .await
    .into_response()
}

#[derive(Deserialize)]
pub struct CaseQuery {
    created: Option<String>,
    /// The document just opened: shown even when its opening recorded no service (the API
    /// serves online only some documents, in some stages).
    opened: Option<String>,
    /// The action just taken (its slug), to say so.
    done: Option<String>,
}

/// `GET /cases/{id}`: the stage in plain words, the clock, the documents, the timeline,
/// the files, and the applicant's actions that `allowedActions` allows now.
pub async fn case_page(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Path(id): Path<String>,
    Query(q): Query<CaseQuery>,
) -> Response {
    let done = q.done.as_deref().and_then(done_text);
    show_case(
        &web,
        visitor,
        &uri,
        &id,
        CaseExtras { created: q.created.is_some(), opened: q.opened, done, action_error: None },
    )
    .await
}

/// What a case page shows besides the case.
#[derive(Default)]
struct CaseExtras {
    created: bool,
    opened: Option<String>,
    /// What was just done (after an action).
    done: Option<&'static str>,
    /// A refused action: its slug, the API's message and the text kept.
    action_error: Option<Value>,
}

async fn show_case(web: &Web, visitor: Visitor, uri: &Uri, id: &str, extras: CaseExtras) -> Response {
    if visitor.token.is_none() {
        return sign_in_first(uri);
    }
    let answer = gql::run(&web.schema, &visitor, gql::CASE_PAGE, json!({ "id": id })).await;
    let Some(c) = answer.data.get("case").filter(|c| !c.is_null()).cloned() else {
        return read_failed(web, visitor, uri, &answer).await;
    };
    let status = if extras.action_error.is_some() { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    let mut data = case_view(c, extras.created, extras.opened.as_deref());
    if let Some(o) = data.as_object_mut() {
        o.insert("done".into(), json!(extras.done));
        o.insert("action_error".into(), extras.action_error.unwrap_or(Value::Null));
    }
    let title = data.pointer("/c/subject").and_then(Value::as_str).unwrap_or("申请").to_owned();
    page(web, visitor, uri, status, "case.html", &title, data).await.into_response()
}

/// An applicant's action on the case page: its `CaseAction`, the route's slug, the
/// operation, and its words.
struct ApplicantAction {
    action: &'static str,
    slug: &'static str,
    op: Option<gql::Operation>,
    title: &'static str,
    hint: &'static str,
    label: &'static str,
    placeholder: &'static str,
    button: &'static str,
    done: &'static str,
}

/// The applicant's actions, in the order the page offers them. Whether each can be taken
/// is `Case.allowedActions`' answer, never decided here.
const APPLICANT_ACTIONS: &[ApplicantAction] = &[
    ApplicantAction {
        action: "SUBMIT_CORRECTION",
        slug: "correction",
        op: Some(gql::SUBMIT_CORRECTION),
        title: "提交补正",
        hint: "按补正告知书的要求补充或更正申请内容。受理机关收到补正后，答复期限重新计算（条例第三十条）。",
        label: "补正内容",
        placeholder: "写明补正后的信息名称、文号或其他特征描述等。",
        button: "提交补正",
        done: "补正已提交，受理机关收到后继续办理。",
    },
    ApplicantAction {
        action: "GIVE_REASONS",
        slug: "reasons",
        op: Some(gql::GIVE_REASONS),
        title: "说明理由",
        hint: "受理机关认为申请的数量、频次明显超过合理范围，请您说明理由（条例第三十五条）。",
        label: "申请理由",
        placeholder: "说明申请这些信息的理由。",
        button: "提交理由",
        done: "理由已提交，受理机关审核后继续办理。",
    },
    ApplicantAction {
        action: "REPORT_FEE_PAYMENT",
        slug: "fee",
        op: Some(gql::REPORT_FEE_PAYMENT),
        title: "报告已缴费",
        hint: "已按信息处理费缴纳通知书缴费的，告知受理机关缴费情况（条例第四十二条）。受理机关核实后继续办理。",
        label: "缴费情况",
        placeholder: "缴费日期、方式、金额和票据号码等。",
        button: "报告已缴费",
        done: "缴费情况已报告，受理机关核实后继续办理。",
    },
    // The papers of a correction: offered with the correction form, never on its own.
    ApplicantAction {
        action: "",
        slug: "papers",
        op: None,
        title: "",
        hint: "",
        label: "",
        placeholder: "",
        button: "",
        done: "补正材料已上传。",
    },
    ApplicantAction {
        action: "WITHDRAW_APPLICATION",
        slug: "withdraw",
        op: None,
        title: "撤回申请",
        hint: "不再需要这些信息的，可以撤回申请，受理机关不再办理。",
        label: "",
        placeholder: "",
        button: "撤回申请",
        done: "申请已撤回，本申请终止办理。",
    },
];

fn done_text(slug: &str) -> Option<&'static str> {
    APPLICANT_ACTIONS.iter().find(|a| a.slug == slug).map(|a| a.done)
}

/// The applicant's actions `allowedActions` allows now, with their words.
fn offered_actions(c: &Value) -> Vec<Value> {
    let allowed: Vec<&str> = c
        .get("allowedActions")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter(|a| a.get("allowed") == Some(&json!(true)))
                .filter_map(|a| a.get("action").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    APPLICANT_ACTIONS
        .iter()
        .filter(|a| !a.action.is_empty() && allowed.contains(&a.action))
        .map(|a| {
            json!({
                "slug": a.slug, "title": a.title, "hint": a.hint, "label": a.label,
                "placeholder": a.placeholder, "button": a.button,
            })
        })
        .collect()
}

/// `POST /cases/{id}/{correction|reasons|fee}`: the applicant's statement
/// (`submitCorrection`, `giveReasons`, `reportFeePayment`), then the case page saying it
/// was sent; refused, the API's message beside the form with the text kept.
pub async fn case_statement(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Path((id, slug)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    let Some((action, op)) = APPLICANT_ACTIONS.iter().find(|a| a.slug == slug).and_then(|a| a.op.map(|op| (a, op)))
    else {
        return read_failed(&web, visitor, &uri, &not_found()).await;
    };
    let statement = form.get("text").map(|t| t.trim().to_owned()).unwrap_or_default();
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let input = json!({ "caseId": id, "version": version, "text": statement });
    let answer = gql::run(&web.schema, &visitor, op, json!({ "input": input })).await;
    if answer.data.get(op_field(op)).is_some_and(|v| !v.is_null()) {
        return Redirect::to(&format!("/cases/{}?done={}#main", urlencode(&id), action.slug)).into_response();
    }
    if answer.error("UNAUTHENTICATED").is_some() {
        return sign_in_first(&uri);
    }
    if answer.error("NOT_FOUND").is_some() || answer.error("FORBIDDEN").is_some() {
        return read_failed(&web, visitor, &uri, &answer).await;
    }
    let message = action_message(&answer);
    let error = json!({ "slug": action.slug, "message": message, "text": statement });
    let extras = CaseExtras { action_error: Some(error), ..CaseExtras::default() };
    show_case(&web, visitor, &Uri::from_maybe_shared(format!("/cases/{}", urlencode(&id))).unwrap_or(uri), &id, extras)
        .await
}

/// The response field of an applicant's operation (`submitCorrection` for
/// `SubmitCorrection`).
fn op_field(op: gql::Operation) -> String {
    let mut chars = op.name.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// The API's refusal as the applicant reads it: its message (which cites the article), with
/// the path of a field error left off; a stale version said plainly.
fn action_message(answer: &Answer) -> String {
    if answer.error("CONFLICT").is_some() {
        return "这件申请刚刚有了新的进展，请查看本页的最新情况后再提交。".into();
    }
    let (list, _) = error_context(&answer.errors);
    list.get(0).and_then(|e| e.get("message")).and_then(Value::as_str).unwrap_or("未能提交，请稍后再试。").to_owned()
}

fn not_found() -> Answer {
    Answer {
        data: Value::Null,
        errors: vec![GqlError {
            message: "not found".into(),
            code: "NOT_FOUND".into(),
            field: None,
            retry_after_secs: None,
        }],
    }
}

/// `GET /cases/{id}/withdraw`: the confirmation step, offered only while
/// `allowedActions` allows the withdrawal.
pub async fn withdraw_form(State(web): State<Web>, visitor: Visitor, uri: Uri, Path(id): Path<String>) -> Response {
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    let answer = gql::run(&web.schema, &visitor, gql::CASE_PAGE, json!({ "id": id })).await;
    let Some(c) = answer.data.get("case").filter(|c| !c.is_null()).cloned() else {
        return read_failed(&web, visitor, &uri, &answer).await;
    };
    if !offered_actions(&c).iter().any(|a| a["slug"] == "withdraw") {
        return Redirect::to(&format!("/cases/{}", urlencode(&id))).into_response();
    }
    page(&web, visitor, &uri, StatusCode::OK, "withdraw.html", "确认撤回申请", json!({ "c": c })).await.into_response()
}

/// `POST /cases/{id}/withdraw` (from the confirmation step): `withdrawApplication`.
pub async fn withdraw(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    // Without the confirmation step's field, back to it.
    if form.get("confirm").map(String::as_str) != Some("yes") {
        return Redirect::to(&format!("/cases/{}/withdraw", urlencode(&id))).into_response();
    }
    let version = form.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    let input = json!({ "caseId": id, "version": version });
    let answer = gql::run(&web.schema, &visitor, gql::WITHDRAW_APPLICATION, json!({ "input": input })).await;
    if answer.data.get("withdrawApplication").is_some_and(|v| !v.is_null()) {
        return Redirect::to(&format!("/cases/{}?done=withdraw#main", urlencode(&id))).into_response();
    }
    if answer.error("UNAUTHENTICATED").is_some() {
        return sign_in_first(&uri);
    }
    if answer.error("NOT_FOUND").is_some() || answer.error("FORBIDDEN").is_some() {
        return read_failed(&web, visitor, &uri, &answer).await;
    }
    let error = json!({ "slug": "withdraw", "message": action_message(&answer), "text": "" });
    let extras = CaseExtras { action_error: Some(error), ..CaseExtras::default() };
    show_case(&web, visitor, &Uri::from_maybe_shared(format!("/cases/{}", urlencode(&id))).unwrap_or(uri), &id, extras)
        .await
}

/// What the case page shows, worked out from the `CasePage` answer.
fn case_view(c: Value, created: bool, opened: Option<&str>) -> Value {
    let s = |p: &str| c.pointer(p).and_then(Value::as_str).map(str::to_owned);
    let stage = s("/stage").unwrap_or_default();
    let stage_text = stage_text(&stage);
    let clock_state = s("/clock/state").unwrap_or_default();
    // The due date matters while the clock runs or is paused; once the case is concluded
    // (or waits for a correction that restarts it) the page says that instead.
    let counting = matches!(clock_state.as_str(), "RUNNING" | "PAUSED");
    let due = s("/clock/dueOn").filter(|_| counting).map(|on| {
        let left = c.pointer("/clock/leftWorkingDays").and_then(Value::as_i64);
        let overdue = s("/clock/urgency").as_deref() == Some("OVERDUE");
        let paused = (clock_state == "PAUSED").then(|| pause_reason(&c));
        let extended = c.pointer("/extension").filter(|e| !e.is_null()).map(|e| {
            format!(
                "答复期限已经延长 {} 个工作日（{} 经政府信息公开工作机构负责人同意，条例第三十三条）{}",
                e.get("workingDays").and_then(Value::as_i64).unwrap_or(0),
                e.get("approvedOn").and_then(Value::as_str).unwrap_or(""),
                e.get("reason").and_then(Value::as_str).map(|r| format!("：{r}")).unwrap_or_default(),
            )
        });
        json!({
            "on": on,
            "left": left,
            "overdue": overdue,
            "paused": paused,
            "extended": extended,
            "provisional": c.pointer("/clock/provisional") == Some(&json!(true)),
        })
    });
    let correction = (stage == "AWAITING_CORRECTION")
        .then(|| {
            c.pointer("/correction").filter(|x| !x.is_null()).map(|x| {
                let items: Vec<&str> =
                    x.get("items").and_then(Value::as_array).map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
                format!(
                    "受理机关要求补正：{}。请在 {} 前补正；补正后答复期限自收到补正申请之日起重新计算（条例第三十条）。",
                    items.join("；"),
                    x.get("dueOn").and_then(Value::as_str).unwrap_or("补正告知书写明的期限")
                )
            })
        })
        .flatten();
    let documents: Vec<Value> = c
        .get("documents")
        .and_then(Value::as_array)
        .map(|docs| {
            docs.iter()
                .map(|d| {
                    let mut d = d.clone();
                    let body = letter_body(d.get("html").and_then(Value::as_str).unwrap_or(""));
                    // A notice or decision that reaches the applicant online is shown once
                    // they open it: opening it is its service (网上送达, rules.md §2).
                    let unopened = d.get("requiresService") == Some(&json!(true))
                        && d.get("id").and_then(Value::as_str) != opened
                        && d.get("service").is_none_or(Value::is_null)
                        && d.get("voided").is_none_or(Value::is_null);
                    if let Some(o) = d.as_object_mut() {
                        o.remove("html");
                        o.insert("body".into(), json!(body));
                        o.insert("unopened".into(), json!(unopened));
                    }
                    d
                })
                .collect()
        })
        .unwrap_or_default();
    let label = |choices: &[(&str, &str)], p: &str| {
        s(p).and_then(|v| choices.iter().find(|(k, _)| *k == v).map(|(_, l)| (*l).to_owned()))
    };
    let attachments: Vec<Value> = c
        .get("attachments")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .map(|a| {
                    let mut a = a.clone();
                    let purpose = purpose_label(a.get("purpose").and_then(Value::as_str).unwrap_or(""));
                    let size = a.get("sizeBytes").and_then(Value::as_i64).unwrap_or(0);
                    if let Some(o) = a.as_object_mut() {
                        o.insert("purpose_label".into(), json!(purpose));
                        o.insert("size".into(), json!(size_text(size)));
                    }
                    a
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "created": created,
        "actions": offered_actions(&c),
        "attachments": attachments,
        "stage_text": stage_text,
        "due": due,
        "correction": correction,
        "documents": documents,
        "form_label": label(FORM_CHOICES, "/formWanted"),
        "delivery_label": label(DELIVERY_CHOICES, "/deliveryMethod"),
        "c": c,
    })
}

/// What a file of the case is, for the applicant.
fn purpose_label(purpose: &str) -> &'static str {
    match purpose {
        "DISCLOSURE" => "公开的信息",
        "IDENTITY_PROOF" => "身份证明",
        "CORRECTION" => "补正材料",
        _ => "文件",
    }
}

/// A size in bytes, KB or MB.
fn size_text(bytes: i64) -> String {
    match bytes {
        ..1024 => format!("{} 字节", bytes.max(0)),
        1024..1_048_576 => format!("{:.0} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// The stage, for an applicant (rules.md §2).
fn stage_text(stage: &str) -> &'static str {
    match stage {
        "SUBMITTED" => "申请已在线提交，等待受理机关签收。",
        "RECEIVED" => "受理机关已签收申请，答复期限自收到申请之日起计算（条例第三十一条、第三十三条）。",
        "IN_REVIEW" => "申请已登记，正在审核是否需要补正。",
        "AWAITING_CORRECTION" => "受理机关请您补正申请，补正前暂停办理（条例第三十条）。",
        "AWAITING_REASONS" => "受理机关请您说明申请理由（条例第三十五条）。",
        "HANDLING" => "正在办理：受理机关正在查找、审查所申请的信息。",
        "REPLIED" => "受理机关已经作出答复，答复书见下方“文书”。",
        "CLOSED" => "本申请已终止办理（撤回、逾期未补正或逾期未缴费）。",
        "ARCHIVED" => "本申请已办结归档。",
        _ => "申请已记录。",
    }
}

/// Why the reply clock is stopped (rules.md §2, §3).
fn pause_reason(c: &Value) -> String {
    let open_consultation = c
        .get("consultations")
        .and_then(Value::as_array)
        .is_some_and(|list| list.iter().any(|x| x.get("closedOn").is_none_or(Value::is_null)));
    let unpaid_fee = c.get("fee").filter(|f| !f.is_null()).is_some_and(|f| f.get("paidOn").is_none_or(Value::is_null));
    let mut reasons = Vec::new();
    if open_consultation {
        reasons.push(
            "正在征求第三方或者其他机关的意见，所需时间不计算在答复期限内（条例第三十二条、第三十四条、第三十三条）",
        );
    }
    if unpaid_fee {
        reasons.push("已发出信息处理费缴纳通知，缴费期间不计算在答复期限内（条例第四十二条）");
    }
    if reasons.is_empty() {
        reasons.push("答复期限暂停计算");
    }
    format!("{}。", reasons.join("；"))
}

/// The inside of an issued document's `<body>`: the letter without its page styles (the
/// portal's stylesheet sets the letter). The HTML was rendered by the server's own
/// templates, with every value escaped.
fn letter_body(html: &str) -> String {
    let start = html.find("<body>").map(|i| i + "<body>".len()).unwrap_or(0);
    let end = html.rfind("</body>").unwrap_or(html.len());
    html.get(start..end).unwrap_or("").to_owned()
}

/// `GET /documents/{id}/pdf`: the API's PDF, or a page that says no font is configured.
pub async fn document_pdf(State(web): State<Web>, visitor: Visitor, uri: Uri, Path(id): Path<String>) -> Response {
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    let answer = gql::run(&web.schema, &visitor, gql::DOCUMENT_PDF, json!({ "id": id })).await;
    if answer.error("PDF_FONT_UNAVAILABLE").is_some() {
        return message(
            &web,
            visitor,
            &uri,
            StatusCode::SERVICE_UNAVAILABLE,
            "暂不能下载 PDF",
            &[
                "本服务器没有配置中文字体，暂时不能生成 PDF 文件。",
                "请在申请页面中阅读文书全文，或用浏览器的“打印”功能保存。管理员可以设置 FOI_PDF_FONT 后启用 PDF 下载。",
            ],
            &[("/my", "我的申请")],
        )
        .await
        .into_response();
    }
    let doc = answer.data.get("document").filter(|d| !d.is_null());
    let pdf = doc
        .and_then(|d| d.get("pdfBase64"))
        .and_then(Value::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    let Some(pdf) = pdf else {
        return read_failed(&web, visitor, &uri, &answer).await;
    };
    let number = doc.and_then(|d| d.get("number")).and_then(Value::as_str).unwrap_or("document");
    download("application/pdf", "document.pdf", &format!("{number}.pdf"), pdf)
}

/// A file to download, never cached: `ascii_name` for old clients, `full_name` (UTF-8,
/// percent-encoded, RFC 6266) for the rest.
fn download(content_type: &str, ascii_name: &str, full_name: &str, body: impl Into<axum::body::Body>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (header::CACHE_CONTROL, "no-store".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{}", urlencode(full_name)),
            ),
        ],
        body.into(),
    )
        .into_response()
}

/// `GET /agencies/{code}/form.pdf`: the agency's blank application form (申请表, Reg. 29) to
/// print for an application in person or by post; no sign-in. Without a CJK font on the
/// server, a page that says so (503); an unknown agency, 404.
pub async fn blank_form_pdf(State(web): State<Web>, visitor: Visitor, uri: Uri, Path(code): Path<String>) -> Response {
    let answer = gql::run(&web.schema, &visitor, gql::BLANK_APPLICATION_FORM, json!({ "agencyCode": code })).await;
    if answer.error("PDF_FONT_UNAVAILABLE").is_some() {
        return message(
            &web,
            visitor,
            &uri,
            StatusCode::SERVICE_UNAVAILABLE,
            "暂不能下载 PDF",
            &[
                "本服务器没有配置中文字体，暂时不能生成申请表 PDF 文件。",
                "请到受理机关领取纸质申请表，或在本站在线申请。",
            ],
            &[("/apply", "在线申请")],
        )
        .await
        .into_response();
    }
    let pdf = answer
        .data
        .get("blankApplicationForm")
        .and_then(|f| f.get("pdfBase64"))
        .and_then(Value::as_str)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok());
    let Some(pdf) = pdf else {
        return message(
            &web,
            visitor,
            &uri,
            StatusCode::NOT_FOUND,
            "没有找到该机关",
            &["请从受理机关列表中选择。"],
            &[("/agencies", "受理机关")],
        )
        .await
        .into_response();
    };
    download("application/pdf", "application-form.pdf", "政府信息公开申请表.pdf", pdf)
}

/// `GET /files/{id}`: a file of a case, from `GET /attachments/{id}` called in process with
/// the session's token, so the attachment routes decide who may read it (the office's
/// working files never reach the applicant). A refusal is a page, not the route's JSON.
pub async fn download_file(State(web): State<Web>, visitor: Visitor, uri: Uri, Path(id): Path<String>) -> Response {
    let Some(token) = visitor.token.clone() else {
        return sign_in_first(&uri);
    };
    let Some(files) = web.files.clone() else {
        return read_failed(&web, visitor, &uri, &not_found()).await;
    };
    let request = axum::http::Request::get(format!("/attachments/{}", urlencode(&id)))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(axum::body::Body::empty());
    let Ok(request) = request else {
        return read_failed(&web, visitor, &uri, &not_found()).await;
    };
    let response = call(files, request).await;
    match response.status() {
        s if s.is_success() => response,
        StatusCode::UNAUTHORIZED => sign_in_first(&uri),
        StatusCode::NOT_FOUND | StatusCode::FORBIDDEN => read_failed(&web, visitor, &uri, &not_found()).await,
        _ => {
            let trouble = Answer {
                data: Value::Null,
                errors: vec![GqlError {
                    message: "文件暂时无法下载".into(),
                    code: "INTERNAL".into(),
                    field: None,
                    retry_after_secs: None,
                }],
            };
            read_failed(&web, visitor, &uri, &trouble).await
        }
    }
}

/// `POST /cases/{id}/papers`: correction papers (补正材料, Reg. 30) from a multipart form
/// (`csrf`, then `file`), streamed on to `POST /cases/{id}/attachments` with
/// `X-Attachment-Purpose: CORRECTION` and the session's token. The attachment route decides
/// whether the applicant may upload now, the size and the type; its refusal is shown beside
/// the form.
pub async fn upload_correction_papers(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Path(id): Path<String>,
    request: axum::extract::Request,
) -> Response {
    let Some(token) = visitor.token.clone() else {
        return sign_in_first(&uri);
    };
    let boundary = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| multer::parse_boundary(v).ok());
    let Some(boundary) = boundary else {
        return csrf_refused(&web, visitor, &uri).await;
    };
    let mut multipart = multer::Multipart::new(request.into_body().into_data_stream(), boundary);
    // The CSRF field comes first in the form: checked before a byte of the file is read.
    let csrf = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("csrf") => field.text().await.ok(),
        _ => None,
    };
    if !visitor.csrf_ok(csrf.as_deref()) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    let field = match multipart.next_field().await {
        Ok(Some(field)) if field.name() == Some("file") && field.file_name().is_some_and(|n| !n.is_empty()) => field,
        _ => return papers_refused(&web, visitor, &id, "请选择要上传的文件。").await,
    };
    let file_name = field.file_name().unwrap_or("file").to_owned();
    let content_type = field.content_type().map(|m| m.to_string()).unwrap_or_else(|| "application/octet-stream".into());
    let Some(files) = web.files.clone() else {
        return papers_refused(&web, visitor, &id, "本服务器暂不接受上传。").await;
    };
    let request = axum::http::Request::post(format!("/cases/{}/attachments", urlencode(&id)))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .header("x-file-name", urlencode(&file_name))
        .header("x-attachment-purpose", "CORRECTION")
        .body(axum::body::Body::from_stream(field));
    let Ok(request) = request else {
        return papers_refused(&web, visitor, &id, "文件名或类型无法识别。").await;
    };
    let response = call(files, request).await;
    let status = response.status();
    if status.is_success() {
        return Redirect::to(&format!("/cases/{}?done=papers#main", urlencode(&id))).into_response();
    }
    match status {
        StatusCode::UNAUTHORIZED => sign_in_first(&uri),
        StatusCode::NOT_FOUND => read_failed(&web, visitor, &uri, &not_found()).await,
        StatusCode::PAYLOAD_TOO_LARGE => {
            papers_refused(&web, visitor, &id, "文件太大，请压缩或分成几个文件后再上传。").await
        }
        StatusCode::UNSUPPORTED_MEDIA_TYPE => {
            papers_refused(&web, visitor, &id, "不支持这种文件类型，请上传 PDF 或图片（JPEG、PNG）。").await
        }
        _ => {
            // The route's JSON message (it cites the rule, e.g. a concluded case).
            let body = axum::body::to_bytes(response.into_body(), 64 * 1024).await.unwrap_or_default();
            let message = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("message").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "上传没有成功，请稍后再试。".into());
            papers_refused(&web, visitor, &id, &message).await
        }
    }
}

async fn papers_refused(web: &Web, visitor: Visitor, id: &str, message: &str) -> Response {
    let error = json!({ "slug": "papers", "message": message, "text": "" });
    let extras = CaseExtras { action_error: Some(error), ..CaseExtras::default() };
    let uri = Uri::from_maybe_shared(format!("/cases/{}", urlencode(id))).unwrap_or_default();
    show_case(web, visitor, &uri, id, extras).await
}

/// Calls the server's attachment routes in process.
async fn call(files: axum::Router, request: axum::extract::Request) -> Response {
    let mut service = files;
    // A router is always ready, and never fails (`Infallible`).
    match std::future::poll_fn(|cx| tower_service::Service::<axum::extract::Request>::poll_ready(&mut service, cx))
        .await
    {
        Ok(()) => match tower_service::Service::call(&mut service, request).await {
            Ok(response) => response,
            Err(never) => match never {},
        },
        Err(never) => match never {},
    }
}

/// `POST /documents/{id}/open`: `openDocument` (the first opening by the applicant is the
/// document's online service, so it is a form with a CSRF token, never a plain link another
/// site could make a browser follow), then back to the case page at the document.
pub async fn open_document(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Path(id): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if !visitor.csrf_ok(form.get("csrf").map(String::as_str)) {
        return csrf_refused(&web, visitor, &uri).await;
    }
    if visitor.token.is_none() {
        return sign_in_first(&uri);
    }
    let answer = gql::run(&web.schema, &visitor, gql::OPEN_DOCUMENT, json!({ "input": { "documentId": id } })).await;
    match answer.data.pointer("/openDocument/case/id").and_then(Value::as_str) {
        Some(case) => {
            Redirect::to(&format!("/cases/{}?opened={}#document-{}", urlencode(case), urlencode(&id), urlencode(&id)))
                .into_response()
        }
        None => read_failed(&web, visitor, &uri, &answer).await,
    }
}

// ---------------------------------------------------------------------------------------
// 公开统计: table 三 for anyone

/// The first year the statistics cover (the 2019 revision's tables).
const FIRST_STATISTICS_YEAR: i64 = 2018;

#[derive(Deserialize)]
pub struct StatisticsQuery {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    month: String,
}

/// This year in China Standard Time, by this machine's clock (the list of years only: the
/// API decides which periods it answers).
fn this_year() -> i64 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    i64::from(time::OffsetDateTime::now_utc().to_offset(offset).year())
}

/// The query's agency, year and month, checked; or the errors beside their fields.
fn statistics_input(q: &StatisticsQuery) -> Result<Value, Vec<GqlError>> {
    let mut errors = Vec::new();
    let agency = q.agency.trim();
    if agency.is_empty() {
        errors.push(field_error("agencyCode", "请选择机关"));
    }
    let year = if q.year.trim().is_empty() { Some(this_year()) } else { q.year.trim().parse::<i64>().ok() };
    if year.is_none() {
        errors.push(field_error("year", "请选择年度"));
    }
    let month = match q.month.trim() {
        "" => Ok(None),
        m => m.parse::<i64>().map(Some),
    };
    if month.is_err() {
        errors.push(field_error("month", "请选择月份"));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(json!({ "agencyCode": agency, "year": year, "month": month.ok().flatten() }))
}

/// `GET /statistics?agency=&year=&month=`: the picker, and the chosen agency's table 三
/// for the month or the year so far (`publicStatistics`), no sign-in.
pub async fn statistics(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Query(q): Query<StatisticsQuery>,
) -> Response {
    let agencies = directory(&web, &visitor).await;
    let now = this_year();
    let years: Vec<i64> = (FIRST_STATISTICS_YEAR..=now).rev().collect();
    let year: Option<i64> = q.year.trim().parse().ok().or(Some(now));
    let month: Option<i64> = q.month.trim().parse().ok();
    let form = json!({ "agency": q.agency.trim(), "year": year, "month": month });
    let mut data = json!({ "agencies": agencies, "years": years, "form": form });
    let mut status = StatusCode::OK;
    // The bare page (no agency chosen yet) is the picker only.
    let chosen = !q.agency.trim().is_empty() || !q.year.is_empty() || !q.month.is_empty();
    if chosen {
        let errors = match statistics_input(&q) {
            Err(errors) => errors,
            Ok(input) => {
                let answer = gql::run(&web.schema, &visitor, gql::PUBLIC_STATISTICS, json!({ "input": input })).await;
                match answer.data.get("publicStatistics").filter(|r| !r.is_null()) {
                    Some(report) => {
                        let mut report = report.clone();
                        if let Some(o) = report.as_object_mut() {
                            o.remove("csv");
                        }
                        mark_first_in_group(&mut report);
                        if let Some(o) = data.as_object_mut() {
                            o.insert("agency_name".into(), json!(report_agency_name(&report, q.agency.trim())));
                            o.insert(
                                "format_document".into(),
                                report.get("formatDocument").cloned().unwrap_or(Value::Null),
                            );
                            o.insert("report".into(), report);
                        }
                        Vec::new()
                    }
                    None => answer.errors,
                }
            }
        };
        if !errors.is_empty() {
            status = StatusCode::BAD_REQUEST;
            let (errors, field_errors) = error_context(&errors);
            if let Some(o) = data.as_object_mut() {
                o.insert("errors".into(), errors);
                o.insert("field_errors".into(), field_errors);
            }
        }
    }
    page(&web, visitor, &uri, status, "statistics.html", "公开统计", data).await.into_response()
}

/// Marks each item row that opens its group (`first_in_group`), where the table names the
/// group above its items, as the official form does.
fn mark_first_in_group(report: &mut Value) {
    let Some(rows) = report.pointer_mut("/summary/rows").and_then(Value::as_array_mut) else { return };
    let mut previous = String::new();
    for row in rows {
        let group = row.get("group").and_then(Value::as_str).unwrap_or("").to_owned();
        let item = row.get("item").and_then(Value::as_str).is_some_and(|i| !i.is_empty());
        let first = item && group != previous;
        if let Some(o) = row.as_object_mut() {
            o.insert("first_in_group".into(), json!(first));
        }
        previous = group;
    }
}

/// The chosen agency's own name in `report` (the summary of an agency with agencies below
/// it is named `<n>个机关汇总`).
fn report_agency_name(report: &Value, code: &str) -> String {
    report
        .get("agencies")
        .and_then(Value::as_array)
        .and_then(|list| list.iter().find(|t| t.get("agencyCode").and_then(Value::as_str) == Some(code)))
        .or_else(|| report.get("summary"))
        .and_then(|t| t.get("agencyName"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned()
}

/// `GET /statistics.csv?agency=&year=&month=`: the same table as CSV (UTF-8 with a BOM,
/// so that spreadsheet programs read the Chinese), named after the agency and the period.
pub async fn statistics_csv(
    State(web): State<Web>,
    visitor: Visitor,
    uri: Uri,
    Query(q): Query<StatisticsQuery>,
) -> Response {
    let Ok(input) = statistics_input(&q) else {
        return Redirect::to(&format!("/statistics?{}", uri.query().unwrap_or(""))).into_response();
    };
    let answer = gql::run(&web.schema, &visitor, gql::PUBLIC_STATISTICS, json!({ "input": input })).await;
    let Some(report) = answer.data.get("publicStatistics").filter(|r| !r.is_null()) else {
        // The page says what is wrong, beside the field.
        return Redirect::to(&format!("/statistics?{}", uri.query().unwrap_or(""))).into_response();
    };
    let csv = report.get("csv").and_then(Value::as_str).unwrap_or("");
    let body = if csv.starts_with('\u{feff}') { csv.to_owned() } else { format!("\u{feff}{csv}") };
    let name = report_agency_name(report, q.agency.trim());
    let period = report.get("periodLabel").and_then(Value::as_str).unwrap_or("");
    let ascii = format!(
        "statistics-{}-{}.csv",
        q.agency.trim().chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect::<String>(),
        input["year"]
            .as_i64()
            .map(|y| match input["month"].as_i64() {
                Some(m) => format!("{y}-{m:02}"),
                None => y.to_string(),
            })
            .unwrap_or_default()
    );
    let full = format!("{name}-{period}-政府信息公开申请情况.csv");
    download("text/csv; charset=utf-8", &ascii, &full, body)
}

// ---------------------------------------------------------------------------------------
// Large text

#[derive(Deserialize)]
pub struct TextSizeQuery {
    size: Option<String>,
    back: Option<String>,
}

/// `GET /text-size?size=large|normal&back=`: sets the preference cookie and goes back. A
/// link, not a form: it changes nothing but how pages look, so it needs no CSRF token.
pub async fn text_size(visitor: Visitor, Query(q): Query<TextSizeQuery>) -> Response {
    let back = local_path(q.back.as_deref());
    let cookie = if q.size.as_deref() == Some("large") {
        visitor.cookie(TEXT_COOKIE, "large", Some(365 * 24 * 3600))
    } else {
        visitor.clear_cookie(TEXT_COOKIE)
    };
    let mut response = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local_path(Some("/my")), "/my");
        assert_eq!(local_path(Some("//evil.example/")), "/");
        assert_eq!(local_path(Some("/\\evil.example")), "/");
        assert_eq!(local_path(Some("https://evil.example/")), "/");
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn api_fields_become_form_fields() {
        let (list, fields) = error_context(&[
            GqlError {
                message: "input.subject: must not be empty".into(),
                code: "VALIDATION".into(),
                field: Some("input.subject".into()),
                retry_after_secs: None,
            },
            GqlError {
                message: "rate limited".into(),
                code: "RATE_LIMITED".into(),
                field: None,
                retry_after_secs: Some(5),
            },
        ]);
        assert_eq!(fields, json!({ "subject": "must not be empty" }));
        assert_eq!(list[0]["field"], "subject");
        assert_eq!(list[1]["field"], Value::Null);
    }

    #[test]
    fn the_number_and_code_are_read_as_printed() {
        assert_eq!(clean_number(" 20261130 482913 "), "20261130482913");
        assert_eq!(clean_code("7kq2m zp4xa"), "7KQ2MZP4XA");
        assert!(guest_number("20261130482913") && !guest_number("zhangsan"));
    }

    #[test]
    fn waits_are_said_in_words() {
        assert_eq!(wait_text(0), "1 秒");
        assert_eq!(wait_text(2), "2 秒");
        assert_eq!(wait_text(61), "2 分钟");
        assert_eq!(wait_text(3600), "1 小时");
        assert_eq!(wait_text(3700), "1 小时 2 分钟");
    }

    #[test]
    fn applicant_fields_are_form_fields() {
        let (_, fields) = error_context(&[GqlError {
            message: "input.applicant.idNumber: the check digit is wrong".into(),
            code: "VALIDATION".into(),
            field: Some("input.applicant.idNumber".into()),
            retry_after_secs: None,
        }]);
        assert_eq!(fields, json!({ "idNumber": "the check digit is wrong" }));
    }

    #[test]
    fn only_allowed_applicant_actions_are_offered() {
        let c = json!({ "allowedActions": [
            { "action": "WITHDRAW_APPLICATION", "allowed": true },
            { "action": "SUBMIT_CORRECTION", "allowed": false, "reason": "no correction was requested" },
            { "action": "REPORT_FEE_PAYMENT", "allowed": true },
        ] });
        let slugs: Vec<Value> = offered_actions(&c).iter().map(|a| a["slug"].clone()).collect();
        assert_eq!(slugs, [json!("fee"), json!("withdraw")]);
        assert!(offered_actions(&json!({})).is_empty());
    }

    #[test]
    fn the_letter_is_its_body() {
        assert_eq!(letter_body("<html><style>x</style><body><p>正文</p></body></html>"), "<p>正文</p>");
    }
}
