//! Which operation a request ran, for the HTTP layer's metrics and log lines.
//!
//! The name a client sends in `operationName` is optional: with one operation in the
//! document, async-graphql takes that operation's own name. Only the executor knows the name
//! it settled on, so the [`Observe`] extension hands it back through an [`OperationSlot`] the
//! caller put in the request's data. Parsing the document a second time to find the name
//! would double the cost of the largest requests.

use std::sync::{Arc, OnceLock};

use async_graphql::Response;
use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};

/// Where [`Observe`] writes the name of the operation that was executed. Put a clone in the
/// request's data (`request.data(slot.clone())`) and read it after the execution; it stays
/// empty when the request failed before execution (a syntax or validation error) or ran an
/// anonymous operation.
#[derive(Clone, Debug, Default)]
pub struct OperationSlot(Arc<OnceLock<String>>);

impl OperationSlot {
    /// The executed operation's name, if it had one.
    pub fn name(&self) -> Option<&str> {
        self.0.get().map(String::as_str)
    }
}

/// The schema extension that fills an [`OperationSlot`] (registered by `build_schema`).
pub struct Observe;

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObserveExtension)
    }
}

struct ObserveExtension;

#[async_graphql::async_trait::async_trait]
impl Extension for ObserveExtension {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let (Some(slot), Some(name)) = (ctx.data_opt::<OperationSlot>(), operation_name) {
            let _ = slot.0.set(name.to_owned());
        }
        next.run(ctx, operation_name).await
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn one(&self) -> i32 {
            1
        }
    }

    async fn run(query: &str, operation: Option<&str>) -> Option<String> {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription).extension(Observe).finish();
        let slot = OperationSlot::default();
        let mut request = async_graphql::Request::new(query).data(slot.clone());
        if let Some(operation) = operation {
            request = request.operation_name(operation);
        }
        schema.execute(request).await;
        slot.name().map(str::to_owned)
    }

    #[tokio::test]
    async fn the_executed_operation_is_named() {
        assert_eq!(run("query Mine { one }", None).await.as_deref(), Some("Mine"));
        assert_eq!(run("query A { one } query B { one }", Some("B")).await.as_deref(), Some("B"));
        assert_eq!(run("{ one }", None).await, None);
        // Refused before execution: nothing is named, whatever the client claimed.
        assert_eq!(run("query A { one }", Some("Nope")).await, None);
        assert_eq!(run("query A { nope }", None).await, None);
    }
}
