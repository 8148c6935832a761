//! What one GraphQL operation may cost, checked before async-graphql validates or runs it.
//!
//! [`Bounds`] is an async-graphql extension registered by [`crate::build_schema`], so HTTP,
//! the websocket and in-process callers all pass through it. Its `parse_query` hook
//! refuses, each with its own `extensions.code` and a message that states the limit:
//!
//! | code | what |
//! | --- | --- |
//! | `ONE_SIGN_IN_PER_REQUEST` | more than one `signIn`, more than one `registerApplicant` or `applyWithoutAccount` (each hashes a secret), or a mix |
//! | `TOO_MANY_ALIASES` | more aliased fields than `limits.max_aliases` |
//! | `QUERY_TOO_DEEP` | fields nested deeper than `limits.max_depth` (or brackets nested absurdly) |
//! | `QUERY_TOO_COMPLEX` | a cost over `limits.max_complexity` |
//! | `VALIDATION` | an input string with a control character, or over `limits.max_text_chars` |
//! | `GRAPHQL_VALIDATION_FAILED` | fragments that spread each other in a cycle |
//!
//! Everything is counted **after fragment expansion without expanding**: each fragment's
//! tally is computed once, in dependency order, and a spread adds that tally. Ten levels of
//! fragments that each spread the next four times cost a million fields, and are refused
//! after visiting the few hundred bytes of the document once. async-graphql's own
//! `check_recursive_depth`, and its validation rules, follow spreads without memory, so
//! this check runs before them (it parses the document itself, and hands on only a
//! document it accepted).
//!
//! [`Deadline`] bounds the time of one execution (`limits.execution_timeout_ms`), refused
//! `DEADLINE_EXCEEDED`: checked before every field, so it holds between the resolvers of
//! CPU-bound work too, and around the whole execution with a timer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextResolve, ResolveInfo,
};
use async_graphql::parser::types::{ExecutableDocument, Field, OperationDefinition, Selection, SelectionSet};
use async_graphql::{ErrorExtensionValues, Response, ServerError, ServerResult, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::config::Limits;

/// Brackets (`{`, `(`, `[`) nested deeper than this are refused before the document is
/// parsed at all: the parser recurses once per level, and no legitimate operation comes
/// near it (GraphiQL's introspection query nests 16).
const MIN_NESTING: usize = 64;

/// How deep GraphiQL's introspection query nests (`__schema { types { fields { args {
/// type { ofType × 9 … kind`), which this check does not count as depth.
pub const INTROSPECTION_DEPTH: usize = 16;

/// GraphiQL's (graphql-js 16) introspection query, with the nine-level `TypeRef`: the query
/// [`INTROSPECTION_DEPTH`] and the introspection discount are sized to let through. The
/// limits' own tests and the end-to-end tests send it.
pub const GRAPHIQL_INTROSPECTION_QUERY: &str = r#"
query IntrospectionQuery {
  __schema {
    description
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description specifiedByURL isOneOf
  fields(includeDeprecated: true) {
    name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue {
  name description type { ...TypeRef } defaultValue isDeprecated deprecationReason
}
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}
"#;

/// Introspection is answered from the schema held in memory, with no database and no
/// rendering: a field under `__schema`/`__type` costs this many times less than an
/// ordinary one. Its lists are still multiplied (below), so nesting `fields { type {
/// fields … } }` grows the cost geometrically and is refused long before it is large.
const INTROSPECTION_DISCOUNT: u64 = 100;

/// How a field multiplies the cost of what is selected under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fanout {
    /// One object (or a scalar).
    One,
    /// A list of about this many items at most.
    List(u64),
    /// A page: its `first` argument (the resolvers' default when absent, capped at their
    /// maximum).
    Page { default: u64, max: u64 },
}

/// The cost of a field itself, and how it multiplies its selection. Unlisted fields cost 1
/// and do not multiply. Names are unique enough across the schema (`schema.graphql`) that
/// the table needs no types.
fn weigh(name: &str) -> (u64, Fanout) {
    use Fanout::*;
    // The connections: one database query, and up to `first` (at most 100, see
    // `schema::MAX_PAGE` and `notifications::MAX_PAGE`) of everything selected per item.
    const PAGE: Fanout = Page { default: 20, max: 100 };
    match name {
        "queue" | "myCases" | "notifications" => (10, PAGE),
        // The items of a connection: the connection already multiplied them.
        "edges" | "nodes" => (1, One),
        // A PDF is laid out and a CJK font subset embedded for every one: tens of
        // milliseconds of CPU and tens of kilobytes each.
        "pdfBase64" => (200, One),
        // An XLSX workbook is built and zipped from the whole report.
        "xlsxBase64" => (200, One),
        // The whole report: several grouped counts over the period's cases (the public one
        // too, asked without signing in).
        "statistics" | "publicStatistics" => (200, One),
        // The whole report as CSV text.
        "csv" => (50, One),
        // A document rendered from its template (preview, the blank application form) or the
        // stored text of one.
        "previewDocument" | "blankApplicationForm" => (50, One),
        // Every kind of event tried on the case, and archiving's look at its documents.
        "allowedActions" => (20, One),
        "html" => (10, One),
        // Scans the whole given text with several patterns.
        "deidentifyPreview" => (20, One),
        // Lists of objects, each item of which may be anything but large: agencies,
        // history events, documents, attachments, table rows…
        "agencies" | "staff" | "history" | "documents" | "attachments" | "challenges" | "consultations" | "table4"
        | "oldestOpen" | "daysToReplyBands" | "findings" => (1, List(10)),
        // The 21-odd rows of the annual report's table.
        "rows" => (1, List(25)),
        // Introspection's lists (discounted as a whole, see `INTROSPECTION_DISCOUNT`).
        "types" => (1, List(100)),
        "fields" | "inputFields" | "enumValues" => (1, List(10)),
        "directives" => (1, List(5)),
        "args" => (1, List(3)),
        "interfaces" | "possibleTypes" => (1, List(2)),
        _ => (1, One),
    }
}

/// One refusal of [`check`]: its `extensions.code`, message and the limit it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// `QUERY_TOO_DEEP`.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// `QUERY_TOO_COMPLEX`.
    TooComplex {
        /// The cost counted (saturated at `u64::MAX`).
        cost: u64,
        /// The limit.
        limit: usize,
    },
    /// `TOO_MANY_ALIASES`.
    TooManyAliases {
        /// The aliased fields counted.
        count: u64,
        /// The limit.
        limit: usize,
    },
    /// `ONE_SIGN_IN_PER_REQUEST`.
    OneSignIn,
    /// `GRAPHQL_VALIDATION_FAILED`: fragments spread each other in a cycle.
    FragmentCycle {
        /// A fragment on the cycle.
        fragment: String,
    },
    /// `VALIDATION`: an input string that holds a control character.
    ControlCharacter {
        /// The variable (`$input.subject`) or argument path (`input.subject`).
        field: String,
    },
    /// `VALIDATION`: an input string that is too long.
    TextTooLong {
        /// The variable or argument path.
        field: String,
        /// The limit, in characters.
        limit: usize,
    },
}

impl Refusal {
    /// The stable code clients branch on.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::TooDeep { .. } => "QUERY_TOO_DEEP",
            Refusal::TooComplex { .. } => "QUERY_TOO_COMPLEX",
            Refusal::TooManyAliases { .. } => "TOO_MANY_ALIASES",
            Refusal::OneSignIn => "ONE_SIGN_IN_PER_REQUEST",
            Refusal::FragmentCycle { .. } => "GRAPHQL_VALIDATION_FAILED",
            Refusal::ControlCharacter { .. } | Refusal::TextTooLong { .. } => "VALIDATION",
        }
    }

    /// What is wrong and what would be accepted.
    pub fn message(&self) -> String {
        match self {
            Refusal::TooDeep { limit } => {
                format!("the operation nests fields deeper than {limit} levels; select less deeply")
            }
            Refusal::TooComplex { cost, limit } => format!(
                "the operation would cost {cost}, over the limit of {limit}; ask for fewer items \
                 (`first`), fewer lists or fewer expensive fields (PDF, XLSX, CSV, statistics) per request"
            ),
            Refusal::TooManyAliases { count, limit } => {
                format!("the operation has {count} aliased fields, over the limit of {limit}; send several requests")
            }
            Refusal::OneSignIn => "at most one `signIn`, `registerApplicant` or `applyWithoutAccount` per request; \
                 send them as separate requests"
                .into(),
            Refusal::FragmentCycle { fragment } => {
                format!(
                    "fragment `{fragment}` spreads itself (directly or through others); fragments may not form a cycle"
                )
            }
            Refusal::ControlCharacter { field } => {
                format!("{field}: holds a control character (such as NUL); only line breaks and tabs are allowed")
            }
            Refusal::TextTooLong { field, limit } => format!("{field}: longer than {limit} characters"),
        }
    }

    /// The limit this refusal names, if it has one.
    fn limit(&self) -> Option<usize> {
        match self {
            Refusal::TooDeep { limit } | Refusal::TooComplex { limit, .. } | Refusal::TooManyAliases { limit, .. } => {
                Some(*limit)
            }
            Refusal::TextTooLong { limit, .. } => Some(*limit),
            Refusal::OneSignIn => Some(1),
            Refusal::FragmentCycle { .. } | Refusal::ControlCharacter { .. } => None,
        }
    }

    /// The refusal as a GraphQL error: `extensions.code`, `extensions.limit` where there is
    /// one, `extensions.field` for input strings.
    pub fn to_server_error(&self) -> ServerError {
        let mut error = ServerError::new(self.message(), None);
        let mut extensions = ErrorExtensionValues::default();
        extensions.set("code", self.code());
        if let Some(limit) = self.limit() {
            extensions.set("limit", limit as u64);
        }
        if let Refusal::ControlCharacter { field } | Refusal::TextTooLong { field, .. } = self {
            extensions.set("field", field.as_str());
        }
        error.extensions = Some(extensions);
        error
    }
}

/// What an operation (or a fragment, or a selection) adds up to once expanded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// Nesting of fields (introspection subtrees count as one level).
    pub depth: usize,
    /// The cost (see `weigh`).
    pub cost: u64,
    /// Aliased fields.
    pub aliases: u64,
    /// `signIn` fields.
    pub sign_ins: u64,
    /// `registerApplicant` and `applyWithoutAccount` fields.
    pub registrations: u64,
}

impl Tally {
    /// The tally of two sibling selections.
    fn and(self, other: Tally) -> Tally {
        Tally {
            depth: self.depth.max(other.depth),
            cost: self.cost.saturating_add(other.cost),
            aliases: self.aliases.saturating_add(other.aliases),
            sign_ins: self.sign_ins.saturating_add(other.sign_ins),
            registrations: self.registrations.saturating_add(other.registrations),
        }
    }
}

/// Refuses brackets nested deeper than `max` (strings and comments skipped), before the
/// document reaches the recursive parser.
pub fn check_nesting(query: &str, max: usize) -> Result<(), Refusal> {
    let bytes = query.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'(' | b'[' => {
                depth += 1;
                if depth > max {
                    return Err(Refusal::TooDeep { limit: max });
                }
            }
            b'}' | b')' | b']' => depth = depth.saturating_sub(1),
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    // `\"""` is an escaped triple quote inside a block string.
                    i += if bytes[i..].starts_with(b"\\\"\"\"") { 4 } else { 1 };
                }
                i += 2;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

/// The bracket nesting allowed for `limits`: enough for `max_depth` levels of fields with
/// arguments, never less than [`MIN_NESTING`].
fn nesting_limit(limits: &Limits) -> usize {
    MIN_NESTING.max(limits.max_depth.saturating_mul(2).saturating_add(16))
}

/// Checks a parsed document and its variables against `limits`; the largest tally of its
/// operations if it passes. Runs in time linear in the size of the document and the
/// variables, whatever the fragments expand to.
pub fn check(doc: &ExecutableDocument, variables: &Variables, limits: &Limits) -> Result<Tally, Refusal> {
    check_inputs(doc, variables, limits.max_text_chars)?;
    let walker = Walker { variables, max_nesting: nesting_limit(limits) };
    let fragments = walker.fragments(doc)?;
    let mut worst = Tally::default();
    for (_, operation) in doc.operations.iter() {
        let tally = walker.operation(&operation.node, &fragments)?;
        if tally.sign_ins + tally.registrations > 1 {
            return Err(Refusal::OneSignIn);
        }
        if tally.aliases > limits.max_aliases as u64 {
            return Err(Refusal::TooManyAliases { count: tally.aliases, limit: limits.max_aliases });
        }
        if tally.depth > limits.max_depth {
            return Err(Refusal::TooDeep { limit: limits.max_depth });
        }
        if tally.cost > limits.max_complexity as u64 {
            return Err(Refusal::TooComplex { cost: tally.cost, limit: limits.max_complexity });
        }
        worst = Tally { depth: worst.depth.max(tally.depth), cost: worst.cost.max(tally.cost), ..tally };
    }
    Ok(worst)
}

/// Counts selections, with every fragment's tally computed once.
struct Walker<'a> {
    variables: &'a Variables,
    /// Selection sets nested deeper than this are refused (a document given already parsed
    /// never met [`check_nesting`]).
    max_nesting: usize,
}

impl<'a> Walker<'a> {
    /// The tally of every fragment, computed in dependency order; a cycle is refused.
    fn fragments<'d>(&self, doc: &'d ExecutableDocument) -> Result<HashMap<&'d str, Tally>, Refusal> {
        // The fragments each fragment spreads directly.
        let mut spreads: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, fragment) in &doc.fragments {
            let mut names = Vec::new();
            self.spreads(&fragment.node.selection_set.node, &mut names, 0)?;
            spreads.insert(name.as_str(), names);
        }
        // Depth-first, iteratively (a chain of ten thousand fragments must not exhaust the
        // stack): a fragment is tallied once everything it spreads is.
        #[derive(Clone, Copy, PartialEq)]
        enum Mark {
            Open,
            Done,
        }
        let mut marks: HashMap<&str, Mark> = HashMap::new();
        let mut tallies: HashMap<&str, Tally> = HashMap::new();
        for root in spreads.keys().copied() {
            if marks.contains_key(root) {
                continue;
            }
            let mut stack: Vec<(&str, usize)> = vec![(root, 0)];
            marks.insert(root, Mark::Open);
            while let Some((name, next)) = stack.pop() {
                let children = spreads.get(name).map(Vec::as_slice).unwrap_or_default();
                if let Some(&child) = children.get(next) {
                    stack.push((name, next + 1));
                    if !spreads.contains_key(child) {
                        // An unknown fragment: validation names it later.
                        continue;
                    }
                    match marks.get(child) {
                        Some(Mark::Open) => return Err(Refusal::FragmentCycle { fragment: child.to_owned() }),
                        Some(Mark::Done) => {}
                        None => {
                            marks.insert(child, Mark::Open);
                            stack.push((child, 0));
                        }
                    }
                } else {
                    let Some(fragment) = doc.fragments.get(name) else { continue };
                    let tally = self.selection_set(&fragment.node.selection_set.node, &tallies, 0, false)?;
                    tallies.insert(name, tally);
                    marks.insert(name, Mark::Done);
                }
            }
        }
        Ok(tallies)
    }

    /// The names of the fragments `set` spreads, at any nesting.
    fn spreads<'d>(&self, set: &'d SelectionSet, out: &mut Vec<&'d str>, nesting: usize) -> Result<(), Refusal> {
        if nesting > self.max_nesting {
            return Err(Refusal::TooDeep { limit: self.max_nesting });
        }
        for selection in &set.items {
            match &selection.node {
                Selection::Field(field) => self.spreads(&field.node.selection_set.node, out, nesting + 1)?,
                Selection::FragmentSpread(spread) => out.push(spread.node.fragment_name.node.as_str()),
                Selection::InlineFragment(inline) => {
                    self.spreads(&inline.node.selection_set.node, out, nesting + 1)?;
                }
            }
        }
        Ok(())
    }

    fn operation(&self, operation: &OperationDefinition, fragments: &HashMap<&str, Tally>) -> Result<Tally, Refusal> {
        self.selection_set(&operation.selection_set.node, fragments, 0, false)
    }

    fn selection_set(
        &self,
        set: &SelectionSet,
        fragments: &HashMap<&str, Tally>,
        nesting: usize,
        introspection: bool,
    ) -> Result<Tally, Refusal> {
        if nesting > self.max_nesting {
            return Err(Refusal::TooDeep { limit: self.max_nesting });
        }
        let mut tally = Tally::default();
        for selection in &set.items {
            let item = match &selection.node {
                Selection::Field(field) => self.field(&field.node, fragments, nesting, introspection)?,
                Selection::FragmentSpread(spread) => {
                    fragments.get(spread.node.fragment_name.node.as_str()).copied().unwrap_or_default()
                }
                Selection::InlineFragment(inline) => {
                    self.selection_set(&inline.node.selection_set.node, fragments, nesting + 1, introspection)?
                }
            };
            tally = tally.and(item);
        }
        Ok(tally)
    }

    fn field(
        &self,
        field: &Field,
        fragments: &HashMap<&str, Tally>,
        nesting: usize,
        introspection: bool,
    ) -> Result<Tally, Refusal> {
        let name = field.name.node.as_str();
        let enters_introspection = !introspection && matches!(name, "__schema" | "__type");
        let inner = self.selection_set(
            &field.selection_set.node,
            fragments,
            nesting + 1,
            introspection || enters_introspection,
        )?;
        let (weight, fanout) = weigh(name);
        let times = match fanout {
            Fanout::One => 1,
            Fanout::List(n) => n,
            Fanout::Page { default, max } => self.first(field).map_or(default, |n| n.clamp(1, max)),
        };
        let below = inner.cost.saturating_mul(times);
        let (depth, cost) = if enters_introspection {
            // The whole subtree, discounted; its depth is the ofType chains of the standard
            // introspection query, which the cost bounds.
            (1, 1 + below.div_ceil(INTROSPECTION_DISCOUNT))
        } else if introspection {
            (0, weight.saturating_add(below))
        } else {
            (inner.depth + 1, weight.saturating_add(below))
        };
        Ok(Tally {
            depth,
            cost,
            aliases: inner.aliases + u64::from(field.alias.is_some()),
            sign_ins: inner.sign_ins + u64::from(name == "signIn"),
            registrations: inner.registrations
                + u64::from(name == "registerApplicant" || name == "applyWithoutAccount"),
        })
    }

    /// The `first` argument, literal or from a variable.
    fn first(&self, field: &Field) -> Option<u64> {
        let (_, value) = field.arguments.iter().find(|(name, _)| name.node.as_str() == "first")?;
        let number = match &value.node {
            Value::Number(n) => n.as_i64(),
            Value::Variable(var) => match self.variables.get(var) {
                Some(ConstValue::Number(n)) => n.as_i64(),
                _ => None,
            },
            _ => None,
        }?;
        Some(number.max(0) as u64)
    }
}

/// Refuses any input string of the request (variables, their defaults, literal arguments)
/// that holds a control character other than `\n`, `\r`, `\t`, or is longer than
/// `max_chars`.
pub fn check_inputs(doc: &ExecutableDocument, variables: &Variables, max_chars: usize) -> Result<(), Refusal> {
    for (name, value) in variables.iter() {
        check_const(value, &mut format!("${name}"), max_chars)?;
    }
    for (_, operation) in doc.operations.iter() {
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                check_const(&default.node, &mut format!("${}", definition.node.name.node), max_chars)?;
            }
        }
        check_literals(&operation.node.selection_set.node, max_chars)?;
    }
    for fragment in doc.fragments.values() {
        check_literals(&fragment.node.selection_set.node, max_chars)?;
    }
    Ok(())
}

/// Whether `text` may be taken as input: no control character but line breaks and tabs, at
/// most `max_chars` characters.
pub fn check_text(text: &str, field: &str, max_chars: usize) -> Result<(), Refusal> {
    if text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(Refusal::ControlCharacter { field: field.to_owned() });
    }
    // `len` counts bytes, at least as many as characters: most strings need no counting.
    if text.len() > max_chars && text.chars().count() > max_chars {
        return Err(Refusal::TextTooLong { field: field.to_owned(), limit: max_chars });
    }
    Ok(())
}

fn check_const(value: &ConstValue, path: &mut String, max_chars: usize) -> Result<(), Refusal> {
    match value {
        ConstValue::String(s) => check_text(s, path, max_chars),
        ConstValue::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_const(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        ConstValue::Object(fields) => {
            for (name, item) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check_const(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn check_value(value: &Value, path: &mut String, max_chars: usize) -> Result<(), Refusal> {
    match value {
        Value::String(s) => check_text(s, path, max_chars),
        Value::List(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_value(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check_value(item, path, max_chars)?;
                path.truncate(len);
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The literal arguments of every field of `set` (each field once: fragments are walked
/// where they are defined, not where they are spread).
fn check_literals(set: &SelectionSet, max_chars: usize) -> Result<(), Refusal> {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    check_value(&value.node, &mut name.node.to_string(), max_chars)?;
                }
                check_literals(&field.node.selection_set.node, max_chars)?;
            }
            Selection::FragmentSpread(_) => {}
            Selection::InlineFragment(inline) => check_literals(&inline.node.selection_set.node, max_chars)?,
        }
    }
    Ok(())
}

/// The extension that applies [`check`] to every operation (see the module doc).
pub struct Bounds {
    limits: Arc<Limits>,
}

impl Bounds {
    /// The check with `limits`.
    pub fn new(limits: Limits) -> Bounds {
        Bounds { limits: Arc::new(limits) }
    }
}

impl ExtensionFactory for Bounds {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(BoundsCheck { limits: Arc::clone(&self.limits) })
    }
}

struct BoundsCheck {
    limits: Arc<Limits>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for BoundsCheck {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let refuse = |r: Refusal| Err(r.to_server_error());
        if let Err(refusal) = check_nesting(query, nesting_limit(&self.limits)) {
            return refuse(refusal);
        }
        // Parsed here first, so that an expensive document is refused before async-graphql's
        // own checks (which expand fragments) see it; a syntax error is left for `next` to
        // report in async-graphql's words, and a document handed over already parsed is
        // checked after it.
        match async_graphql::parser::parse_query(query) {
            Ok(doc) => {
                if let Err(refusal) = check(&doc, variables, &self.limits) {
                    return refuse(refusal);
                }
                next.run(ctx, query, variables).await
            }
            Err(_) => {
                let doc = next.run(ctx, query, variables).await?;
                match check(&doc, variables, &self.limits) {
                    Ok(_) => Ok(doc),
                    Err(refusal) => refuse(refusal),
                }
            }
        }
    }
}

/// The extension that bounds the time of one execution (see the module doc). Subscriptions
/// are not executed through the `execute` hook, so a long-lived subscription has no
/// deadline; each of its events is bounded like any field.
pub struct Deadline {
    timeout: Duration,
}

impl Deadline {
    /// A deadline `timeout` after each execution starts.
    pub fn new(timeout: Duration) -> Deadline {
        Deadline { timeout }
    }
}

impl ExtensionFactory for Deadline {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(DeadlineCheck { timeout: self.timeout, ends: Mutex::new(None) })
    }
}

struct DeadlineCheck {
    timeout: Duration,
    /// When the execution under way must end (`None` outside `execute`).
    ends: Mutex<Option<Instant>>,
}

/// The `DEADLINE_EXCEEDED` error.
fn deadline_error(timeout: Duration) -> ServerError {
    let mut error = ServerError::new(
        format!(
            "the operation ran longer than its limit of {} ms and was stopped; ask for less per request",
            timeout.as_millis()
        ),
        None,
    );
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", "DEADLINE_EXCEEDED");
    extensions.set("limit", timeout.as_millis() as u64);
    error.extensions = Some(extensions);
    error
}

fn is_deadline(error: &ServerError) -> bool {
    error.extensions.as_ref().and_then(|e| e.get("code")) == Some(&ConstValue::String("DEADLINE_EXCEEDED".into()))
}

#[async_graphql::async_trait::async_trait]
impl Extension for DeadlineCheck {
    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        *self.ends.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now() + self.timeout);
        match tokio::time::timeout(self.timeout, next.run(ctx, operation_name)).await {
            Ok(mut response) => {
                // Every field refused after the deadline reports it: one error says it all.
                let mut seen = false;
                response.errors.retain(|e| !is_deadline(e) || !std::mem::replace(&mut seen, true));
                response
            }
            Err(_) => Response::from_errors(vec![deadline_error(self.timeout)]),
        }
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<ConstValue>> {
        let ends = *self.ends.lock().unwrap_or_else(PoisonError::into_inner);
        if ends.is_some_and(|ends| Instant::now() >= ends) {
            return Err(deadline_error(self.timeout));
        }
        next.run(ctx, info).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn tally(query: &str) -> Result<Tally, Refusal> {
        tally_with(query, Variables::default(), &limits())
    }

    fn tally_with(query: &str, variables: Variables, limits: &Limits) -> Result<Tally, Refusal> {
        check_nesting(query, nesting_limit(limits))?;
        let doc = async_graphql::parser::parse_query(query).expect("a valid document");
        check(&doc, &variables, limits)
    }

    fn vars(json: serde_json::Value) -> Variables {
        Variables::from_json(json)
    }

    /// Ten levels of fragments, each spreading the next four times: 4^10 ≈ a million fields.
    fn bomb(levels: usize) -> String {
        let mut query = String::from("query { ...F0 }\n");
        for level in 0..levels {
            let next = format!("...F{}", level + 1);
            query.push_str(&format!("fragment F{level} on QueryRoot {{ {next} {next} {next} {next} }}\n"));
        }
        query.push_str(&format!("fragment F{levels} on QueryRoot {{ apiVersion }}\n"));
        query
    }

    #[test]
    fn the_fragment_bomb_is_counted_without_expanding_it() {
        let started = Instant::now();
        let refused = tally(&bomb(10)).unwrap_err();
        assert_eq!(refused, Refusal::TooComplex { cost: 4u64.pow(10), limit: 5_000 });
        // Memoised: a hundred levels (4^100 fields) is no slower to refuse, and saturates.
        let refused = tally(&bomb(100)).unwrap_err();
        assert_eq!(refused, Refusal::TooComplex { cost: u64::MAX, limit: 5_000 });
        assert!(started.elapsed() < Duration::from_secs(1), "took {:?}", started.elapsed());
        // Five levels: 1024 fields, within the limit, and counted exactly.
        assert_eq!(tally(&bomb(5)).unwrap().cost, 1024);
    }

    #[test]
    fn fragment_cycles_are_refused() {
        let refused = tally("query { ...A } fragment A on QueryRoot { ...B } fragment B on QueryRoot { ...A }");
        assert!(matches!(refused, Err(Refusal::FragmentCycle { .. })), "{refused:?}");
        let refused = tally("query { ...A } fragment A on QueryRoot { apiVersion ...A }");
        assert!(matches!(refused, Err(Refusal::FragmentCycle { .. })), "{refused:?}");
    }

    #[test]
    fn a_long_chain_of_fragments_does_not_exhaust_the_stack() {
        let mut query = String::from("query { ...F0 }\n");
        for i in 0..20_000 {
            query.push_str(&format!("fragment F{i} on QueryRoot {{ ...F{} }}\n", i + 1));
        }
        query.push_str("fragment F20000 on QueryRoot { apiVersion }\n");
        assert_eq!(tally(&query).unwrap().cost, 1);
    }

    #[test]
    fn absurd_nesting_is_refused_before_parsing() {
        let query = format!("query {}apiVersion{}", "{ me ".repeat(100_000), "}".repeat(100_000));
        assert_eq!(check_nesting(&query, 64), Err(Refusal::TooDeep { limit: 64 }));
        // Brackets inside strings and comments do not count.
        let quoted = format!(
            "query {{ deidentifyPreview(text: \"{}\") {{ maskedText }} }} # {}",
            "{".repeat(500),
            "[".repeat(500)
        );
        assert_eq!(check_nesting(&quoted, 64), Ok(()));
        let block = format!("query {{ deidentifyPreview(text: \"\"\"{}\"\"\") {{ maskedText }} }}", "(".repeat(500));
        assert_eq!(check_nesting(&block, 64), Ok(()));
    }

    #[test]
    fn depth_counts_through_fragments() {
        let query = "query { me { ...A } } fragment A on Account { agency { id } }";
        assert_eq!(tally(query).unwrap().depth, 3);
        let tight = Limits { max_depth: 2, ..limits() };
        assert_eq!(tally_with(query, Variables::default(), &tight), Err(Refusal::TooDeep { limit: 2 }));
    }

    #[test]
    fn aliases_count_through_fragments() {
        let query = "query { ...A ...A ...A } fragment A on QueryRoot { a: apiVersion b: apiVersion }";
        assert_eq!(tally(query).unwrap().aliases, 6);
        let tight = Limits { max_aliases: 5, ..limits() };
        assert_eq!(
            tally_with(query, Variables::default(), &tight),
            Err(Refusal::TooManyAliases { count: 6, limit: 5 })
        );
    }

    #[test]
    fn one_sign_in_per_request_through_fragments_too() {
        let one = "mutation { signIn(input: {login: \"a\", password: \"b\"}) { token } }";
        assert!(tally(one).is_ok());
        let two = "mutation { ...S } fragment S on MutationRoot { a: signIn(input: {login: \"a\", password: \"b\"}) { token } b: signIn(input: {login: \"a\", password: \"c\"}) { token } }";
        assert_eq!(tally(two), Err(Refusal::OneSignIn));
        let both =
            "mutation { signIn(input: {login: \"a\", password: \"b\"}) { token } registerApplicant(input: $i) { id } }";
        assert_eq!(tally(both), Err(Refusal::OneSignIn));
    }

    #[test]
    fn pages_cost_by_first_literal_or_variable() {
        let literal = tally("query { queue(first: 50) { nodes { id subject } } }").unwrap();
        assert_eq!(literal.cost, 10 + 50 * (1 + 2));
        let variable = tally_with(
            "query($n: Int) { queue(first: $n) { nodes { id } } }",
            vars(serde_json::json!({"n": 7})),
            &limits(),
        )
        .unwrap();
        assert_eq!(variable.cost, 10 + 7 * 2);
        // Absent: the resolvers' default of 20; over the maximum: capped at 100 as they are.
        assert_eq!(tally("query { queue { nodes { id } } }").unwrap().cost, 10 + 20 * 2);
        assert_eq!(tally("query { queue(first: 100000) { nodes { id } } }").unwrap().cost, 10 + 100 * 2);
    }

    #[test]
    fn expensive_fields_cost_more() {
        let one = tally("query { document(id: \"x\") { pdfBase64 } }").unwrap().cost;
        assert_eq!(one, 1 + 200);
        let many = (0..30).map(|i| format!("d{i}: document(id: \"x\") {{ pdfBase64 }}")).collect::<String>();
        assert!(matches!(tally(&format!("query {{ {many} }}")), Err(Refusal::TooComplex { .. })));
        // The public report, asked without signing in, costs what the staff's does.
        let public = "publicStatistics(input: {agencyCode: \"a\", year: 2026}) { csv }";
        assert_eq!(tally(&format!("query {{ {public} }}")).unwrap().cost, 200 + 50);
        let reports = (0..30).map(|i| format!("p{i}: {public} ")).collect::<String>();
        assert!(matches!(tally(&format!("query {{ {reports} }}")), Err(Refusal::TooComplex { .. })));
        let forms = "blankApplicationForm(agencyCode: \"a\") { html }";
        assert_eq!(tally(&format!("query {{ {forms} }}")).unwrap().cost, 50 + 10);
    }

    #[test]
    fn control_characters_and_long_texts_are_refused_with_their_path() {
        let query = "mutation($i: SubmitApplicationInput!) { submitApplication(input: $i) { id } }";
        let nul = vars(serde_json::json!({"i": {"agencyCode": "a", "subject": "x\u{0}y"}}));
        assert_eq!(tally_with(query, nul, &limits()), Err(Refusal::ControlCharacter { field: "$i.subject".into() }));
        let nested = vars(serde_json::json!({"i": {"change": {"reason": "ok"}, "items": ["fine", "bell\u{7}"]}}));
        assert_eq!(
            tally_with(query, nested, &limits()),
            Err(Refusal::ControlCharacter { field: "$i.items[1]".into() })
        );
        let literal = "mutation { submitApplication(input: {agencyCode: \"a\", subject: \"x\\u0000\"}) { id } }";
        assert_eq!(tally(literal), Err(Refusal::ControlCharacter { field: "input.subject".into() }));
        let fine = vars(serde_json::json!({"i": {"subject": "line\nbreak\tand tab\r\n，中文"}}));
        assert!(tally_with(query, fine, &limits()).is_ok());
        let long = vars(serde_json::json!({"i": {"subject": "字".repeat(20_001)}}));
        assert_eq!(
            tally_with(query, long, &limits()),
            Err(Refusal::TextTooLong { field: "$i.subject".into(), limit: 20_000 })
        );
        // 20 000 characters of three bytes each: long in bytes, not in characters.
        let just = vars(serde_json::json!({"i": {"subject": "字".repeat(20_000)}}));
        assert!(tally_with(query, just, &limits()).is_ok());
    }

    #[test]
    fn the_standard_introspection_query_passes() {
        let tally = tally(GRAPHIQL_INTROSPECTION_QUERY).unwrap();
        assert!(tally.cost < 5_000 / 2, "{tally:?}");
        // Nesting the introspection lists grows the cost geometrically.
        let nested = "query { __schema { types { fields { type { fields { type { fields { type { fields { name } } } } } } } } } }";
        assert!(matches!(self::tally(nested), Err(Refusal::TooComplex { .. })));
    }
}
