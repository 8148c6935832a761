//! The visitor: the API's session token kept in a cookie, the CSRF token of their forms, and
//! the large-text preference.
//!
//! - **Session.** `signIn` returns the API's session token; the portal keeps it in the cookie
//!   [`SESSION_COOKIE`], `HttpOnly; SameSite=Lax; Path=/`, and `Secure` when the request came
//!   over TLS. The portal terminates no TLS itself: a request counts as TLS when it came from
//!   one of `[http] trusted_proxies` with `X-Forwarded-Proto: https` (foi-server sets
//!   [`Peer`]). Expired or signed-out tokens are refused by the API like any other.
//! - **CSRF.** Every POST form carries a hidden `csrf` field, checked before anything runs.
//!   Signed in, it is derived from the session token (the first 32 hex digits of
//!   SHA-256(`"foi-web csrf\0"` ‖ token)): another site can neither read the cookie nor
//!   compute the field. Anonymous (sign-in, registration), it is the random value of the
//!   cookie [`CSRF_COOKIE`], submitted again in the form (double submit). A POST without the
//!   right value is refused with 403 before the form is read any further.
//! - **Large text (适老化).** The cookie [`TEXT_COOKIE`] `=large` makes every page larger;
//!   set and cleared by a plain link, so it works without JavaScript.

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use sha2::{Digest, Sha256};

/// The cookie holding the API's session token.
pub const SESSION_COOKIE: &str = "foi_session";
/// The anonymous visitor's CSRF cookie (double submit).
pub const CSRF_COOKIE: &str = "foi_csrf";
/// The text-size preference.
pub const TEXT_COOKIE: &str = "foi_text";

/// What the HTTP layer knows about the connection, put into the request's extensions by the
/// server (foi-server's `http.rs`): the client's address (after trusted proxies) for the
/// API's throttles, and whether the request came over TLS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Peer {
    /// The client's address, as `POST /graphql` reads it.
    pub client: Option<IpAddr>,
    /// Whether the browser reached us over HTTPS (through a trusted proxy).
    pub tls: bool,
}

/// Who is asking, as far as the cookies say.
#[derive(Debug, Clone, Default)]
pub struct Visitor {
    /// The API's session token, if the browser sent one.
    pub token: Option<String>,
    /// The anonymous CSRF cookie's value, if the browser sent one.
    pub csrf_cookie: Option<String>,
    /// Large text on.
    pub large_text: bool,
    /// The connection.
    pub peer: Peer,
}

impl<S: Send + Sync> FromRequestParts<S> for Visitor {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(Visitor::from_headers(&parts.headers, parts.extensions.get::<Peer>().copied().unwrap_or_default()))
    }
}

impl Visitor {
    /// The visitor of a request with `headers` over `peer`.
    pub fn from_headers(headers: &HeaderMap, peer: Peer) -> Visitor {
        let token = cookie(headers, SESSION_COOKIE).filter(|t| is_token(t));
        let csrf_cookie = cookie(headers, CSRF_COOKIE).filter(|t| is_token(t));
        let large_text = cookie(headers, TEXT_COOKIE).as_deref() == Some("large");
        Visitor { token, csrf_cookie, large_text, peer }
    }

    /// The CSRF value this visitor's forms carry, and the cookie to set when an anonymous
    /// visitor has none yet.
    pub fn csrf(&self) -> (String, Option<String>) {
        match (&self.token, &self.csrf_cookie) {
            (Some(token), _) => (session_csrf(token), None),
            (None, Some(cookie)) => (cookie.clone(), None),
            (None, None) => {
                let fresh = random_hex();
                let set = self.cookie(CSRF_COOKIE, &fresh, None);
                (fresh, Some(set))
            }
        }
    }

    /// Whether `submitted` is this visitor's CSRF value.
    pub fn csrf_ok(&self, submitted: Option<&str>) -> bool {
        let Some(submitted) = submitted else { return false };
        let expected = match (&self.token, &self.csrf_cookie) {
            (Some(token), _) => session_csrf(token),
            (None, Some(cookie)) => cookie.clone(),
            (None, None) => return false,
        };
        constant_time_eq(submitted.as_bytes(), expected.as_bytes())
    }

    /// A `Set-Cookie` value for `name=value`: `HttpOnly; SameSite=Lax; Path=/`, `Secure`
    /// over TLS, `Max-Age` when given.
    pub fn cookie(&self, name: &str, value: &str, max_age_secs: Option<i64>) -> String {
        let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
        if let Some(age) = max_age_secs {
            c.push_str(&format!("; Max-Age={}", age.max(0)));
        }
        if self.peer.tls {
            c.push_str("; Secure");
        }
        c
    }

    /// A `Set-Cookie` value that deletes `name`.
    pub fn clear_cookie(&self, name: &str) -> String {
        self.cookie(name, "", Some(0))
    }
}

/// The CSRF value of a session: derived from its secret token, so only its holder knows it.
fn session_csrf(token: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"foi-web csrf\0");
    hash.update(token.as_bytes());
    hex(&hash.finalize()[..16])
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// A token as the API and this module write them: short, and safe in a header.
fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 256
        && value.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/'))
}

/// 16 random bytes in hex.
fn random_hex() -> String {
    let mut bytes = [0u8; 16];
    // The operating system's generator failing is not something a page can work around.
    getrandom::fill(&mut bytes).expect("the operating system's random number generator");
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with_cookies(v: &str) -> Visitor {
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_str(v).unwrap());
        Visitor::from_headers(&h, Peer::default())
    }

    #[test]
    fn session_csrf_needs_the_token() {
        let v = with_cookies("foi_session=abc123; foi_text=large");
        assert!(v.large_text);
        let (token, set) = v.csrf();
        assert!(set.is_none());
        assert!(v.csrf_ok(Some(&token)));
        assert!(!v.csrf_ok(Some("abc123")));
        assert!(!v.csrf_ok(None));
        // Another session's value is refused.
        assert!(!with_cookies("foi_session=other").csrf_ok(Some(&token)));
    }

    #[test]
    fn anonymous_csrf_is_double_submit() {
        let fresh = Visitor::default();
        let (value, set) = fresh.csrf();
        assert!(set.unwrap().starts_with(&format!("foi_csrf={value}; Path=/; HttpOnly; SameSite=Lax")));
        // Without the cookie nothing passes, not even the value just handed out.
        assert!(!fresh.csrf_ok(Some(&value)));
        let back = with_cookies(&format!("foi_csrf={value}"));
        assert!(back.csrf_ok(Some(&value)));
        assert!(!back.csrf_ok(Some("0000")));
    }

    #[test]
    fn secure_only_over_tls() {
        let plain = Visitor::default();
        assert!(!plain.cookie("a", "b", None).contains("Secure"));
        let tls = Visitor { peer: Peer { client: None, tls: true }, ..Visitor::default() };
        assert!(tls.cookie("a", "b", Some(60)).ends_with("; Max-Age=60; Secure"));
    }

    #[test]
    fn odd_cookie_values_are_ignored() {
        assert_eq!(with_cookies("foi_session=a b\"c").token, None);
        assert_eq!(with_cookies("x=1; foi_session=tok").token.as_deref(), Some("tok"));
    }
}
