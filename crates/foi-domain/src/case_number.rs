//! Case and document numbers (案件编号 / 文号), such as `游府信申〔2026〕17号`.
//!
//! Registration (登记) gives every application a case number, and every notice and reply gets
//! a document number. Each agency writes them in its own pattern (configurable, rules.md §2):
//! usually an agency prefix, the year in hexagonal brackets 〔〕 and a yearly sequence. This
//! module parses such a pattern once — rejecting patterns that could produce the same number
//! twice — and formats numbers from it. Allocating the sequence without gaps or repeats under
//! concurrency is the store's job, not this module's.

use std::fmt;
use std::str::FromStr;

/// The default pattern: `{prefix}〔{year}〕{seq}号`, e.g. `游府信申〔2026〕17号`.
pub const DEFAULT_PATTERN: &str = "{prefix}〔{year}〕{seq}号";

/// Widest zero-padding allowed in `{seq:N}`: a `u32` has at most 10 digits.
const MAX_SEQ_WIDTH: usize = 10;

/// What is wrong with a case-number pattern (编号规则).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatternError {
    /// A `{` is never closed.
    #[error("the '{{' at character {position} is never closed: add '}}' after the placeholder name")]
    UnclosedBrace {
        /// 1-based character position of the `{`.
        position: usize,
    },
    /// A `}` has no opening `{`.
    #[error("the '}}' at character {position} has no matching '{{': remove it or add the '{{'")]
    UnopenedBrace {
        /// 1-based character position of the `}`.
        position: usize,
    },
    /// A placeholder name that is not one of the known ones.
    #[error("unknown placeholder {{{name}}}: use {{prefix}}, {{year}}, {{seq}} or {{seq:N}}")]
    UnknownPlaceholder {
        /// The text between the braces.
        name: String,
    },
    /// `{seq:N}` with an N that is not a number from 1 to 10.
    #[error("in {{seq:{found}}} the width must be a number from 1 to 10, e.g. {{seq:4}}")]
    BadSeqWidth {
        /// The text after `seq:`.
        found: String,
    },
    /// No `{seq}`: every case would get the same number.
    #[error("the pattern has no {{seq}} (or {{seq:N}}): add it, or every case gets the same number")]
    MissingSeq,
    /// More than one `{seq}`.
    #[error("the pattern has {count} sequence placeholders; use {{seq}} (or {{seq:N}}) exactly once")]
    RepeatedSeq {
        /// How many `{seq}` placeholders were found.
        count: usize,
    },
    /// No `{year}`: numbers would repeat when the sequence restarts each year.
    #[error(
        "the pattern has no {{year}}: add it, or numbers repeat when the sequence restarts \
         each year"
    )]
    MissingYear,
}

/// One piece of a parsed pattern.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Segment {
    Literal(String),
    Prefix,
    Year,
    /// The sequence, zero-padded to `width` digits (0: no padding).
    Seq {
        width: usize,
    },
}

/// A parsed case-number pattern (编号规则), e.g. `{prefix}〔{year}〕{seq}号`.
///
/// Placeholders: `{prefix}` (the agency's prefix), `{year}`, `{seq}` and `{seq:N}` (the
/// sequence zero-padded to N digits, 1 ≤ N ≤ 10). `{seq}` must appear exactly once and
/// `{year}` at least once. Braces are reserved for placeholders.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CaseNumberPattern {
    source: String,
    segments: Vec<Segment>,
}

impl CaseNumberPattern {
    /// Parses a pattern, naming the first problem found.
    pub fn parse(pattern: &str) -> Result<CaseNumberPattern, PatternError> {
        let mut segments = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern.chars().enumerate();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' => {
                    let mut name = String::new();
                    let mut closed = false;
                    for (_, c) in chars.by_ref() {
                        match c {
                            '}' => {
                                closed = true;
                                break;
                            }
                            // A nested '{' means the first one was never closed.
                            '{' => return Err(PatternError::UnclosedBrace { position: i + 1 }),
                            c => name.push(c),
                        }
                    }
                    if !closed {
                        return Err(PatternError::UnclosedBrace { position: i + 1 });
                    }
                    if !literal.is_empty() {
                        segments.push(Segment::Literal(std::mem::take(&mut literal)));
                    }
                    segments.push(placeholder(&name)?);
                }
                '}' => return Err(PatternError::UnopenedBrace { position: i + 1 }),
                c => literal.push(c),
            }
        }
        if !literal.is_empty() {
            segments.push(Segment::Literal(literal));
        }
        let seqs = segments.iter().filter(|s| matches!(s, Segment::Seq { .. })).count();
        match seqs {
            0 => return Err(PatternError::MissingSeq),
            1 => {}
            count => return Err(PatternError::RepeatedSeq { count }),
        }
        if !segments.contains(&Segment::Year) {
            return Err(PatternError::MissingYear);
        }
        Ok(CaseNumberPattern { source: pattern.to_owned(), segments })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The number for sequence `seq` of `year` with the agency prefix `prefix`, e.g.
    /// `游府信申〔2026〕17号` for (`游府信申`, 2026, 17) under the default pattern. A sequence
    /// longer than its `{seq:N}` width is written in full, never cut.
    pub fn format(&self, prefix: &str, year: i32, seq: u32) -> CaseNumber {
        let mut out = String::new();
        for segment in &self.segments {
            match segment {
                Segment::Literal(text) => out.push_str(text),
                Segment::Prefix => out.push_str(prefix),
                Segment::Year => out.push_str(&year.to_string()),
                Segment::Seq { width } => out.push_str(&format!("{seq:0width$}")),
            }
        }
        CaseNumber(out)
    }
}

/// The segment for a placeholder name (the text between the braces).
fn placeholder(name: &str) -> Result<Segment, PatternError> {
    match name {
        "prefix" => Ok(Segment::Prefix),
        "year" => Ok(Segment::Year),
        "seq" => Ok(Segment::Seq { width: 0 }),
        _ => match name.strip_prefix("seq:") {
            Some(width) => width
                .parse::<usize>()
                .ok()
                .filter(|w| (1..=MAX_SEQ_WIDTH).contains(w) && width.bytes().all(|b| b.is_ascii_digit()))
                .map(|width| Segment::Seq { width })
                .ok_or_else(|| PatternError::BadSeqWidth { found: width.to_owned() }),
            None => Err(PatternError::UnknownPlaceholder { name: name.to_owned() }),
        },
    }
}

impl Default for CaseNumberPattern {
    /// `{prefix}〔{year}〕{seq}号`.
    fn default() -> Self {
        CaseNumberPattern {
            source: DEFAULT_PATTERN.to_owned(),
            segments: vec![
                Segment::Prefix,
                Segment::Literal("〔".to_owned()),
                Segment::Year,
                Segment::Literal("〕".to_owned()),
                Segment::Seq { width: 0 },
                Segment::Literal("号".to_owned()),
            ],
        }
    }
}

impl FromStr for CaseNumberPattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CaseNumberPattern::parse(s)
    }
}

impl fmt::Display for CaseNumberPattern {
    /// The pattern as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

impl TryFrom<String> for CaseNumberPattern {
    type Error = PatternError;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        CaseNumberPattern::parse(&s)
    }
}

impl From<CaseNumberPattern> for String {
    fn from(pattern: CaseNumberPattern) -> String {
        pattern.source
    }
}

/// A case or document number (案件编号 / 文号), e.g. `游府信申〔2026〕17号`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct CaseNumber(String);

impl CaseNumber {
    /// Wraps a number read back from storage, where it was formatted by a pattern.
    pub fn new(number: impl Into<String>) -> CaseNumber {
        CaseNumber(number.into())
    }

    /// The number as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<CaseNumber> for String {
    fn from(number: CaseNumber) -> String {
        number.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;

    #[test]
    fn default_pattern() {
        let p = CaseNumberPattern::default();
        assert_eq!(p.format("游府信申", 2026, 17).as_str(), "游府信申〔2026〕17号");
        assert_eq!(p.as_str(), DEFAULT_PATTERN);
        assert_eq!(CaseNumberPattern::parse(DEFAULT_PATTERN), Ok(p));
    }

    #[test]
    fn zero_padded_sequence() {
        let p = CaseNumberPattern::parse("{prefix}-{year}-{seq:4}").expect("valid");
        assert_eq!(p.format("YX", 2026, 17).to_string(), "YX-2026-0017");
        assert_eq!(p.format("YX", 2026, 123_456).to_string(), "YX-2026-123456");
        let p = CaseNumberPattern::parse("游仙区信申〔{year}〕第{seq:3}号").expect("valid");
        assert_eq!(p.format("ignored", 2025, 5).to_string(), "游仙区信申〔2025〕第005号");
    }

    #[test]
    fn errors_name_the_problem() {
        use PatternError::*;
        assert_eq!(CaseNumberPattern::parse("{prefix}〔{year}〕号"), Err(MissingSeq));
        assert_eq!(CaseNumberPattern::parse("{prefix}{seq}号"), Err(MissingYear));
        assert_eq!(CaseNumberPattern::parse("{year}{seq}-{seq:3}"), Err(RepeatedSeq { count: 2 }));
        assert_eq!(
            CaseNumberPattern::parse("{prefix}〔{yr}〕{seq}号"),
            Err(UnknownPlaceholder { name: "yr".to_owned() })
        );
        assert_eq!(CaseNumberPattern::parse("{prefix}〔{year}〕{seq}号{"), Err(UnclosedBrace { position: 23 }));
        assert_eq!(CaseNumberPattern::parse("{prefix〔{year}〕{seq}号"), Err(UnclosedBrace { position: 1 }));
        assert_eq!(CaseNumberPattern::parse("prefix}{year}{seq}"), Err(UnopenedBrace { position: 7 }));
        for bad in ["0", "11", "x", "", "-1", "+4"] {
            assert_eq!(
                CaseNumberPattern::parse(&format!("{{year}}{{seq:{bad}}}")),
                Err(BadSeqWidth { found: bad.to_owned() }),
                "{bad}"
            );
        }
        let msg = UnknownPlaceholder { name: "yr".to_owned() }.to_string();
        assert_eq!(msg, "unknown placeholder {yr}: use {prefix}, {year}, {seq} or {seq:N}");
        assert!(MissingYear.to_string().contains("add it"));
        assert!(UnclosedBrace { position: 3 }.to_string().contains("character 3"));
        assert_eq!(CaseNumberPattern::parse(""), Err(MissingSeq));
    }

    #[test]
    fn serde_as_strings() {
        let p = CaseNumberPattern::parse("{prefix}〔{year}〕{seq:3}号").expect("valid");
        let json = serde_json::to_string(&p).expect("serialise");
        assert_eq!(json, "\"{prefix}〔{year}〕{seq:3}号\"");
        assert_eq!(serde_json::from_str::<CaseNumberPattern>(&json).ok(), Some(p));
        assert!(serde_json::from_str::<CaseNumberPattern>("\"{prefix}{seq}\"").is_err());
        let n = CaseNumberPattern::default().format("游府信申", 2026, 17);
        assert_eq!(serde_json::to_string(&n).ok().as_deref(), Some("\"游府信申〔2026〕17号\""));
        assert_eq!(
            serde_json::from_str::<CaseNumber>("\"游府信申〔2026〕17号\"").ok(),
            Some(CaseNumber::new("游府信申〔2026〕17号"))
        );
    }

    #[test]
    fn numbers_differ_within_and_across_years() {
        let p = CaseNumberPattern::default();
        let mut seen = HashSet::new();
        for year in 2025..=2027 {
            for seq in 1..=200 {
                assert!(seen.insert(p.format("游府信申", year, seq)), "{year} {seq}");
            }
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,30}") {
            let _ = CaseNumberPattern::parse(&s);
        }

        #[test]
        fn distinct_inputs_give_distinct_numbers(
            y1 in 1000i32..=9999, s1 in any::<u32>(),
            y2 in 1000i32..=9999, s2 in any::<u32>(),
        ) {
            prop_assume!((y1, s1) != (y2, s2));
            for pattern in [DEFAULT_PATTERN, "{prefix}{year}-{seq:6}", "{year}{seq:4}"] {
                let p = CaseNumberPattern::parse(pattern).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_ne!(p.format("游府信申", y1, s1), p.format("游府信申", y2, s2));
            }
        }
    }
}
