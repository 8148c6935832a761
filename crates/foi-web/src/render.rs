//! The templates (embedded) and the response every page is sent as.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::Environment;
use serde_json::{Map, Value, json};

use crate::session::Visitor;

/// The policy of every page: its own stylesheet, forms posted to itself, nothing else.
pub const PAGE_CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("identity_fields.html", include_str!("../templates/identity_fields.html")),
    ("home.html", include_str!("../templates/home.html")),
    ("guide.html", include_str!("../templates/guide.html")),
    ("agencies.html", include_str!("../templates/agencies.html")),
    ("apply.html", include_str!("../templates/apply.html")),
    ("signin.html", include_str!("../templates/signin.html")),
    ("register.html", include_str!("../templates/register.html")),
    ("my.html", include_str!("../templates/my.html")),
    ("case.html", include_str!("../templates/case.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("receipt.html", include_str!("../templates/receipt.html")),
    ("follow.html", include_str!("../templates/follow.html")),
    ("withdraw.html", include_str!("../templates/withdraw.html")),
    ("statistics.html", include_str!("../templates/statistics.html")),
];

/// The environment with every template; `.html` templates escape what they print.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    for (name, source) in TEMPLATES {
        // A template that does not parse is a bug found by every test that renders a page.
        env.add_template(name, source).unwrap_or_else(|e| panic!("template {name}: {e}"));
    }
    env
}

/// A rendered page with its status and the cookies to set.
pub struct Page {
    pub status: StatusCode,
    pub html: String,
    pub cookies: Vec<String>,
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.status, self.html).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_CSP));
        // Pages show personal data and carry CSRF tokens: no cache keeps them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        for c in self.cookies {
            if let Ok(v) = HeaderValue::from_str(&c) {
                headers.append(header::SET_COOKIE, v);
            }
        }
        response
    }
}

/// What every page's layout reads.
pub struct Frame<'a> {
    pub visitor: &'a Visitor,
    /// `me` of the `Me` operation, `null` when not signed in.
    pub me: Value,
    /// The page's own path (for the large-text switch to come back to).
    pub here: String,
}

/// Renders `template` with `page` (an object) inside the layout's context.
pub fn render(
    templates: &Environment<'static>,
    frame: &Frame<'_>,
    status: StatusCode,
    template: &str,
    title: &str,
    page: Value,
) -> Page {
    let (csrf, set_csrf) = frame.visitor.csrf();
    let mut context = Map::new();
    context.insert("site_name".into(), json!(crate::SITE_NAME));
    context.insert("css".into(), json!(crate::assets::SITE_CSS_PATH.as_str()));
    context.insert("large".into(), json!(frame.visitor.large_text));
    context.insert("me".into(), frame.me.clone());
    context.insert("csrf".into(), json!(csrf));
    context.insert("here".into(), json!(frame.here));
    context.insert("title".into(), json!(title));
    context.insert("errors".into(), json!([]));
    context.insert("field_errors".into(), json!({}));
    context.insert("form".into(), json!({}));
    if let Value::Object(page) = page {
        context.extend(page);
    }
    let html = templates
        .get_template(template)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(Value::Object(context)))));
    match html {
        Ok(html) => Page { status, html, cookies: set_csrf.into_iter().collect() },
        Err(e) => {
            tracing::error!(template, error = %e, "a portal page failed to render");
            #[cfg(test)]
            eprintln!("{template}: {e:#}");
            Page {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                html: "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>出错了</title>\
                       <h1>页面出错了</h1><p>请稍后再试。</p></html>"
                    .into(),
                cookies: Vec::new(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses_and_renders_with_the_layout() {
        let env = environment();
        let visitor = Visitor::default();
        let frame = Frame { visitor: &visitor, me: Value::Null, here: "/".into() };
        let partials = ["base.html", "macros.html", "identity_fields.html"];
        for (name, _) in TEMPLATES.iter().filter(|(n, _)| !partials.contains(n)) {
            let page = render(
                &env,
                &frame,
                StatusCode::OK,
                name,
                "标题",
                json!({ "c": { "agency": {}, "applicant": {}, "history": [] }, "agencies": [], "receipt": {} }),
            );
            assert_eq!(page.status, StatusCode::OK, "{name}");
            assert!(page.html.contains("<main id=\"main\""), "{name}");
            // The anonymous visitor gets a CSRF cookie with the page.
            assert!(page.cookies.iter().any(|c| c.starts_with("foi_csrf=")), "{name}");
        }
    }
}
