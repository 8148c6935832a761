//! Every page's operation, validated against the schema: a schema change that breaks a page
//! fails here, before any page is served.
//!
//! Each `operations/*.graphql` file is parsed and run through async-graphql's validation
//! (the rules `POST /graphql` applies) against the schema `foi serve` builds, with an
//! extension that stops before execution: nothing is resolved, so no database is needed.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextExecute};
use async_graphql::{Response, Schema, ServerError};
use foi_api::{MutationRoot, QueryRoot, SubscriptionRoot};
use foi_web::gql::OPERATIONS;

/// Stops every request after validation.
struct ValidateOnly;

impl ExtensionFactory for ValidateOnly {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ValidateOnly)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for ValidateOnly {
    async fn execute(&self, _ctx: &ExtensionContext<'_>, _name: Option<&str>, _next: NextExecute<'_>) -> Response {
        Response::new(async_graphql::Value::Null)
    }
}

fn schema() -> Schema<QueryRoot, MutationRoot, SubscriptionRoot> {
    Schema::build(QueryRoot::default(), MutationRoot::default(), SubscriptionRoot::default())
        .extension(ValidateOnly)
        .finish()
}

async fn validate(source: &str, name: &str) -> Vec<ServerError> {
    schema().execute(async_graphql::Request::new(source).operation_name(name)).await.errors
}

#[tokio::test]
async fn every_operation_is_valid_against_the_schema() {
    for op in OPERATIONS {
        let errors = validate(op.source, op.name).await;
        assert!(errors.is_empty(), "operations/{}.graphql does not fit the schema: {errors:?}", op.name);
        // One named operation per file, named after the file.
        let doc = async_graphql::parser::parse_query(op.source).expect("it parses");
        let names: Vec<String> = doc.operations.iter().filter_map(|(n, _)| n.map(|n| n.to_string())).collect();
        assert_eq!(names, vec![op.name.to_owned()], "operations/{}.graphql", op.name);
    }
}

#[tokio::test]
async fn every_operation_file_is_used() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("operations");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("operations/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut known: Vec<String> = OPERATIONS.iter().map(|op| format!("{}.graphql", op.name)).collect();
    known.sort();
    assert_eq!(files, known, "every file of operations/ is in gql::OPERATIONS, and only those");
}

#[tokio::test]
async fn a_field_the_schema_lacks_is_caught() {
    // The check can fail: a page asking for a field that is not there.
    let errors = validate("query Broken { me { login noSuchField } }", "Broken").await;
    assert!(errors.iter().any(|e| e.message.contains("noSuchField")), "{errors:?}");
    // An argument the field does not take: refused too.
    let errors = validate("query Broken { case(id: \"x\", number: 1) { id } }", "Broken").await;
    assert!(!errors.is_empty());
}
