//! Document numbers (文号): the agency's case-number pattern, with the kind's marker in the
//! prefix, over a yearly sequence per agency and kind (rules.md §2).
//!
//! The agency's case prefix usually ends in 申 (application): `游府信申〔2026〕17号` is a case.
//! A document replaces that 申 with its kind's marker ([`DocumentKind::marker`]):
//! `游府信补〔2026〕3号` is the third correction notice of 2026, `游府信答〔2026〕17号` the
//! seventeenth reply. A prefix that does not end in 申 gets the marker appended. The pattern
//! is the agency's own (`{prefix}〔{year}〕{seq}号` unless configured); a pattern without
//! `{prefix}` would give every kind the same numbers, so documents then use the default.
//! Allocating the sequence without gaps is the store's job (`Txn::next_sequence`).

use foi_domain::case_number::{CaseNumberPattern, DEFAULT_PATTERN, PatternError};

use crate::DocumentKind;

/// What a document shows before it has a number: a preview is never numbered.
pub const PENDING_NUMBER: &str = "〔待编号〕";

/// The prefix of `kind`'s numbers for an agency whose case prefix is `case_prefix`:
/// `游府信申` → `游府信答` for a reply; `游仙区` → `游仙区答`.
pub fn document_prefix(case_prefix: &str, kind: DocumentKind) -> String {
    let base = case_prefix.trim();
    let base = base.strip_suffix('申').unwrap_or(base);
    format!("{base}{}", kind.marker())
}

/// The pattern documents of an agency are numbered with: its own, if it has `{prefix}`
/// (which carries the kind's marker); otherwise the default `{prefix}〔{year}〕{seq}号`.
pub fn document_pattern(agency_pattern: &str) -> Result<CaseNumberPattern, PatternError> {
    if agency_pattern.contains("{prefix}") {
        CaseNumberPattern::parse(agency_pattern)
    } else {
        CaseNumberPattern::parse(DEFAULT_PATTERN)
    }
}

/// The number of the `seq`-th document of `kind` in `year`, e.g. `游府信补〔2026〕3号`.
pub fn document_number(
    agency_pattern: &str,
    case_prefix: &str,
    kind: DocumentKind,
    year: i32,
    seq: u32,
) -> Result<String, PatternError> {
    Ok(document_pattern(agency_pattern)?.format(&document_prefix(case_prefix, kind), year, seq).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn markers_replace_the_application_mark() {
        let n = |kind, seq| document_number(DEFAULT_PATTERN, "游府信申", kind, 2026, seq).unwrap();
        assert_eq!(n(DocumentKind::CorrectionNotice, 3), "游府信补〔2026〕3号");
        assert_eq!(n(DocumentKind::Reply, 17), "游府信答〔2026〕17号");
        assert_eq!(n(DocumentKind::Receipt, 1), "游府信收〔2026〕1号");
        assert_eq!(n(DocumentKind::ExtensionNotice, 1), "游府信延〔2026〕1号");
        assert_eq!(n(DocumentKind::ConsultationLetter, 1), "游府信征〔2026〕1号");
        assert_eq!(n(DocumentKind::FeeNotice, 1), "游府信费〔2026〕1号");
        assert_eq!(n(DocumentKind::NotHandledNotice, 1), "游府信告〔2026〕1号");
        assert_eq!(document_prefix("游仙区", DocumentKind::Reply), "游仙区答");
        assert_eq!(document_prefix(" 游教信申 ", DocumentKind::Receipt), "游教信收");
    }

    #[test]
    fn the_agency_pattern_is_used_when_it_has_a_prefix() {
        let padded = "{prefix}〔{year}〕第{seq:3}号";
        assert_eq!(
            document_number(padded, "游府信申", DocumentKind::Reply, 2026, 5).unwrap(),
            "游府信答〔2026〕第005号"
        );
        // No {prefix}: every kind would share numbers, so the default pattern is used.
        let fixed = "游仙区信申〔{year}〕{seq}号";
        assert_eq!(document_number(fixed, "游府信申", DocumentKind::Reply, 2026, 5).unwrap(), "游府信答〔2026〕5号");
        assert!(document_number("{prefix}{seq}", "游府信申", DocumentKind::Reply, 2026, 5).is_err());
    }

    #[test]
    fn kinds_and_case_numbers_never_share_a_number() {
        let mut seen = HashSet::new();
        for year in [2025, 2026] {
            for seq in 1..=50 {
                assert!(seen.insert(CaseNumberPattern::default().format("游府信申", year, seq).to_string()));
                for kind in DocumentKind::ALL {
                    assert!(seen.insert(document_number(DEFAULT_PATTERN, "游府信申", kind, year, seq).unwrap()));
                }
            }
        }
    }
}
