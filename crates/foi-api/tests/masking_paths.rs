//! Views that follow the path (issue 9): the masking decided for a list holds for everything
//! reachable from that list. The paths are generated from the schema itself, not listed by
//! hand: every walk from a list field of the query root to the applicant's personal data
//! (`ApplicantView.idNumber`, `phone`, `address`) is built into a query and run as the
//! officer who handles the case — the one caller who sees those fields in full on the case
//! itself. Every one of them must come back masked. A new field that leads back to a case
//! is walked by this test the day it is added.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::parser::types::{BaseType, Type, TypeKind, TypeSystemDefinition};
use async_graphql::{Request, Variables};
use foi_api::{ApiState, BearerToken, FoiSchema, build_schema};
use foi_domain::clock::FixedClock;
use foi_store::{NewAccount, NewAgency, Store};
use serde_json::{Value, json};
use time::macros::datetime;

const ID_NUMBER: &str = "11010519491231002X";
const PHONE: &str = "13812345678";
const ADDRESS: &str = "四川省绵阳市游仙区仙人路一段8号";

/// The type the walk looks for, and the fields of it that must be masked.
const TARGET: &str = "ApplicantView";
const PERSONAL: [&str; 3] = ["idNumber", "phone", "address"];

/// How often one type may appear on a path: enough to go list → case → document → case →
/// document → case, which covers every way back, without walking for ever.
const MAX_VISITS: usize = 3;

/// A field of an object type: its name, its required arguments and the named type it yields.
#[derive(Clone, Debug)]
struct Field {
    name: String,
    required_args: Vec<String>,
    /// Whether it pages (`first`): the walk asks for one item a page, which is all it needs
    /// and keeps the deepest paths within the API's cost limit.
    pages: bool,
    yields: String,
    is_list: bool,
}

/// The object types of the schema and their fields, from the SDL the API publishes.
fn object_types() -> BTreeMap<String, Vec<Field>> {
    let document = async_graphql::parser::parse_schema(foi_api::sdl()).expect("the schema's SDL parses");
    let mut types = BTreeMap::new();
    for definition in document.definitions {
        let TypeSystemDefinition::Type(ty) = definition else { continue };
        let ty = ty.node;
        let TypeKind::Object(object) = ty.kind else { continue };
        let fields = object
            .fields
            .into_iter()
            .map(|f| {
                let f = f.node;
                Field {
                    name: f.name.node.to_string(),
                    required_args: f
                        .arguments
                        .iter()
                        .filter(|a| !a.node.ty.node.nullable && a.node.default_value.is_none())
                        .map(|a| a.node.name.node.to_string())
                        .collect(),
                    pages: f.arguments.iter().any(|a| a.node.name.node == "first"),
                    yields: named(&f.ty.node),
                    is_list: is_list(&f.ty.node) || named(&f.ty.node).ends_with("Connection"),
                }
            })
            .collect();
        types.insert(ty.name.node.to_string(), fields);
    }
    types
}

fn named(ty: &Type) -> String {
    match &ty.base {
        BaseType::Named(name) => name.to_string(),
        BaseType::List(inner) => named(inner),
    }
}

fn is_list(ty: &Type) -> bool {
    matches!(ty.base, BaseType::List(_))
}

/// Every path of fields from `ty` to [`TARGET`], each type visited at most [`MAX_VISITS`] times.
fn paths_from(types: &BTreeMap<String, Vec<Field>>, ty: &str, seen: &mut Vec<String>, out: &mut Vec<Vec<Field>>) {
    if ty == TARGET {
        out.push(Vec::new());
        return;
    }
    let Some(fields) = types.get(ty) else { return };
    if seen.iter().filter(|t| *t == ty).count() >= MAX_VISITS {
        return;
    }
    seen.push(ty.to_owned());
    for field in fields {
        let mut below = Vec::new();
        paths_from(types, &field.yields, seen, &mut below);
        for mut path in below {
            path.insert(0, field.clone());
            out.push(path);
        }
    }
    seen.pop();
}

/// The query for one path, with the arguments a path's fields require filled in.
fn query_for(path: &[Field], case_id: &str) -> String {
    let mut query = format!("{{ {} }}", PERSONAL.join(" ") + " masked");
    for field in path.iter().rev() {
        let mut args: Vec<String> = field
            .required_args
            .iter()
            .map(|a| match a.as_str() {
                "id" => format!("id: \"{case_id}\""),
                other => panic!(
                    "the path through `{}` needs an argument `{other}` this test cannot fill: teach it",
                    field.name
                ),
            })
            .collect();
        if field.pages {
            args.push("first: 1".to_owned());
        }
        let args = if args.is_empty() { String::new() } else { format!("({})", args.join(", ")) };
        query = format!("{{ {}{args} {query} }}", field.name);
    }
    query
}

/// Every `ApplicantView` object in a response, wherever it is.
fn applicants<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Object(map) => {
            if map.contains_key("masked") && map.contains_key("idNumber") {
                out.push(value);
            } else {
                map.values().for_each(|v| applicants(v, out));
            }
        }
        Value::Array(items) => items.iter().for_each(|v| applicants(v, out)),
        _ => {}
    }
}

struct App {
    schema: FoiSchema,
    clerk: String,
    applicant: String,
    case_id: String,
    _dir: tempfile::TempDir,
}

async fn run(schema: &FoiSchema, query: &str, variables: Value, token: &str) -> Value {
    let request =
        Request::new(query).variables(Variables::from_json(variables)).data(BearerToken(Some(token.to_owned())));
    serde_json::to_value(schema.execute(request).await).unwrap()
}

async fn ok(schema: &FoiSchema, query: &str, variables: Value, token: &str) -> Value {
    let response = run(schema, query, variables, token).await;
    assert!(response.get("errors").is_none(), "{query}: unexpected errors: {response:#}");
    response["data"].clone()
}

/// A district with its clerk, an applicant with an ID number, phone and address, and one
/// received application of theirs with a document issued, so that every path has something
/// to lead to.
async fn app() -> App {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("foi.db").display());
    let store = Store::connect(&url).await.unwrap();
    let district =
        store.create_agency(NewAgency::new("youxian", "游仙区人民政府", "游府信申", "绵阳市人民政府")).await.unwrap();
    let now = datetime!(2026-09-18 10:00 +8);
    let token = |account: foi_store::Account| {
        let store = store.clone();
        async move { store.create_session(account.id, now, time::Duration::hours(1)).await.unwrap().token }
    };
    let clerk = store
        .create_account(NewAccount {
            kind: "staff".into(),
            login: "clerk".into(),
            password_hash: "not used: sessions are made directly".into(),
            display_name: "李明".into(),
            agency_id: Some(district.id),
            roles: vec!["clerk".into()],
            ..NewAccount::default()
        })
        .await
        .unwrap();
    let applicant = store
        .create_account(NewAccount {
            kind: "applicant".into(),
            login: "zhangsan".into(),
            password_hash: "not used: sessions are made directly".into(),
            display_name: "张三".into(),
            applicant_kind: Some(foi_domain::applicant::ApplicantKind::NaturalPerson.code().into()),
            id_document_kind: Some("RESIDENT_ID".into()),
            id_number: Some(ID_NUMBER.into()),
            phone: Some(PHONE.into()),
            address: Some(ADDRESS.into()),
            ..NewAccount::default()
        })
        .await
        .unwrap();
    let (clerk, applicant) = (token(clerk).await, token(applicant).await);
    let state = ApiState::load(store, Arc::new(FixedClock(now))).await.unwrap();
    let schema = build_schema(state);
    let submitted = ok(
        &schema,
        "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id version } }",
        json!({"i": {"agencyCode": "youxian", "subject": "2026年区级部门预算", "formWanted": "ELECTRONIC_COPY",
            "deliveryMethod": "ONLINE_DOWNLOAD"}}),
        &applicant,
    )
    .await;
    let case_id = submitted["submitApplication"]["id"].as_str().unwrap().to_owned();
    let received = ok(
        &schema,
        "mutation($i: CaseChangeInput!) { receiveApplication(input: $i) { version } }",
        json!({"i": {"caseId": case_id, "version": submitted["submitApplication"]["version"]}}),
        &clerk,
    )
    .await;
    ok(
        &schema,
        "mutation($i: IssueDocumentInput!) { issueDocument(input: $i) { id } }",
        json!({"i": {"caseId": case_id, "version": received["receiveApplication"]["version"], "kind": "RECEIPT"}}),
        &clerk,
    )
    .await;
    App { schema, clerk, applicant, case_id, _dir: dir }
}

#[tokio::test]
async fn every_path_from_a_list_to_personal_data_is_masked() {
    let app = app().await;
    let types = object_types();

    // The control: on the case itself, the handling clerk sees everything in full. Without
    // it, a test that finds everything masked could simply be looking at nothing.
    let own = ok(
        &app.schema,
        "query($id: ID!) { case(id: $id) { applicant { idNumber phone address masked } } }",
        json!({"id": app.case_id}),
        &app.clerk,
    )
    .await;
    assert_eq!(
        own["case"]["applicant"],
        json!({"idNumber": ID_NUMBER, "phone": PHONE, "address": ADDRESS, "masked": false})
    );

    let roots: Vec<&Field> = types["QueryRoot"].iter().filter(|f| f.is_list).collect();
    assert!(roots.iter().any(|f| f.name == "queue"), "the walk must start from the queue at least");
    let mut walked = Vec::new();
    for root in roots {
        let mut below = Vec::new();
        paths_from(&types, &root.yields, &mut vec!["QueryRoot".to_owned()], &mut below);
        for mut path in below {
            path.insert(0, root.clone());
            walked.push(path);
        }
    }
    let names: Vec<String> =
        walked.iter().map(|p| p.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(".")).collect();
    // The walk must have found the nested way back that leaked (documents → case).
    assert!(names.iter().any(|n| n == "queue.edges.node.documents.case.applicant"), "{names:#?}");

    let mut checked = 0;
    for (path, name) in walked.iter().zip(&names) {
        let query = query_for(path, &app.case_id);
        // Staff lists as the handling clerk; applicant lists as the applicant.
        let mut response = run(&app.schema, &query, json!({}), &app.clerk).await;
        if response["errors"][0]["extensions"]["code"] == "FORBIDDEN" {
            response = run(&app.schema, &query, json!({}), &app.applicant).await;
        }
        assert!(response.get("errors").is_none(), "{name}: {response:#}");
        let mut found = Vec::new();
        applicants(&response["data"], &mut found);
        assert!(!found.is_empty(), "{name} led to no applicant: the fixture must give every path something");
        for applicant in found {
            assert_eq!(applicant["masked"], true, "{name}: {applicant}");
            for (field, raw) in PERSONAL.iter().zip([ID_NUMBER, PHONE, ADDRESS]) {
                let shown = applicant[field].as_str().unwrap_or_default();
                assert!(!shown.is_empty() && shown != raw, "{name}.{field} shows {shown:?} in full");
            }
        }
        checked += 1;
    }
    println!("{checked} paths from lists to personal data, all masked:\n{}", names.join("\n"));
}
