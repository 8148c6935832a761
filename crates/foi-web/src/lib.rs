//! `foi-web`: the portal. Server-rendered pages in Chinese, served by `foi serve` at `/`,
//! over the same GraphQL schema the API serves, executed in process.
//!
//! - **One door to the data.** Every page runs named operations kept as
//!   `operations/*.graphql` ([`gql`]), with the visitor's session token and address, exactly
//!   as `POST /graphql` would. A test validates every operation against the schema.
//! - **Sessions and CSRF** ([`session`]): the API's session token in an `HttpOnly;
//!   SameSite=Lax` cookie, a CSRF token on every POST form.
//! - **No JavaScript, no other host.** Pages are plain HTML forms and links; the stylesheet
//!   and GraphiQL's files are embedded ([`assets`]). A "large text" mode (适老化) is a link
//!   that sets a cookie.
//!
//! The server (`foi-server`'s `http.rs`) merges [`router`] into its own and puts a
//! [`Peer`] into each request's extensions.

pub mod assets;
pub mod gql;
mod pages;
mod render;
pub mod session;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};
use foi_api::FoiSchema;

pub use assets::{GRAPHIQL_CSP, GRAPHIQL_PAGE};
pub use session::Peer;

/// The site's name in every page's header.
pub const SITE_NAME: &str = "政府信息公开申请平台";

/// What the pages share: the schema and the templates.
#[derive(Clone)]
pub(crate) struct Web {
    pub schema: FoiSchema,
    pub templates: Arc<minijinja::Environment<'static>>,
}

/// The portal's routes over `schema` (the one the API serves):
///
/// | route | page |
/// | --- | --- |
/// | `GET /` | home |
/// | `GET /guide` | 申请指南 |
/// | `GET /agencies?q=` | the agency picker |
/// | `GET, POST /apply` | the application form |
/// | `GET, POST /signin`, `POST /signout` | signing in and out |
/// | `GET, POST /register` | registration (`?as=org` for an organisation) |
/// | `GET /my` | 我的申请 |
/// | `GET /cases/{id}` | one case |
/// | `GET /documents/{id}/pdf` | a document's PDF |
/// | `POST /documents/{id}/open` | the applicant opens a document (网上送达) |
/// | `GET /text-size?size=large\|normal&back=` | the large-text switch |
/// | `GET /static/{*file}` | embedded assets |
pub fn router(schema: FoiSchema) -> Router {
    let web = Web { schema, templates: Arc::new(render::environment()) };
    Router::new()
        .route("/", get(pages::home))
        .route("/guide", get(pages::guide))
        .route("/agencies", get(pages::agencies))
        .route("/apply", get(pages::apply_form).post(pages::apply))
        .route("/signin", get(pages::sign_in_form).post(pages::sign_in))
        .route("/signout", post(pages::sign_out))
        .route("/register", get(pages::register_form).post(pages::register))
        .route("/my", get(pages::my_cases))
        .route("/cases/{id}", get(pages::case_page))
        .route("/documents/{id}/pdf", get(pages::document_pdf))
        .route("/documents/{id}/open", post(pages::open_document))
        .route("/text-size", get(pages::text_size))
        .route("/static/{*file}", get(assets::serve))
        .with_state(web)
}
