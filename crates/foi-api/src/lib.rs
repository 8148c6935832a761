//! `foi-api`: the GraphQL schema of `foi` (being written; see issue 3).
//!
//! Thin resolvers: authenticate the caller from the bearer token, authorise, translate input
//! into domain events, let the store write them in one transaction, and map every error to a
//! stable `extensions.code`.

pub mod actions;
pub mod attachments;
pub mod auth;
pub mod config;
pub mod demo;
pub mod documents;
pub mod enums;
pub mod error;
pub mod fee_quote;
pub mod guest;
pub mod limits;
pub mod notifications;
pub mod observe;
pub mod password;
pub mod portal;
pub mod schema;
pub mod sign_in;
pub mod statistics;
pub mod text;
pub mod types;
pub mod warnings;

use std::sync::Arc;

use async_graphql::{MergedObject, MergedSubscription, Schema};

/// What every resolver can reach.
#[derive(Clone)]
pub struct ApiState {
    /// The database.
    pub store: foi_store::Store,
    /// Where "now" comes from (tests fix it).
    pub clock: Arc<dyn foi_domain::clock::Clock>,
    /// The working-day calendar in force: the bundled notices plus those loaded into the
    /// database. Replaced as a whole when a year is loaded.
    pub calendar: Arc<std::sync::RwLock<Arc<foi_domain::calendar::Calendar>>>,
    /// Case changes for the `queueChanged` subscription: this process's own on SQLite, every
    /// replica's on PostgreSQL once [`notifications::QueueFeed::relay`] runs.
    pub queue_feed: notifications::QueueFeed,
    /// The API's bounds and policies (`[api]` of the configuration).
    pub config: Arc<config::ApiConfig>,
    /// The threads that hash passwords (`[api.sign_in]` `hash_workers`, `hash_queue`); they
    /// start on the first sign-in or registration.
    pub hash_pool: password::HashPool,
}

impl ApiState {
    /// The state over `store`: loads the calendar (bundled years, then the years stored in
    /// the database, which may amend them).
    pub async fn load(
        store: foi_store::Store,
        clock: Arc<dyn foi_domain::clock::Clock>,
    ) -> Result<ApiState, error::ApiError> {
        let calendar = store.load_calendar().await?;
        Ok(ApiState {
            store,
            clock,
            calendar: Arc::new(std::sync::RwLock::new(Arc::new(calendar))),
            queue_feed: notifications::QueueFeed::default(),
            config: Arc::new(config::ApiConfig::default()),
            hash_pool: pool_for(&config::ApiConfig::default()),
        })
    }

    /// The same state with the API configured by `config`.
    pub fn with_config(mut self, config: config::ApiConfig) -> ApiState {
        self.hash_pool = pool_for(&config);
        self.config = Arc::new(config);
        self
    }

    /// The calendar in force now.
    pub fn calendar(&self) -> Arc<foi_domain::calendar::Calendar> {
        self.calendar.read().map(|c| Arc::clone(&c)).unwrap_or_else(|poisoned| Arc::clone(&poisoned.into_inner()))
    }
}

fn pool_for(config: &config::ApiConfig) -> password::HashPool {
    password::HashPool::new(config.sign_in.hash_workers, config.sign_in.hash_queue)
}

pub use config::{ApiConfig, ClientAddr};

/// The raw bearer token of the request, if any (from `Authorization: Bearer …`).
#[derive(Debug, Clone, Default)]
pub struct BearerToken(pub Option<String>);

// Each area of the API is its own object (see `schema::CoreQuery`), merged here, so that a
// new area adds a module rather than growing one file.
/// Every query of the disclosure-on-request API.
#[derive(MergedObject, Default)]
#[graphql(name = "QueryRoot")]
pub struct QueryRoot(
    schema::CoreQuery,
    notifications::NotificationsQuery,
    documents::DocumentsQuery,
    portal::PortalQuery,
);

/// Every mutation of the disclosure-on-request API.
#[derive(MergedObject, Default)]
#[graphql(name = "MutationRoot")]
pub struct MutationRoot(
    schema::CoreMutation,
    notifications::NotificationsMutation,
    documents::DocumentsMutation,
    guest::GuestMutation,
);

/// Every subscription of the API (served over the websocket at `/graphql/ws`).
#[derive(MergedSubscription, Default)]
#[graphql(name = "SubscriptionRoot")]
pub struct SubscriptionRoot(notifications::NotificationsSubscription);

/// The schema type.
pub type FoiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema over `state`.
pub fn build_schema(state: ApiState) -> FoiSchema {
    let introspection = state.config.introspection;
    let limits = &state.config.limits;
    let builder = Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        // First: nothing else may see an operation that is too expensive (see `limits`).
        .extension(limits::Bounds::new(limits.clone()))
        .extension(limits::Deadline::new(std::time::Duration::from_millis(limits.execution_timeout_ms)))
        .extension(observe::Observe)
        .extension(warnings::WarningsExtension)
        // A second line behind `limits::Bounds`, which has already bounded the expanded
        // size, so that async-graphql's counting (which expands fragments) is cheap. It
        // counts every field 1, so it is looser than ours, except in depth for
        // introspection, which ours exempts: GraphiQL's query nests 15 levels.
        .limit_complexity(limits.max_complexity)
        .limit_depth(limits.max_depth.saturating_add(limits::INTROSPECTION_DEPTH));
    // Production turns introspection off unless the configuration says otherwise: the
    // schema is public in `schema.graphql`, but a probing client need not be helped.
    let builder = if introspection { builder } else { builder.disable_introspection() };
    builder.data(state).finish()
}

/// Runs one request and gives every error a code. Errors raised before any resolver ran
/// (a syntax error, an unknown field, a missing argument, a value of the wrong type) come
/// from async-graphql without one; they get `GRAPHQL_VALIDATION_FAILED`, so that a client
/// can branch on `extensions.code` for every error.
pub async fn execute(schema: &FoiSchema, request: async_graphql::Request) -> async_graphql::Response {
    let mut response = schema.execute(request).await;
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", "GRAPHQL_VALIDATION_FAILED");
        }
    }
    response
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default()).finish().sdl()
}
