//! Notifications: the applicant's list of what happened to their applications, and the live
//! queue feed for clerks' screens.
//!
//! - `notifications`, `unreadNotificationCount`, `markNotificationRead`: the signed-in
//!   account's own notifications, written by the store in the same transaction as the event
//!   they tell of (`foi_store::outbox`), newest first. Nobody sees another account's.
//! - `queueChanged` (subscription, over the websocket at `/graphql/ws`): one message per
//!   change of a case in the subscriber's agency subtree, so that a queue screen updates
//!   without polling. The subscribers listen to a [`QueueFeed`] (a
//!   `tokio::sync::broadcast` channel in [`ApiState`]). On SQLite the resolvers that change
//!   cases, and the background sweep of `foi serve`, publish to it after the change
//!   committed. On PostgreSQL the database feeds it instead ([`QueueFeed::relay`], over
//!   `LISTEN/NOTIFY`): every replica hears every committed change, whoever made it.
//!
//! The websocket is authorised by the bearer token in its `connection_init` payload
//! ([`connection_init`]); the session is checked again before each message, so signing out
//! or the session's expiry ends the subscription.

use std::collections::HashMap;

use async_graphql::connection::{self, Connection, Edge, EmptyFields};
use async_graphql::futures_util::Stream;
use async_graphql::futures_util::stream;
use async_graphql::{Context, Data, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject, Subscription};
use foi_domain::lifecycle::Stage;
use foi_store::outbox::{Notification, NotificationCursor};
use foi_store::{CaseRecord, Uuid};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use time::OffsetDateTime;
use tokio::sync::broadcast;

use crate::auth::{self, Viewer};
use crate::error::ApiError;
use crate::{ApiState, BearerToken, enums};

type ApiResult<T> = Result<T, async_graphql::Error>;

fn ext(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

fn state<'a>(ctx: &'a Context<'_>) -> &'a ApiState {
    ctx.data_unchecked::<ApiState>()
}

/// The largest page of notifications.
const MAX_PAGE: usize = 100;

/// Changes a slow subscriber may fall behind by before it misses some.
pub const QUEUE_FEED_CAPACITY: usize = 1024;

/// What a notification tells the applicant.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Debug)]
#[graphql(remote = "foi_store::outbox::NotificationKind")]
pub enum NotificationKind {
    /// 已签收: the application was received; the reply clock runs (Reg. 31, 33).
    Received,
    /// 补正告知: the application must be corrected (Reg. 30).
    CorrectionRequested,
    /// 逾期未补正: not corrected in time; the application is closed (Reg. 30).
    CorrectionLapsed,
    /// 要求说明理由: asked to explain clearly excessive requests (Reg. 35).
    ReasonsRequested,
    /// 延迟答复: a later reasonable reply date was set (Reg. 35).
    LaterReplyDate,
    /// 延期答复: the reply limit was extended (Reg. 33).
    Extended,
    /// 收费通知: an information-processing fee is due (Reg. 42).
    FeeDue,
    /// 逾期未缴费: the fee was not paid in time; the application is closed.
    FeeLapsed,
    /// 已答复: the reply was given.
    Replied,
    /// 不予处理: not handled as an application (Reg. 35, 36(6), 39).
    NotHandled,
}

/// A notification to the signed-in account about one of its applications.
pub struct NotificationNode(pub Notification);

#[Object(name = "Notification")]
impl NotificationNode {
    /// Identifier (for `markNotificationRead`).
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// What it tells.
    async fn kind(&self) -> NotificationKind {
        self.0.kind.into()
    }
    /// The subject line, e.g. `政府信息公开申请已签收（游府信申〔2026〕17号）`.
    async fn subject(&self) -> &str {
        &self.0.subject
    }
    /// The text, as e-mailed (plain text, Chinese).
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// When it was written (with the event it tells of).
    async fn created_at(&self) -> OffsetDateTime {
        self.0.created_at
    }
    /// When the account marked it read; null while unread.
    async fn read_at(&self) -> Option<OffsetDateTime> {
        self.0.read_at
    }
    /// The case it tells of.
    async fn case_id(&self) -> Option<ID> {
        self.0.case_id.map(|id| ID(id.to_string()))
    }
}

/// Marking a notification read.
#[derive(InputObject)]
pub struct MarkNotificationReadInput {
    /// The notification.
    pub id: ID,
}

/// The notification queries.
#[derive(Default)]
pub struct NotificationsQuery;

#[Object]
impl NotificationsQuery {
    /// The signed-in account's notifications, newest first: what happened to its
    /// applications (receipt, correction notice, extension, fee notice, reply, …).
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        first: Option<i32>,
    ) -> ApiResult<Connection<String, NotificationNode, EmptyFields, EmptyFields>> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        connection::query(
            after,
            None,
            first,
            None,
            |after: Option<String>, _before: Option<String>, first: Option<usize>, _last| async move {
                let cursor = after
                    .map(|a| {
                        NotificationCursor::decode(&a)
                            .ok_or_else(|| ApiError::validation("after", "not a cursor of this list"))
                    })
                    .transpose()
                    .map_err(ext)?;
                let limit = first.unwrap_or(20).min(MAX_PAGE);
                let mut rows = state(ctx)
                    .store
                    .notifications_of(viewer.account.id, cursor, limit as u64 + 1)
                    .await
                    .map_err(ext)?;
                let has_next = rows.len() > limit;
                rows.truncate(limit);
                let mut page = Connection::new(cursor.is_some(), has_next);
                page.edges.extend(
                    rows.into_iter().map(|n| Edge::new(NotificationCursor::after(&n).encode(), NotificationNode(n))),
                );
                Ok::<_, async_graphql::Error>(page)
            },
        )
        .await
    }

    /// How many of the signed-in account's notifications are unread.
    async fn unread_notification_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let n = state(ctx).store.unread_notification_count(viewer.account.id).await.map_err(ext)?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// The notification mutations.
#[derive(Default)]
pub struct NotificationsMutation;

#[Object]
impl NotificationsMutation {
    /// Marks one of the signed-in account's own notifications read (again: no change).
    /// Another account's notification is `NOT_FOUND`.
    async fn mark_notification_read(
        &self,
        ctx: &Context<'_>,
        input: MarkNotificationReadInput,
    ) -> ApiResult<NotificationNode> {
        let viewer = auth::viewer(ctx).await.map_err(ext)?;
        let id =
            Uuid::parse_str(input.id.as_str()).map_err(|_| ext(ApiError::validation("input.id", "not a valid id")))?;
        let s = state(ctx);
        let read = s.store.mark_notification_read(id, viewer.account.id, s.clock.now()).await.map_err(ext)?;
        Ok(NotificationNode(read))
    }
}

/// A case change, as the feed carries it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueEvent {
    /// The case.
    pub case_id: Uuid,
    /// Its agency.
    pub agency_id: Uuid,
    /// Its stage after the change.
    pub stage: Stage,
    /// Its version after the change.
    pub version: i64,
}

/// The in-process feed of case changes: resolvers publish after a change committed,
/// `queueChanged` subscribers receive. Cheap to clone.
/// On PostgreSQL the feed is fed by the database instead ([`QueueFeed::relay`]): every
/// replica then sees every committed change, its own and the others', exactly once.
#[derive(Clone, Debug)]
pub struct QueueFeed(broadcast::Sender<QueueEvent>, Arc<AtomicBool>);

impl Default for QueueFeed {
    fn default() -> Self {
        QueueFeed(broadcast::channel(QUEUE_FEED_CAPACITY).0, Arc::new(AtomicBool::new(false)))
    }
}

impl QueueFeed {
    /// Tells the subscribers that `case` changed (nothing happens without subscribers).
    /// While the database relays the changes, this does nothing: the relay will.
    pub fn publish(&self, case: &CaseRecord) {
        self.publish_change(&foi_store::feed::CaseChanged::of(case));
    }

    /// Tells the subscribers of a change committed outside a resolver (the deadline sweep
    /// of `foi serve`). Like [`QueueFeed::publish`], nothing while the database relays.
    pub fn publish_change(&self, change: &foi_store::feed::CaseChanged) {
        if self.1.load(Ordering::Relaxed) {
            return;
        }
        self.send(change.case_id, change.agency_id, &change.stage, change.version);
    }

    fn send(&self, case_id: Uuid, agency_id: Uuid, stage: &str, version: i64) {
        let Some(stage) = Stage::from_code(stage) else { return };
        // An error only means that nobody listens.
        let _ = self.0.send(QueueEvent { case_id, agency_id, stage, version });
    }

    /// On PostgreSQL, feeds this replica's subscribers from the database's notifications
    /// of committed case changes (`foi_store::feed`), from every replica and `foi sweep`,
    /// in a background task; `None` on SQLite. Stop the relay before closing the store: its
    /// listening connection belongs to the store's pool.
    pub async fn relay(&self, store: &foi_store::Store) -> Result<Option<Relay>, ApiError> {
        let Some(mut changes) = store.case_changes().await? else { return Ok(None) };
        self.1.store(true, Ordering::Relaxed);
        let feed = self.clone();
        let task = tokio::spawn(async move {
            loop {
                match changes.next().await {
                    Ok(c) => feed.send(c.case_id, c.agency_id, &c.stage, c.version),
                    Err(e) => {
                        // The listener reconnects by itself; say so once a second at most.
                        eprintln!("queue feed: waiting for the database: {e}");
                        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                    }
                }
            }
        });
        Ok(Some(Relay(task)))
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<QueueEvent> {
        self.0.subscribe()
    }

    /// How many subscribers listen now.
    pub fn subscribers(&self) -> usize {
        self.0.receiver_count()
    }
}

/// The running relay of [`QueueFeed::relay`].
#[derive(Debug)]
pub struct Relay(tokio::task::JoinHandle<()>);

impl Relay {
    /// Stops relaying and gives the listening connection back to the pool.
    pub async fn stop(self) {
        self.0.abort();
        let _ = self.0.await;
    }
}

/// A case in the subscriber's agency subtree changed.
#[derive(SimpleObject, Clone)]
pub struct QueueChange {
    /// The case.
    pub case_id: ID,
    /// Its stage after the change.
    pub stage: enums::Stage,
    /// The code of its agency.
    pub agency_code: String,
    /// Its version after the change (send it with the next change).
    pub version: i64,
}

/// The live subscriptions.
#[derive(Default)]
pub struct NotificationsSubscription;

/// What one `queueChanged` subscriber filters by and checks with.
struct Subscriber {
    state: ApiState,
    token: String,
    /// Agencies known to be in scope, by id, with their codes.
    in_scope: HashMap<Uuid, String>,
    /// Agencies known to be out of scope.
    out_of_scope: Vec<Uuid>,
    /// The root of the subscribed subtree (for agencies created after subscribing).
    root: Uuid,
}

impl Subscriber {
    /// The agency code of `event`'s case if it is in scope.
    async fn code_in_scope(&mut self, event: &QueueEvent) -> Option<String> {
        if let Some(code) = self.in_scope.get(&event.agency_id) {
            return Some(code.clone());
        }
        if self.out_of_scope.contains(&event.agency_id) {
            return None;
        }
        // An agency added since the subscription started.
        let store = &self.state.store;
        if store.is_within(event.agency_id, self.root).await.ok()? {
            let code = store.agency(event.agency_id).await.ok()?.code;
            self.in_scope.insert(event.agency_id, code.clone());
            Some(code)
        } else {
            self.out_of_scope.push(event.agency_id);
            None
        }
    }

    /// Whether the subscriber's session is still live (not signed out, not expired).
    async fn session_live(&self) -> bool {
        matches!(self.state.store.lookup_session(&self.token, self.state.clock.now()).await, Ok(Some(_)))
    }
}

#[Subscription]
impl NotificationsSubscription {
    /// Every change of a case in the caller's agency and the agencies below it (or in
    /// `agencyCode`'s subtree), as it happens: for a clerk's queue screen. Staff only;
    /// ends when the session ends. On PostgreSQL this includes the changes made through
    /// other replicas and by the deadline sweep.
    async fn queue_changed(
        &self,
        ctx: &Context<'_>,
        agency_code: Option<String>,
    ) -> Result<impl Stream<Item = QueueChange> + use<>, async_graphql::Error> {
        let s = state(ctx).clone();
        // Listen first: a change made while the checks below run is not missed.
        let receiver = s.queue_feed.subscribe();
        let viewer: Viewer = auth::viewer(ctx).await.map_err(ext)?;
        if !viewer.is_staff() {
            return Err(ext(ApiError::Forbidden("the queue feed is for staff".into())));
        }
        let token = auth::token(ctx).ok_or_else(|| ext(ApiError::Unauthenticated))?.to_owned();
        let own = viewer.account.agency_id.ok_or_else(|| ext(ApiError::Forbidden("no agency".into())))?;
        let root = match agency_code.as_deref().map(str::trim) {
            None => own,
            Some(code) => {
                let agency = s.store.agency_by_code(code).await.map_err(ext)?;
                match agency.filter(|a| viewer.agencies.contains(&a.id)) {
                    Some(a) => a.id,
                    None => {
                        return Err(ext(ApiError::validation("agencyCode", format!("no agency {code} in your scope"))));
                    }
                }
            }
        };
        let in_scope = s.store.agency_subtree(root).await.map_err(ext)?.into_iter().map(|a| (a.id, a.code)).collect();
        let subscriber = Subscriber { state: s, token, in_scope, out_of_scope: Vec::new(), root };
        Ok(stream::unfold((receiver, subscriber), |(mut receiver, mut subscriber)| async move {
            loop {
                let event = match receiver.recv().await {
                    Ok(event) => event,
                    // Fell behind by more than the feed holds: those changes are missed;
                    // the screen still gets every later one.
                    Err(broadcast::error::RecvError::Lagged(_)) => continue,
                    Err(broadcast::error::RecvError::Closed) => return None,
                };
                let Some(agency_code) = subscriber.code_in_scope(&event).await else { continue };
                if !subscriber.session_live().await {
                    return None;
                }
                let change = QueueChange {
                    case_id: ID(event.case_id.to_string()),
                    stage: event.stage.into(),
                    agency_code,
                    version: event.version,
                };
                return Some((change, (receiver, subscriber)));
            }
        }))
    }
}

/// The bearer token of a websocket's `connection_init` payload:
/// `{"Authorization": "Bearer <token>"}` (any case of the key and the scheme) or
/// `{"token": "<token>"}`.
pub fn token_of_init_payload(payload: &serde_json::Value) -> Option<String> {
    let object = payload.as_object()?;
    let get = |key: &str| object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).and_then(|(_, v)| v.as_str());
    if let Some(header) = get("authorization") {
        let (scheme, token) = header.trim().split_once(' ')?;
        let token = token.trim();
        return (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| token.to_owned());
    }
    get("token").map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// Accepts a websocket connection whose `connection_init` payload carries the bearer token
/// of a live session (see [`token_of_init_payload`]), and hands the token to the
/// operations run over it; refuses it otherwise (the connection is closed).
pub async fn connection_init(state: ApiState, payload: serde_json::Value) -> async_graphql::Result<Data> {
    let refused = || async_graphql::Error::new(ApiError::Unauthenticated.message());
    let token = token_of_init_payload(&payload).ok_or_else(refused)?;
    let live = state.store.lookup_session(&token, state.clock.now()).await.map_err(ext)?;
    if live.is_none() {
        return Err(refused());
    }
    let mut data = Data::default();
    data.insert(BearerToken(Some(token)));
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_from_the_init_payload() {
        assert_eq!(token_of_init_payload(&json!({"Authorization": "Bearer abc"})), Some("abc".into()));
        assert_eq!(token_of_init_payload(&json!({"authorization": "bearer  abc "})), Some("abc".into()));
        assert_eq!(token_of_init_payload(&json!({"token": "abc"})), Some("abc".into()));
        assert_eq!(token_of_init_payload(&json!({"Authorization": "Basic abc"})), None);
        assert_eq!(token_of_init_payload(&json!({"token": " "})), None);
        assert_eq!(token_of_init_payload(&json!({})), None);
        assert_eq!(token_of_init_payload(&json!(null)), None);
    }
}
