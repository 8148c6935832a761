//! What the public portal (`foi-web`) reads before anyone signs in: the directory of
//! agencies an application may be addressed to.
//!
//! Agencies and their names are public (Reg. 27: anyone may apply to a government or a
//! department that acts in its own name), so `directory` needs no session. It names each
//! agency's parent, so that a page can draw the tree, and nothing else the staff queries
//! show (settings, contact block).

use std::collections::HashMap;

use async_graphql::{Context, ErrorExtensions, Object, SimpleObject};
use foi_store::{Agency, Uuid};

use crate::ApiState;
use crate::error::ApiError;

fn ext(e: impl Into<ApiError>) -> async_graphql::Error {
    e.into().extend()
}

/// The longest search text `directory` takes, in characters: an agency's name is short.
const MAX_SEARCH_CHARS: usize = 50;

/// One agency of the public directory (政府信息公开申请的受理机关).
#[derive(SimpleObject, Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// Short code, what `submitApplication` takes as `agencyCode`, e.g. `youxian`.
    pub code: String,
    /// Name, e.g. 游仙区人民政府.
    pub name: String,
    /// The code of the agency it belongs to (a department or town under its government);
    /// null for a top agency.
    pub parent_code: Option<String>,
    /// How deep it sits in the tree: 0 for a top agency, 1 for one under it, and so on.
    pub depth: i32,
}

/// The portal's public queries.
#[derive(Default)]
pub struct PortalQuery;

#[Object]
impl PortalQuery {
    /// The blank application form (政府信息公开申请表, Reg. 29) of an agency, to print and fill
    /// in by hand for an application in person or by post: HTML and, with a CJK font on the
    /// server, `pdfBase64`. Public: no sign-in.
    async fn blank_application_form(
        &self,
        ctx: &Context<'_>,
        agency_code: String,
    ) -> async_graphql::Result<crate::documents::DocumentPreview> {
        blank_form(ctx, &agency_code).await.map_err(ext)
    }

    /// The agencies that take applications, as a tree in reading order (each agency
    /// followed by those under it, by name). Public: no sign-in. With `nameContains`, only
    /// the agencies whose name contains that text (and nothing when it is blank); longer
    /// than 50 characters is `VALIDATION` on `nameContains`.
    async fn directory(
        &self,
        ctx: &Context<'_>,
        name_contains: Option<String>,
    ) -> async_graphql::Result<Vec<DirectoryEntry>> {
        let search = name_contains.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if search.is_some_and(|s| s.chars().count() > MAX_SEARCH_CHARS) {
            return Err(ext(ApiError::validation("nameContains", format!("搜索内容不能超过{MAX_SEARCH_CHARS}个字"))));
        }
        let all = ctx.data_unchecked::<ApiState>().store.agencies().await.map_err(ext)?;
        let entries = tree_order(&all);
        Ok(match search {
            Some(s) => entries.into_iter().filter(|e| e.name.contains(s)).collect(),
            None => entries,
        })
    }
}

/// The blank application form of `agency_code` (`blankApplicationForm`).
async fn blank_form(ctx: &Context<'_>, agency_code: &str) -> Result<crate::documents::DocumentPreview, ApiError> {
    let state = ctx.data_unchecked::<ApiState>();
    let agency = crate::schema::agency_by_code(ctx, "agencyCode", agency_code).await?;
    let on = state.clock.today();
    let rendered = state
        .store
        .application_form(agency.id, None, on, crate::documents::renderer())
        .await
        .map_err(|e| ApiError::Rule(e.to_string()))?;
    Ok(crate::documents::DocumentPreview {
        kind: crate::documents::DocumentKind::ApplicationForm,
        number: String::new(),
        title: rendered.title,
        issued_on: on,
        html: rendered.html,
    })
}

/// `agencies` in reading order: each one followed by those under it, siblings by name. An
/// agency whose parent is unknown is treated as a top agency, and a cycle (which the store
/// never writes) ends where it closes, so every agency appears exactly once.
pub fn tree_order(agencies: &[Agency]) -> Vec<DirectoryEntry> {
    let by_id: HashMap<Uuid, &Agency> = agencies.iter().map(|a| (a.id, a)).collect();
    let mut children: HashMap<Option<Uuid>, Vec<&Agency>> = HashMap::new();
    for a in agencies {
        let parent = a.parent_id.filter(|p| by_id.contains_key(p));
        children.entry(parent).or_default().push(a);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.code.cmp(&b.code)));
    }
    let mut out = Vec::with_capacity(agencies.len());
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(&Agency, i32)> =
        children.get(&None).map(|top| top.iter().rev().map(|a| (*a, 0)).collect()).unwrap_or_default();
    while let Some((a, depth)) = stack.pop() {
        if !seen.insert(a.id) {
            continue;
        }
        out.push(DirectoryEntry {
            code: a.code.clone(),
            name: a.name.clone(),
            parent_code: a.parent_id.and_then(|p| by_id.get(&p)).map(|p| p.code.clone()),
            depth,
        });
        if let Some(kids) = children.get(&Some(a.id)) {
            stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
        }
    }
    // Agencies only reachable through a cycle: listed at the top rather than lost.
    for a in agencies {
        if seen.insert(a.id) {
            out.push(DirectoryEntry { code: a.code.clone(), name: a.name.clone(), parent_code: None, depth: 0 });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, name: &str, parent: Option<Uuid>) -> Agency {
        Agency {
            id: Uuid::new_v4(),
            code: code.into(),
            name: name.into(),
            parent_id: parent,
            case_prefix: String::new(),
            case_number_pattern: String::new(),
            reconsideration_body: String::new(),
            correction_period_wd: 15,
            due_soon_wd: 5,
            fee_pauses_clock: true,
            contact: Default::default(),
            online_receipt: Default::default(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
        }
    }

    #[test]
    fn the_tree_reads_parent_then_children_by_name() {
        let district = agency("youxian", "游仙区人民政府", None);
        let town = agency("xinqiao", "新桥镇人民政府", Some(district.id));
        let bureau = agency("fgj", "游仙区发展和改革局", Some(district.id));
        let other = agency("fucheng", "涪城区人民政府", None);
        let orphan = agency("lost", "上级不明的机关", Some(Uuid::new_v4()));
        let order = tree_order(&[town.clone(), bureau.clone(), district.clone(), other.clone(), orphan]);
        let read: Vec<(&str, i32, Option<&str>)> =
            order.iter().map(|e| (e.code.as_str(), e.depth, e.parent_code.as_deref())).collect();
        // Siblings by name (Unicode order); each agency exactly once; an unknown parent is a top.
        assert_eq!(
            read,
            vec![
                ("lost", 0, None),
                ("fucheng", 0, None),
                ("youxian", 0, None),
                ("xinqiao", 1, Some("youxian")),
                ("fgj", 1, Some("youxian")),
            ]
        );
    }
}
