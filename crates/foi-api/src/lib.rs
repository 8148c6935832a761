//! `foi-api`: the GraphQL schema of `foi` (being written; see issue 3).
//!
//! Thin resolvers: authenticate the caller from the bearer token, authorise, translate input
//! into domain events, let the store write them in one transaction, and map every error to a
//! stable `extensions.code`.

pub mod enums;
pub mod error;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Object, Schema};

/// What every resolver can reach.
#[derive(Clone)]
pub struct ApiState {
    /// The database.
    pub store: foi_store::Store,
    /// Where "now" comes from (tests fix it).
    pub clock: Arc<dyn foi_domain::clock::Clock>,
}

/// The raw bearer token of the request, if any (from `Authorization: Bearer …`).
#[derive(Debug, Clone, Default)]
pub struct BearerToken(pub Option<String>);

/// The schema type.
pub type FoiSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Builds the schema over `state`.
pub fn build_schema(state: ApiState) -> FoiSchema {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription).data(state).finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot, MutationRoot, EmptySubscription).finish().sdl()
}

/// Queries.
pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// The version of the `foi` API.
    async fn api_version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }
}

/// Mutations.
pub struct MutationRoot;

#[Object]
impl MutationRoot {
    /// Placeholder until the lifecycle mutations land.
    async fn noop(&self) -> bool {
        true
    }
}
