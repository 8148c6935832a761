//! Warnings in the answer: `extensions.warnings: [{code, message, messageZh}]`.
//!
//! A warning is not an error: the change was made and committed, but something about it
//! should be looked at again (e.g. `RECEIVED_ON_DAY_OFF`: an application received on a day
//! off, rules.md §2). Resolvers push the domain's warnings into the request's [`Warnings`]
//! (put there by the [`WarningsExtension`] before execution); the extension adds them to the
//! response's `extensions` after it. The same warnings are kept in the case's history
//! (`CaseEvent.warnings`).

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute, NextPrepareRequest};
use async_graphql::{Context, Request, Response, ServerResult, SimpleObject, Value};
use foi_domain::lifecycle::Warning;

/// A warning as the client sees it.
#[derive(Clone, Debug, PartialEq, Eq, SimpleObject)]
pub struct WarningView {
    /// The stable code to branch on, e.g. `RECEIVED_ON_DAY_OFF`.
    pub code: String,
    /// What to check, in English.
    pub message: String,
    /// What to check, in Chinese.
    pub message_zh: String,
}

impl From<&Warning> for WarningView {
    fn from(w: &Warning) -> Self {
        WarningView { code: w.code().to_owned(), message: w.message(), message_zh: w.message_zh() }
    }
}

/// The warnings collected while one request executes.
#[derive(Clone, Debug, Default)]
pub struct Warnings(Arc<Mutex<Vec<WarningView>>>);

impl Warnings {
    /// Adds the warnings a change gave to the answer of the request being executed.
    pub fn push_all<'a>(ctx: &Context<'_>, warnings: impl IntoIterator<Item = &'a Warning>) {
        if let Some(sink) = ctx.data_opt::<Warnings>() {
            let mut list = sink.0.lock().unwrap_or_else(|e| e.into_inner());
            list.extend(warnings.into_iter().map(WarningView::from));
        }
    }

    /// Adds one warning made by the API itself (not a domain warning of a change), e.g.
    /// `AGENCY_CONTACT_MISSING` on a letter printed without the office's contact block.
    pub fn push(ctx: &Context<'_>, warning: WarningView) {
        if let Some(sink) = ctx.data_opt::<Warnings>() {
            sink.0.lock().unwrap_or_else(|e| e.into_inner()).push(warning);
        }
    }

    fn take(&self) -> Vec<WarningView> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// The schema extension that writes `extensions.warnings` (registered by `build_schema`).
pub struct WarningsExtension;

impl ExtensionFactory for WarningsExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(PerRequest(Warnings::default()))
    }
}

struct PerRequest(Warnings);

#[async_graphql::async_trait::async_trait]
impl Extension for PerRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        next.run(ctx, request.data(self.0.clone())).await
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        let warnings = self.0.take();
        if !warnings.is_empty() {
            let list = warnings
                .into_iter()
                .map(|w| {
                    let mut object = async_graphql::indexmap::IndexMap::new();
                    object.insert(async_graphql::Name::new("code"), Value::String(w.code));
                    object.insert(async_graphql::Name::new("message"), Value::String(w.message));
                    object.insert(async_graphql::Name::new("messageZh"), Value::String(w.message_zh));
                    Value::Object(object)
                })
                .collect();
            response.extensions.insert("warnings".to_owned(), Value::List(list));
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use time::macros::date;

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn warn(&self, ctx: &Context<'_>) -> i32 {
            Warnings::push_all(ctx, &[Warning::ReceivedOnDayOff { on: date!(2026 - 10 - 03) }]);
            1
        }
        async fn quiet(&self) -> i32 {
            2
        }
    }

    #[tokio::test]
    async fn warnings_reach_the_answer_and_only_their_own() {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).extension(WarningsExtension).finish();
        let warned = schema.execute("{ warn }").await;
        let json = serde_json::to_value(&warned).unwrap();
        assert_eq!(json["extensions"]["warnings"][0]["code"], "RECEIVED_ON_DAY_OFF");
        assert!(json["extensions"]["warnings"][0]["messageZh"].as_str().unwrap().contains("2026-10-03"));
        let quiet = serde_json::to_value(schema.execute("{ quiet }").await).unwrap();
        assert!(quiet.get("extensions").is_none_or(|e| e.get("warnings").is_none()), "{quiet}");
    }
}
