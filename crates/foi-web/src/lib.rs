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
    /// The server's attachment routes (`GET /attachments/{id}`), called in process by the
    /// download link of the case page with the session's token; `None` serves no files.
    pub files: Option<Router>,
}

/// The portal's routes over `schema` (the one the API serves):
///
/// | route | page |
/// | --- | --- |
/// | `GET /` | home |
/// | `GET /guide` | 申请指南 |
/// | `GET /agencies?q=` | the agency picker |
/// | `GET, POST /apply` | the application form (without an account when not signed in; `?as=org`) |
/// | `GET, POST /follow` | 查询: following a case with its number and query code |
/// | `GET /statistics?agency=&year=&month=` | 公开统计 (table 三), no sign-in |
/// | `GET /statistics.csv?…` | the same as CSV |
/// | `GET, POST /signin`, `POST /signout` | signing in and out |
/// | `GET, POST /register` | registration (`?as=org` for an organisation) |
/// | `GET /my` | 我的申请 |
/// | `GET /cases/{id}` | one case |
/// | `POST /cases/{id}/correction\|reasons\|fee` | the applicant's statements |
/// | `POST /cases/{id}/papers` | correction papers (multipart), on to `POST /cases/{id}/attachments` |
/// | `GET, POST /cases/{id}/withdraw` | withdrawing, with a confirmation step |
/// | `GET /documents/{id}/pdf` | a document's PDF |
/// | `GET /files/{id}` | a file of a case (`GET /attachments/{id}` with the session's token) |
/// | `POST /documents/{id}/open` | the applicant opens a document (网上送达) |
/// | `GET /text-size?size=large\|normal&back=` | the large-text switch |
/// | `GET /static/{*file}` | embedded assets |
pub fn router(schema: FoiSchema) -> Router {
    router_with_files(schema, None)
}

/// [`router`], with the server's attachment routes behind `GET /files/{id}`: the
/// download `GET /attachments/{id}` asks for `Authorization: Bearer`, which a browser
/// holding the session cookie does not send, so the portal sends it on the cookie's behalf.
pub fn router_with_files(schema: FoiSchema, files: Option<Router>) -> Router {
    let web = Web { schema, templates: Arc::new(render::environment()), files };
    Router::new()
        .route("/", get(pages::home))
        .route("/guide", get(pages::guide))
        .route("/agencies", get(pages::agencies))
        .route("/agencies/{code}/form.pdf", get(pages::blank_form_pdf))
        .route("/apply", get(pages::apply_form).post(pages::apply))
        .route("/follow", get(pages::follow_form).post(pages::follow))
        .route("/statistics", get(pages::statistics))
        .route("/statistics.csv", get(pages::statistics_csv))
        .route("/signin", get(pages::sign_in_form).post(pages::sign_in))
        .route("/signout", post(pages::sign_out))
        .route("/register", get(pages::register_form).post(pages::register))
        .route("/my", get(pages::my_cases))
        .route("/cases/{id}", get(pages::case_page))
        .route("/cases/{id}/withdraw", get(pages::withdraw_form).post(pages::withdraw))
        .route("/cases/{id}/{action}", post(pages::case_statement))
        .route("/documents/{id}/pdf", get(pages::document_pdf))
        .route("/files/{id}", get(pages::download_file))
        .route("/cases/{id}/papers", post(pages::upload_correction_papers))
        .route("/documents/{id}/open", post(pages::open_document))
        .route("/text-size", get(pages::text_size))
        .route("/static/{*file}", get(assets::serve))
        .with_state(web)
}
