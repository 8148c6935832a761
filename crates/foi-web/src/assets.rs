//! Everything a page loads, compiled into the binary and served from `/static/...`: the
//! stylesheet under a name carrying its content hash (cached for a year), and the vendored
//! GraphiQL of `GET /graphql` (see `static/README.md`). Nothing is fetched from another host.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

/// The portal's stylesheet.
pub const SITE_CSS: &str = include_str!("../static/site.css");

/// `/static/site.<hash>.css`: the address pages link, changed whenever the file changes.
pub static SITE_CSS_PATH: LazyLock<String> = LazyLock::new(|| {
    let hash = Sha256::digest(SITE_CSS.as_bytes());
    let hex: String = hash[..6].iter().map(|b| format!("{b:02x}")).collect();
    format!("/static/site.{hex}.css")
});

/// The vendored GraphiQL files: name under `/static/graphiql/`, media type, bytes.
pub const GRAPHIQL_FILES: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../static/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../static/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../static/graphiql/react-dom.production.min.js"),
    ),
    ("init.js", "text/javascript; charset=utf-8", include_bytes!("../static/graphiql/init.js")),
    ("page.css", "text/css; charset=utf-8", include_bytes!("../static/graphiql/page.css")),
    ("LICENSE.graphiql", "text/plain; charset=utf-8", include_bytes!("../static/graphiql/LICENSE.graphiql")),
    ("LICENSE.react", "text/plain; charset=utf-8", include_bytes!("../static/graphiql/LICENSE.react")),
    ("LICENSE.react-dom", "text/plain; charset=utf-8", include_bytes!("../static/graphiql/LICENSE.react-dom")),
];

/// The GraphiQL page of `GET /graphql`: the vendored scripts and one external start script,
/// nothing inline.
pub const GRAPHIQL_PAGE: &str = include_str!("../static/graphiql/index.html");

/// The policy of the GraphiQL page: scripts, styles and requests to this origin only, nothing
/// inline (React and CodeMirror set styles through the DOM, which the policy allows); images
/// and fonts may also be `data:` URLs (GraphiQL's icons).
pub const GRAPHIQL_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; \
     base-uri 'none'; form-action 'none'";

/// A year: the addresses change with the content.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `GET /static/{*file}`.
pub async fn serve(Path(file): Path<String>) -> Response {
    if file == SITE_CSS_PATH.trim_start_matches("/static/") {
        return asset("text/css; charset=utf-8", SITE_CSS.as_bytes(), IMMUTABLE);
    }
    if let Some(name) = file.strip_prefix("graphiql/")
        && let Some((_, media, bytes)) = GRAPHIQL_FILES.iter().find(|(n, _, _)| *n == name)
    {
        // Pinned versions, but not content-hashed names: a day, so that an update arrives.
        return asset(media, bytes, "public, max-age=86400");
    }
    (StatusCode::NOT_FOUND, [(header::CACHE_CONTROL, "no-store")], "not found").into_response()
}

fn asset(media: &'static str, bytes: &'static [u8], cache: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(media)),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        bytes,
    )
        .into_response()
}
