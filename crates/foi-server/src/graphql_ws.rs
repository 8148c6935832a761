//! GraphQL subscriptions over a websocket: `GET /graphql/ws`.
//!
//! Both subprotocols clients speak are accepted: `graphql-transport-ws` (the `graphql-ws`
//! library, GraphiQL) and the older `graphql-ws` (`subscriptions-transport-ws`), chosen by
//! the `Sec-WebSocket-Protocol` header. The connection is authorised by the bearer token in
//! the `connection_init` payload, `{"Authorization": "Bearer <token>"}` or
//! `{"token": "<token>"}` ([`foi_api::notifications::connection_init`]); without a live
//! session it is closed. Messages are never logged: they may hold personal data.

use std::str::FromStr;

use async_graphql::futures_util::{StreamExt, stream};
use async_graphql::http::{ALL_WEBSOCKET_PROTOCOLS, WebSocketProtocols, WsMessage};
use axum::Router;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use foi_api::{ApiState, FoiSchema};
use tokio::sync::mpsc;

/// Client messages waiting to be read by the GraphQL protocol; a client that sends more
/// without reading its answers is disconnected.
const INBOX: usize = 64;

/// A websocket close code: the client broke the protocol's rules (RFC 6455 §7.4.1).
const POLICY_VIOLATION: u16 = 1008;

#[derive(Clone)]
struct WsState {
    schema: FoiSchema,
    api: ApiState,
}

/// The `/graphql/ws` route over `state`.
pub fn routes(state: ApiState) -> Router {
    let schema = foi_api::build_schema(state.clone());
    Router::new().route("/graphql/ws", get(upgrade)).with_state(WsState { schema, api: state })
}

/// Accepts the upgrade if the client offers a GraphQL subprotocol.
async fn upgrade(State(state): State<WsState>, headers: HeaderMap, ws: WebSocketUpgrade) -> Response {
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|offered| offered.split(',').find_map(|p| WebSocketProtocols::from_str(p.trim()).ok()));
    let Some(protocol) = protocol else {
        let message = "offer the websocket subprotocol graphql-transport-ws (or graphql-ws)";
        let body = serde_json::json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] });
        return (StatusCode::BAD_REQUEST, axum::Json(body)).into_response();
    };
    ws.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| serve(socket, state, protocol))
}

/// Runs the GraphQL protocol over one websocket until either side closes it.
async fn serve(mut socket: WebSocket, state: WsState, protocol: WebSocketProtocols) {
    let (inbox, received) = mpsc::channel::<Vec<u8>>(INBOX);
    let input = stream::unfold(received, |mut received| async move { received.recv().await.map(|m| (m, received)) });
    let api = state.api.clone();
    let output = async_graphql::http::WebSocket::new(state.schema.clone(), input, protocol)
        .on_connection_init(move |payload| foi_api::notifications::connection_init(api.clone(), payload));
    let mut output = std::pin::pin!(output);
    loop {
        tokio::select! {
            incoming = socket.recv() => {
                let data = match incoming {
                    Some(Ok(Message::Text(text))) => text.as_bytes().to_vec(),
                    Some(Ok(Message::Binary(bytes))) => bytes.to_vec(),
                    // axum answers pings itself.
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                };
                if inbox.try_send(data).is_err() {
                    let frame = CloseFrame { code: POLICY_VIOLATION, reason: "too many unread messages".into() };
                    let _ = socket.send(Message::Close(Some(frame))).await;
                    break;
                }
            }
            outgoing = output.next() => match outgoing {
                Some(WsMessage::Text(text)) => {
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let _ = socket.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
                None => break,
            },
        }
    }
}
