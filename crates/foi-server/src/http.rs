//! The HTTP surface of `foi serve`: GraphQL at `/graphql` (POST; GraphiQL on GET when
//! [`HttpConfig::graphiql`] is on), `/healthz` (liveness), `/readyz` (readiness), `/metrics`
//! (Prometheus), the attachment routes of `crate::attachments`, and subscriptions over a
//! websocket at `/graphql/ws` (`crate::graphql_ws`).
//!
//! The GraphQL handler is deliberately small: it checks the media type and the size of the
//! body, reads the bearer token, and hands everything else to the schema in `foi-api`.
//! Whatever goes wrong before the schema runs is answered in the shape GraphQL clients
//! already read, `{"errors":[{"message":…,"extensions":{"code":…}}]}`, with an HTTP status
//! that says the same:
//!
//! | problem | status | `extensions.code` |
//! | --- | --- | --- |
//! | not `Content-Type: application/json` | 415 | `UNSUPPORTED_MEDIA_TYPE` |
//! | body over [`MAX_BODY_BYTES`] | 413 | `PAYLOAD_TOO_LARGE` |
//! | body that is not a GraphQL request in JSON | 400 | `BAD_REQUEST` |
//! | `GET /graphql` with GraphiQL off | 404 | `NOT_FOUND` |
//! | `/metrics` without its bearer token (when one is set) | 401 | `UNAUTHENTICATED` |
//!
//! Every response carries the security headers of [`security_headers`] and the request's id
//! (`X-Request-Id`: the client's, if it is a short safe token, else a new one). CORS is closed
//! unless [`HttpConfig::cors_allowed_origins`] names origins.
//!
//! Logs carry the request id, the method, the path (never the query string), the status, the
//! latency and, for GraphQL, the operation name and error codes. A successful request is
//! logged at DEBUG, a 4xx at WARN and a 5xx at ERROR. Bodies, headers and tokens are never
//! logged: they hold personal data.
//!
//! Each connection is bounded too (see [`serve_with`]): its request head must arrive within
//! `header_read_timeout`, and at most `max_connections` are served at once.

use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::HttpBody as _;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use foi_api::observe::OperationSlot;
use foi_api::{ApiState, BearerToken, FoiSchema};
use foi_store::Store;
use tokio::net::TcpListener;
use tower_http::LatencyUnit;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::{DefaultOnFailure, TraceLayer};
use tracing::Span;

use crate::attachments::Attachments;

/// The largest request body accepted: 1 MiB. A GraphQL document with its variables is a few
/// kilobytes; files are uploaded to the attachment routes, with their own limit.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// A request that takes longer than this, reading its body included, is answered with
/// `408 Request Timeout`.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// An oversize body up to this size is read (and discarded) before the `413` is sent; see
/// `drain`.
const DRAIN_MAX_BYTES: usize = 16 * 1024 * 1024;

/// How long an oversize body is drained at most.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long `/healthz` waits for the database before reporting it unavailable.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(5);

/// How long `/readyz` waits for the database (a ping and the migration table) in all.
const READY_TIMEOUT: Duration = Duration::from_secs(5);

/// The request-id header, read from the client and echoed in every response.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client-chosen request id kept; a longer or odder one is replaced.
const MAX_REQUEST_ID_CHARS: usize = 64;

/// The policy of every response but the GraphiQL page: nothing may load, run or frame
/// anything. The API serves JSON and files only, so this costs nothing.
const STRICT_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// GraphiQL's page loads the vendored GraphiQL and React from `/static/graphiql/` (see
/// `crates/foi-web/static/README.md`): scripts from this origin only, nothing from another
/// host, so `/graphql` works offline.
const GRAPHIQL_CSP: &str = foi_web::GRAPHIQL_CSP;

/// The HTTP server's own settings (`[http]` of the configuration; see
/// `docs/configuration.md`). [`HttpConfig::default`] is what `foi serve` uses with no file.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpConfig {
    /// Whether `GET /graphql` serves GraphiQL. On for development and the demo.
    pub graphiql: bool,
    /// A request that takes longer than this, reading its body included, is answered with
    /// `408 Request Timeout`.
    pub request_timeout: Duration,
    /// How long a client may take to send a request's head (the request line and headers).
    pub header_read_timeout: Duration,
    /// The most connections served at once; further ones wait to be accepted.
    pub max_connections: usize,
    /// Origins allowed to call the API from a browser page of another origin (CORS). Empty:
    /// none.
    pub cors_allowed_origins: Vec<String>,
    /// Whether to send `Strict-Transport-Security` (only behind TLS).
    pub hsts: bool,
    /// Reverse proxies whose `X-Forwarded-For` names the client (for throttling by address).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// When set, `GET /metrics` requires `Authorization: Bearer <token>`; unset, it is open
    /// (keep it off the public listener, or behind the proxy).
    pub metrics_token: Option<String>,
}

impl std::fmt::Debug for HttpConfig {
    // Never the metrics token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpConfig")
            .field("graphiql", &self.graphiql)
            .field("request_timeout", &self.request_timeout)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("max_connections", &self.max_connections)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("hsts", &self.hsts)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "***"))
            .finish_non_exhaustive()
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            graphiql: true,
            request_timeout: REQUEST_TIMEOUT,
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            cors_allowed_origins: Vec::new(),
            hsts: false,
            trusted_proxies: Vec::new(),
            metrics_token: None,
        }
    }
}

/// What the handlers share. Cheap to clone: the schema and the store are handles.
#[derive(Clone)]
struct AppState {
    schema: FoiSchema,
    store: Store,
    /// The GraphiQL page; `None` when GraphiQL is off.
    graphiql: Option<Bytes>,
    metrics: crate::metrics::Scrape,
    metrics_token: Option<Arc<str>>,
    /// Reverse proxies whose `X-Forwarded-For` is believed (see [`client_addr`]).
    trusted_proxies: Arc<[std::net::IpAddr]>,
}

/// The application: every route and middleware, over `state`, with attachments kept in
/// `attachments`, with the default [`HttpConfig`]. Serve it with [`serve`] or with
/// `axum::serve`.
pub fn build_app(state: ApiState, attachments: Attachments) -> Router {
    build_app_with(state, attachments, &HttpConfig::default())
}

/// [`build_app`] with the HTTP settings `http`.
pub fn build_app_with(state: ApiState, attachments: Attachments, http: &HttpConfig) -> Router {
    let store = state.store.clone();
    let metrics = crate::metrics::Scrape::new(store.clone(), Arc::clone(&state.clock));
    let attachment_routes = crate::attachments::routes::routes(state.clone(), attachments);
    let subscriptions = crate::graphql_ws::routes(state.clone());
    let schema = foi_api::build_schema(state);
    let trusted_proxies: Arc<[std::net::IpAddr]> = http.trusted_proxies.clone().into();
    // The portal, over the same schema, with the client's address and TLS as this layer
    // reads them (see `web_peer`).
    // Its download links call the attachment routes in process with the session's token.
    let portal = foi_web::router_with_files(schema.clone(), Some(attachment_routes.clone()))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout))
        .layer(axum::middleware::from_fn_with_state(Arc::clone(&trusted_proxies), web_peer));
    let app = AppState {
        schema,
        store,
        graphiql: http.graphiql.then(|| Bytes::from_static(foi_web::GRAPHIQL_PAGE.as_bytes())),
        metrics,
        metrics_token: http.metrics_token.as_deref().map(Arc::from),
        trusted_proxies,
    };
    let router = Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(prometheus))
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout))
        .with_state(app)
        // The portal's pages at `/` and their assets at `/static/`.
        .merge(portal)
        // Uploads and downloads, with their own, longer timeout.
        .merge(attachment_routes)
        // GraphQL subscriptions over a websocket (`queueChanged`).
        .merge(subscriptions)
        .layer(
            TraceLayer::new_for_http()
                // The request id, method and path only: the query string, headers and body may
                // hold personal data. The GraphQL handler fills in the operation.
                .make_span_with(|request: &Request<Body>| {
                    let id = request.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("");
                    tracing::info_span!(
                        "http",
                        request_id = %id,
                        method = %request.method(),
                        path = %request.uri().path(),
                        operation = tracing::field::Empty,
                    )
                })
                .on_request(())
                .on_response(log_response)
                // 5xx responses and broken bodies, at ERROR.
                .on_failure(DefaultOnFailure::new().latency_unit(LatencyUnit::Millis)),
        );
    let router = security_headers(router, http.hsts);
    let router = match cors(&http.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    // Outermost: the id exists before the span is made, and the count sees the final status.
    router.layer(axum::middleware::from_fn(request_id_and_count))
}

/// One log line per response: DEBUG on success (an INFO line per request was hundreds of
/// megabytes in a load test), WARN for a client error; server errors are `on_failure`'s.
fn log_response(response: &Response, latency: Duration, _span: &Span) {
    let status = response.status();
    let latency_ms = latency.as_millis() as u64;
    if status.is_client_error() {
        tracing::warn!(status = status.as_u16(), latency_ms, "response");
    } else if !status.is_server_error() {
        tracing::debug!(status = status.as_u16(), latency_ms, "response");
    }
}

/// Adds the security headers to every response that does not set its own: a strict
/// `Content-Security-Policy` (the GraphiQL page sets its own), `X-Content-Type-Options`,
/// `X-Frame-Options`, `Referrer-Policy`, and with `hsts` `Strict-Transport-Security`.
fn security_headers(router: Router, hsts: bool) -> Router {
    let router = router
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(STRICT_CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer")));
    if hsts {
        // Only behind TLS: a browser that saw it over plain HTTP would ignore it anyway, but
        // a proxy that terminates TLS for some hosts only must not have it sent for others.
        router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        ))
    } else {
        router
    }
}

/// The CORS layer for `origins`; `None` (no CORS headers: browsers refuse cross-origin
/// calls) when the list is empty. Origins were checked when the configuration was loaded;
/// one that still cannot be a header value is left out.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE, REQUEST_ID])
            .expose_headers([REQUEST_ID])
            .max_age(Duration::from_secs(600)),
    )
}

/// Gives the request its id (the client's `X-Request-Id` if it is safe to log, else a new
/// one), echoes it in the response, and counts the response by status.
async fn request_id_and_count(mut request: Request, next: Next) -> Response {
    let id =
        request.headers().get(REQUEST_ID).filter(|v| is_safe_request_id(v.as_bytes())).cloned().unwrap_or_else(|| {
            HeaderValue::from_str(&foi_store::Uuid::new_v4().simple().to_string()).expect("hex is a header value")
        });
    request.headers_mut().insert(REQUEST_ID, id.clone());
    let mut response = next.run(request).await;
    response.headers_mut().insert(REQUEST_ID, id);
    crate::metrics::record_http(response.status().as_u16());
    response
}

/// A request id a client may choose: 1 to 64 letters, digits, `-`, `_` or `.`, so that it can
/// go into a log line and a header unchanged and carries no personal data by accident of
/// length.
fn is_safe_request_id(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID_CHARS
        && id.iter().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// Serves the application on `listener` until `shutdown` completes, then lets the requests
/// in flight finish.
pub async fn serve<F>(
    listener: TcpListener,
    state: ApiState,
    attachments: Attachments,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    serve_with(listener, state, attachments, HttpConfig::default(), shutdown).await
}

/// [`serve`] with the HTTP settings `http`.
///
/// Its own accept loop over hyper, rather than `axum::serve`, for three bounds:
/// `http.header_read_timeout` (a client that sends half a request head is disconnected),
/// `http.max_connections` (further connections wait in the listen backlog until one
/// closes), and `http.request_timeout` (through the router). Every request carries the
/// peer's `ConnectInfo<SocketAddr>`; websocket upgrades work (`/graphql/ws`). Once
/// `shutdown` completes no connection is accepted, idle ones are closed, and the requests
/// in flight finish before this returns.
pub async fn serve_with<F>(
    listener: TcpListener,
    state: ApiState,
    attachments: Attachments,
    http: HttpConfig,
    shutdown: F,
) -> std::io::Result<()>
where
    F: Future<Output = ()> + Send + 'static,
{
    let router = build_app_with(state, attachments, &http);
    // At most `u32::MAX`: the shutdown below takes every permit back in one `acquire_many`.
    let max_connections = http.max_connections.clamp(1, u32::MAX as usize);
    let permits = Arc::new(tokio::sync::Semaphore::new(max_connections));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(hyper_util::rt::TokioTimer::new()).header_read_timeout(http.header_read_timeout);
    let builder = Arc::new(builder);
    tokio::pin!(shutdown);
    loop {
        // A permit first: beyond the cap, connections wait in the kernel's backlog.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<hyper::body::Incoming>| {
            request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
            let mut router = router.clone();
            async move { tower_service::Service::call(&mut router, request.map(Body::new)).await }
        });
        let builder = Arc::clone(&builder);
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let connection = builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service).with_upgrades();
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = async { let _ = stopped.wait_for(|stop| *stop).await; } => {
                    // Finish the request in flight (if any), then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = result {
                // Timeouts of the request head and clients that went away: not the server's fault.
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit until it ends: all of them back means all are done.
    let _all = permits.acquire_many(max_connections as u32).await;
    Ok(())
}

/// Completes on Ctrl-C or, on Unix, SIGTERM (what `docker stop`, systemd and Kubernetes send).
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            // No handler could be installed: never report a signal that did not come.
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

/// `POST /graphql`: one GraphQL request in JSON, executed with the caller's bearer token.
async fn graphql(State(app): State<AppState>, request: Request) -> Response {
    let headers = request.headers();
    if !is_json(headers) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the GraphQL request as JSON, with `Content-Type: application/json`",
        );
    }
    let declared_length = headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let token = bearer_token(headers);
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let client = foi_api::ClientAddr(peer.map(|peer| client_addr(peer, headers, &app.trusted_proxies)));
    let mut body = request.into_body();
    if declared_length.is_some_and(|n| n > MAX_BODY_BYTES as u64) {
        // Too large by its own account: refused without buffering any of it (but drained,
        // see `drain`, unless it is absurdly large).
        if declared_length.is_some_and(|n| n <= DRAIN_MAX_BYTES as u64) {
            drain(body).await;
        }
        return too_large();
    }
    let body = match read_body(&mut body, declared_length).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            drain(body).await;
            return too_large();
        }
        Err(BodyError::Unreadable) => {
            return error_response(StatusCode::BAD_REQUEST, "BAD_REQUEST", "the request body could not be read");
        }
    };
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(e) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!(
                    "the body is not a GraphQL request: expected a JSON object with `query` \
                     (and optionally `variables`, `operationName`); {e}"
                ),
            );
        }
    };
    let slot = OperationSlot::default();
    let named = request.operation_name.clone();
    let started = std::time::Instant::now();
    let response =
        foi_api::execute(&app.schema, request.data(BearerToken(token)).data(client).data(slot.clone())).await;
    // The executed operation's name, else the one the client gave (refused before execution).
    let operation = crate::metrics::operation_label(slot.name().or(named.as_deref()));
    let codes: Vec<&str> = response
        .errors
        .iter()
        .filter_map(|e| match e.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.as_str()),
            _ => None,
        })
        .collect();
    crate::metrics::record_graphql(&operation, started.elapsed(), &codes);
    Span::current().record("operation", operation.as_str());
    if !codes.is_empty() {
        tracing::debug!(codes = ?codes, "graphql errors");
    }
    let mut http = (StatusCode::OK, axum::Json(&response)).into_response();
    let http_headers = http.headers_mut();
    // Answers may hold personal data: no cache may keep them.
    http_headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in &response.http_headers {
        http_headers.append(name, value.clone());
    }
    http
}

/// `GET /graphql`: GraphiQL, the in-browser IDE, with the looser policy its page needs
/// ([`GRAPHIQL_CSP`]). Its header editor takes `{"Authorization": "Bearer <token>"}` after
/// signing in. `404` when GraphiQL is off.
async fn graphiql(State(app): State<AppState>) -> Response {
    match app.graphiql {
        Some(page) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
                (header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(GRAPHIQL_CSP)),
            ],
            page,
        )
            .into_response(),
        None => error_response(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "GraphiQL is off on this server; send GraphQL requests with POST /graphql",
        ),
    }
}

/// `GET /readyz`: `200 ready` when the database answers and has no pending migration,
/// `503` with the reason otherwise: whether this replica should receive requests.
async fn readyz(State(app): State<AppState>) -> Response {
    let (status, text) = match readiness(&app.store, READY_TIMEOUT).await {
        Ok(()) => (StatusCode::OK, "ready".to_owned()),
        Err(reason) => (StatusCode::SERVICE_UNAVAILABLE, reason),
    };
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// Whether a replica over `store` may receive requests: the database answers within
/// `timeout` and no migration is pending. The reason, for people, otherwise.
pub async fn readiness(store: &Store, timeout: Duration) -> Result<(), String> {
    let check = async {
        store.ping().await.map_err(|e| {
            tracing::warn!(error = %crate::db::error_chain(&e), "readiness: the database failed");
            "database unavailable".to_owned()
        })?;
        let pending = store.pending_migrations().await.map_err(|e| {
            tracing::warn!(error = %crate::db::error_chain(&e), "readiness: cannot read the schema version");
            "database unavailable".to_owned()
        })?;
        if pending.is_empty() {
            Ok(())
        } else {
            Err(format!("{} migration(s) pending: run `foi migrate`", pending.len()))
        }
    };
    tokio::time::timeout(timeout, check).await.unwrap_or_else(|_| {
        tracing::warn!("readiness: the database did not answer within {timeout:?}");
        Err("the database did not answer in time".to_owned())
    })
}

/// `GET /metrics`: the Prometheus text exposition; with a `metrics_token`, only for
/// `Authorization: Bearer <token>`.
async fn prometheus(State(app): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(expected) = &app.metrics_token {
        let given = bearer_token(&headers).unwrap_or_default();
        if !constant_time_eq(given.as_bytes(), expected.as_bytes()) {
            return error_response(
                StatusCode::UNAUTHORIZED,
                "UNAUTHENTICATED",
                "send the metrics token as `Authorization: Bearer <token>`",
            );
        }
    }
    match app.metrics.render().await {
        Some(text) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8")),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
            ],
            text,
        )
            .into_response(),
        None => error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            "METRICS_UNAVAILABLE",
            "metrics are not recorded in this process",
        ),
    }
}

/// Compares without stopping at the first difference, so the time taken does not tell how
/// much of a guessed token was right.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// `GET /healthz`: `200 ok` when the database answers, `503` otherwise.
async fn healthz(State(app): State<AppState>) -> Response {
    let answer = tokio::time::timeout(HEALTH_TIMEOUT, app.store.ping()).await;
    let (status, text) = match answer {
        Ok(Ok(())) => (StatusCode::OK, "ok"),
        Ok(Err(e)) => {
            tracing::warn!(error = %crate::db::error_chain(&e), "health check: the database failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
        Err(_) => {
            tracing::warn!("health check: the database did not answer within {HEALTH_TIMEOUT:?}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable")
        }
    };
    (status, [(header::CACHE_CONTROL, "no-store")], text).into_response()
}

/// Puts the portal's [`foi_web::Peer`] into the request: the client's address as
/// `POST /graphql` reads it (for the API's throttles), and whether the browser came over
/// TLS, which is believed only from a trusted proxy that says `X-Forwarded-Proto: https`
/// (the session cookie is then `Secure`).
async fn web_peer(State(trusted): State<Arc<[std::net::IpAddr]>>, mut request: Request, next: Next) -> Response {
    let peer = request.extensions().get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
    let headers = request.headers();
    let client = peer.map(|peer| client_addr(peer, headers, &trusted));
    let tls = peer.is_some_and(|peer| trusted.contains(&peer)) && forwarded_https(headers);
    request.extensions_mut().insert(foi_web::Peer { client, tls });
    next.run(request).await
}

/// `X-Forwarded-Proto: https` (the last value, the one the nearest proxy wrote).
fn forwarded_https(headers: &HeaderMap) -> bool {
    headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .next_back()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"))
}

/// The client's address, for throttling sign-ins by address: the peer, unless the peer is a
/// trusted reverse proxy, in which case the nearest address of `X-Forwarded-For` that is not
/// itself a trusted proxy (read from the right: the left part is whatever the client wrote,
/// and a client could name any address there).
fn client_addr(peer: std::net::IpAddr, headers: &HeaderMap, trusted: &[std::net::IpAddr]) -> std::net::IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let forwarded = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    let mut nearest = peer;
    for hop in forwarded.iter().rev() {
        let Ok(address) = hop.parse::<std::net::IpAddr>() else { return nearest };
        nearest = address;
        if !trusted.contains(&address) {
            break;
        }
    }
    nearest
}

/// `application/json`, with or without parameters such as `charset=utf-8`.
fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// The token of `Authorization: Bearer <token>`; `None` without one (or for another scheme).
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned())
}

enum BodyError {
    TooLarge,
    Unreadable,
}

/// The body, as long as it stays within [`MAX_BODY_BYTES`]; memory is never spent on more.
async fn read_body(body: &mut Body, declared_length: Option<u64>) -> Result<Vec<u8>, BodyError> {
    let capacity = declared_length.map_or(8 * 1024, |n| n.min(MAX_BODY_BYTES as u64) as usize);
    let mut bytes = Vec::with_capacity(capacity);
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await {
        let frame = frame.map_err(|_| BodyError::Unreadable)?;
        if let Some(data) = frame.data_ref() {
            if bytes.len() + data.len() > MAX_BODY_BYTES {
                return Err(BodyError::TooLarge);
            }
            bytes.extend_from_slice(data);
        }
    }
    Ok(bytes)
}

/// Reads and discards the rest of an oversize body (up to [`DRAIN_MAX_BYTES`], for at most
/// [`DRAIN_TIMEOUT`]). Closing the connection while the client is still sending would make
/// it fail with a broken pipe before it ever reads the `413`; nginx's "lingering close"
/// does the same.
pub(crate) async fn drain(mut body: Body) {
    let discard = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
            seen += frame.data_ref().map_or(0, |d| d.len());
            if seen > DRAIN_MAX_BYTES {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, discard).await;
}

fn too_large() -> Response {
    let mut response = error_response(
        StatusCode::PAYLOAD_TOO_LARGE,
        "PAYLOAD_TOO_LARGE",
        &format!("the request body is larger than {} KiB", MAX_BODY_BYTES / 1024),
    );
    // What is left of the body may still be on its way: never reuse this connection.
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// An HTTP-level error in the shape of a GraphQL response.
fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (status, axum::Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap())).collect()
    }

    #[test]
    fn json_media_types() {
        assert!(is_json(&headers(&[(header::CONTENT_TYPE, "application/json")])));
        assert!(is_json(&headers(&[(header::CONTENT_TYPE, "Application/JSON; charset=utf-8")])));
        assert!(!is_json(&headers(&[(header::CONTENT_TYPE, "text/plain")])));
        assert!(!is_json(&headers(&[(header::CONTENT_TYPE, "application/jsonx")])));
        assert!(!is_json(&HeaderMap::new()));
    }

    #[test]
    fn request_ids_a_client_may_choose() {
        assert!(is_safe_request_id(b"abc-123_X.y"));
        assert!(is_safe_request_id(&[b'a'; MAX_REQUEST_ID_CHARS]));
        assert!(!is_safe_request_id(&[b'a'; MAX_REQUEST_ID_CHARS + 1]));
        assert!(!is_safe_request_id(b""));
        assert!(!is_safe_request_id(b"a b"));
        assert!(!is_safe_request_id(b"id\"><script>"));
        assert!(!is_safe_request_id("张三".as_bytes()));
    }

    #[test]
    fn token_comparison() {
        assert!(constant_time_eq(b"secret-token", b"secret-token"));
        assert!(!constant_time_eq(b"secret-token", b"secret-tokem"));
        assert!(!constant_time_eq(b"secret", b"secret-token"));
    }

    #[test]
    fn the_client_address_believes_only_trusted_proxies() {
        let proxy: std::net::IpAddr = "10.0.0.2".parse().unwrap();
        let inner: std::net::IpAddr = "10.0.0.3".parse().unwrap();
        let client: std::net::IpAddr = "203.0.113.7".parse().unwrap();
        let xff = |v: &str| headers(&[(header::HeaderName::from_static("x-forwarded-for"), v)]);
        // A direct client cannot name another address.
        assert_eq!(client_addr(client, &xff("198.51.100.1"), &[proxy]), client);
        // Behind the proxy: the address it appended, not what the client wrote before it.
        assert_eq!(client_addr(proxy, &xff("198.51.100.1, 203.0.113.7"), &[proxy]), client);
        // Two trusted proxies in a row are both skipped.
        assert_eq!(client_addr(proxy, &xff("203.0.113.7, 10.0.0.3"), &[proxy, inner]), client);
        // Garbage stops the walk at the last address believed.
        assert_eq!(client_addr(proxy, &xff("not-an-ip"), &[proxy]), proxy);
        assert_eq!(client_addr(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn bearer_tokens() {
        let token = |v: &str| bearer_token(&headers(&[(header::AUTHORIZATION, v)]));
        assert_eq!(token("Bearer abc"), Some("abc".into()));
        assert_eq!(token("bearer   abc "), Some("abc".into()));
        assert_eq!(token("Basic abc"), None);
        assert_eq!(token("Bearer "), None);
        assert_eq!(token("Bearer"), None);
        assert_eq!(bearer_token(&HeaderMap::new()), None);
    }
}
